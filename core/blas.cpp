#include "core/blas.h"

#include <cblas.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace tg {

namespace {

// The strongest OpenBLAS x86 kernel family this CPU can run.
std::string best_kernel_for_cpu() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return __builtin_cpu_is("amd") ? "Zen" : "Haswell";
  if (__builtin_cpu_supports("avx")) return "Sandybridge";
  return "Prescott";
#else
  return "";
#endif
}

int kernel_rank(const std::string& core) {
  // Rough capability order of OpenBLAS x86 kernels; unknown names rank as modern.
  static const char* slow[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai",
                               "Coppermine", "Northwood", "Banias", "Opteron", "Barcelona", "Bobcat"};
  for (const char* s : slow)
    if (core == s) return 0;
  if (core == "Sandybridge" || core == "Bulldozer" || core == "Piledriver") return 1;
  if (core == "Haswell" || core == "Zen" || core == "Excavator" || core == "Steamroller") return 2;
  return 3;  // SkylakeX, Cooperlake, SapphireRapids, ...
}

}  // namespace

std::string blas_kernel_advice(const std::string& corename, const std::string& cpu_best, bool coretype_from_env) {
  if (coretype_from_env || cpu_best.empty()) return "";
  if (kernel_rank(corename) >= kernel_rank(cpu_best)) return "";
  return "tapegrad: OpenBLAS is using its '" + corename + "' kernel, but this CPU supports '" + cpu_best +
         "' (OpenBLAS " + "does not recognise the CPU model); matrix products run several times slower.\n"
         "tapegrad: fix: export OPENBLAS_CORETYPE=" + cpu_best + " before running.\n";
}

BlasInfo blas_info() {
  BlasInfo info;
  info.corename = openblas_get_corename();
  info.config = openblas_get_config();
  info.threads = openblas_get_num_threads();
  info.cpu_best = best_kernel_for_cpu();
  info.coretype_from_env = std::getenv("OPENBLAS_CORETYPE") != nullptr;
  info.slow_kernel = !blas_kernel_advice(info.corename, info.cpu_best, info.coretype_from_env).empty();
  return info;
}

void blas_check_kernel_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    BlasInfo info = blas_info();
    std::string advice = blas_kernel_advice(info.corename, info.cpu_best, info.coretype_from_env);
    if (!advice.empty() && std::getenv("TAPEGRAD_QUIET_BLAS") == nullptr) std::fputs(advice.c_str(), stderr);
    openblas_set_num_threads(1);  // tapegrad's threads split the products (see blas.h)
  });
}

void blas_set_num_threads(int n) { openblas_set_num_threads(n); }

}  // namespace tg
