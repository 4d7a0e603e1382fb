// OpenBLAS facts and the start-up check of its kernel.
//
// Debian's OpenBLAS 0.3.21 may not recognise a recent CPU and fall back to a generic SSE3
// kernel (Prescott): ~33 GFLOP/s a core instead of ~155 with AVX-512. Unless the user set
// OPENBLAS_CORETYPE on purpose, tapegrad compares the kernel with what the CPU can do and
// prints one clear warning (to stderr, once per process) with the fix.
//
// Threads: tapegrad keeps OpenBLAS on ONE thread and parallelises products itself (ops/
// linalg_cpu.cpp splits a large GEMM into row blocks over tapegrad's threads). Debian's
// OpenBLAS is the pthread build, whose workers busy-wait for a long time after each threaded
// call: measured on 2 cores, a 1M-element add took 730 us right after a loop of threaded
// GEMMs against 220 us alone, because the spinning BLAS threads held the cores. One pool
// (tapegrad's) means no oversubscription, and GEMM speed is unchanged (microbench).
#pragma once
#include <string>

namespace tg {

struct BlasInfo {
  std::string corename;      // openblas_get_corename(), e.g. "SkylakeX", "Prescott"
  std::string config;        // openblas_get_config()
  int threads = 1;           // openblas_get_num_threads()
  std::string cpu_best;      // the best kernel this CPU supports ("SkylakeX", "Haswell", ...)
  bool slow_kernel = false;  // corename is well below cpu_best
  bool coretype_from_env = false;  // OPENBLAS_CORETYPE is set: respected, never overridden
};

BlasInfo blas_info();
// Before the first GEMM: prints the slow-kernel warning once if it applies, and puts
// OpenBLAS on one thread (see above).
void blas_check_kernel_once();
// OpenBLAS's own thread count; tapegrad keeps it at 1. Benchmarks that time a raw threaded
// cblas call for comparison set it around that call and restore 1.
void blas_set_num_threads(int n);
// The warning text for a given kernel/CPU pair ("" when fine); exposed for tests.
std::string blas_kernel_advice(const std::string& corename, const std::string& cpu_best, bool coretype_from_env);

}  // namespace tg
