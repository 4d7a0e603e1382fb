// tapegrad-microbench: figures, not pass/fail. Prints
//   - the OpenBLAS kernel (core name) and the thread count of tapegrad (OpenBLAS runs on one);
//   - matmul GFLOP/s: ops::matmul (under NoGradGuard) next to a direct cblas_sgemm threaded by
//     OpenBLAS itself over as many threads, of the
//     same sizes into a preallocated output, and their ratio (1.00 = no overhead);
//   - memory-bound elementwise ops on 16M floats in GB/s (bytes read + written), next to a
//     memcpy of the same 64 MB on one thread and split over all threads;
//   - per-call overhead (ns) of tiny ops: what a small CTR graph pays per op.
// Every figure is the median of several timed samples taken after a warm-up call, with
// std::chrono::steady_clock; paired figures (tapegrad vs BLAS) alternate their samples so
// that frequency drift hits both alike. The whole run takes ~10-30 s on 2 cores.
//
//   tapegrad-microbench [--threads N] [--json]
//   --json prints the figures as one JSON line instead of the table.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "ops/ops.h"

using namespace tg;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Seconds per call of each of fs (alternating samples). A sample runs `inner` calls, chosen
// so that one sample lasts ~2 ms (tiny ops need many calls per clock read); the sample
// count fits `budget_s` (5..101). Short, many, interleaved samples keep the medians honest
// on a busy machine, where a long sample is likely to be preempted.
struct Timing {
  std::vector<double> per_call;  // median seconds per call, one per function
};

template <class... F> Timing time_paired(double budget_s, F&&... fs) {
  constexpr size_t n = sizeof...(F);
  // Warm-up: one call each (page faults, allocator cache, OpenBLAS buffers), then a timed
  // call to size the samples.
  (fs(), ...);
  double one = 0;
  (
      [&] {
        auto t0 = Clock::now();
        fs();
        one = std::max(one, seconds_since(t0));
      }(),
      ...);
  one = std::max(one, 1e-9);
  const int64_t inner = std::max<int64_t>(1, static_cast<int64_t>(0.002 / one));
  const int samples = std::clamp(static_cast<int>(budget_s / (n * one * inner)), 5, 101);
  std::vector<std::vector<double>> s(n);
  for (int k = 0; k < samples; ++k) {
    size_t i = 0;
    (
        [&] {
          auto t0 = Clock::now();
          for (int64_t j = 0; j < inner; ++j) fs();
          s[i++].push_back(seconds_since(t0) / static_cast<double>(inner));
        }(),
        ...);
  }
  Timing t;
  for (auto& v : s) t.per_call.push_back(median(v));
  return t;
}

// Keeps a result alive so the optimiser cannot drop the call.
volatile float g_sink = 0;
void consume(const Tensor& t) { g_sink = g_sink + static_cast<float>(t.numel()); }

struct MatmulRow {
  int64_t m, k, n;
  double tg_gflops, blas_gflops;
};
struct StreamRow {
  std::string op;
  double bytes, gbps;
};
struct OverheadRow {
  std::string what;
  double ns;
};

MatmulRow bench_matmul(int64_t m, int64_t k, int64_t n, double budget_s) {
  Tensor a = rand({m, k}), b = rand({k, n});
  Tensor c = Tensor::empty({m, n});
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* pc = c.data<float>();
  // Two phases, not alternating samples: tapegrad's pool and OpenBLAS's own pool would slow
  // each other down (each busy-waits after its calls), which is not what either costs alone.
  // The reference is OpenBLAS threading itself over as many threads (tapegrad keeps OpenBLAS
  // on one thread and splits products over its own pool; core/blas.h).
  Timing t_tg = time_paired(budget_s / 2, [&] {
    NoGradGuard no_grad;
    consume(ops::matmul(a, b));
  });
  blas_set_num_threads(num_threads());
  Timing t_blas = time_paired(budget_s / 2, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1.0f, pa, blasint(k), pb,
                blasint(n), 0.0f, pc, blasint(n));
  });
  blas_set_num_threads(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let OpenBLAS's workers go idle
  Timing t{{t_tg.per_call[0], t_blas.per_call[0]}};
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return {m, k, n, flops / t.per_call[0] * 1e-9, flops / t.per_call[1] * 1e-9};
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--threads" && i + 1 < argc) {
      int n = std::atoi(argv[++i]);
      if (n < 1) {
        fmt::print(stderr, "tapegrad-microbench: --threads needs a count >= 1, got '{}'\n", argv[i]);
        return 2;
      }
      set_num_threads(n);
    } else {
      fmt::print(stderr, "usage: tapegrad-microbench [--threads N] [--json]\n");
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  blas_check_kernel_once();
  const BlasInfo info = blas_info();
  const int threads = num_threads();
  auto run_start = Clock::now();

  // ---- matmul
  struct Size {
    int64_t m, k, n;
  };
  const std::vector<Size> sizes = {{256, 256, 256},   {512, 512, 512},   {1024, 1024, 1024}, {2048, 2048, 2048},
                                   {4096, 288, 1152}, {1024, 64, 64},    {4096, 1152, 288},  {256, 1024, 1}};
  std::vector<MatmulRow> mm;
  for (const Size& s : sizes) mm.push_back(bench_matmul(s.m, s.k, s.n, s.m * s.k * s.n >= (int64_t{1} << 30) ? 2.5 : 1.0));

  // ---- memory-bound elementwise ops on 16M floats (64 MB per tensor)
  const int64_t big = int64_t{1} << 24;
  const double mb64 = static_cast<double>(big) * sizeof(float);
  std::vector<StreamRow> stream;
  {
    NoGradGuard no_grad;
    Tensor x = rand({big}), y = rand({big});
    Tensor dst = Tensor::empty({big});
    const char* src = static_cast<const char*>(x.raw_data());
    char* out = static_cast<char*>(dst.raw_data());
    const size_t bytes = static_cast<size_t>(mb64);
    Timing copies = time_paired(
        1.5, [&] { std::memcpy(out, src, bytes); },
        [&] {
          parallel_for(static_cast<int64_t>(bytes), 1 << 20, [&](int64_t b, int64_t e) {
            std::memcpy(out + b, src + b, static_cast<size_t>(e - b));
          });
        });
    stream.push_back({"memcpy 64 MB, 1 thread", 2 * mb64, 2 * mb64 / copies.per_call[0] * 1e-9});
    stream.push_back({fmt::format("memcpy 64 MB, {} threads", threads), 2 * mb64, 2 * mb64 / copies.per_call[1] * 1e-9});
    Timing ops_t = time_paired(
        4.0, [&] { consume(ops::add(x, y)); }, [&] { consume(ops::mul(x, 1.5)); }, [&] { consume(ops::exp(x)); },
        [&] { consume(ops::sum(x)); });
    const char* names[] = {"add(x, y)", "mul(x, 1.5)", "exp(x)", "sum(x)"};
    const double moved[] = {3 * mb64, 2 * mb64, 2 * mb64, mb64};
    for (int i = 0; i < 4; ++i) stream.push_back({names[i], moved[i], moved[i] / ops_t.per_call[i] * 1e-9});
  }

  // ---- per-call overhead of tiny ops
  std::vector<OverheadRow> overhead;
  {
    Tensor a1 = rand({1}), b1 = rand({1}), a4 = rand({4}), b4 = rand({4});
    Tensor ga4 = rand({4}).set_requires_grad(true), gb4 = rand({4}).set_requires_grad(true);
    Tensor m = rand({4, 4}), n = rand({4, 4}), c = Tensor::empty({4, 4});
    Tensor gm = rand({4, 4}).set_requires_grad(true);
    Timing t = time_paired(
        3.0, [&] { consume(ops::add(a1, b1)); }, [&] { consume(ops::add(a4, b4)); },
        [&] { consume(ops::add(ga4, gb4)); }, [&] { consume(ops::matmul(m, n)); },
        [&] { consume(ops::matmul(gm, n)); },
        [&] {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 4, 4, 4, 1.0f, m.data<float>(), 4, n.data<float>(), 4,
                      0.0f, c.data<float>(), 4);
        });
    const char* names[] = {"add [1] + [1], no grad",         "add [4] + [4], no grad",
                           "add [4] + [4], recording (requires_grad)", "matmul [4,4] x [4,4], no grad",
                           "matmul [4,4] x [4,4], recording",  "cblas_sgemm 4x4x4 (direct)"};
    for (int i = 0; i < 6; ++i) overhead.push_back({names[i], t.per_call[i] * 1e9});
  }
  const double total_s = seconds_since(run_start);

  if (json) {
    std::string s = fmt::format(R"({{"corename":"{}","cpu_best":"{}","threads":{},"blas_threads":{},"matmul":[)",
                                info.corename, info.cpu_best, threads, blas_info().threads);
    for (size_t i = 0; i < mm.size(); ++i)
      s += fmt::format(R"({}{{"m":{},"k":{},"n":{},"tapegrad_gflops":{:.2f},"blas_gflops":{:.2f},"ratio":{:.4f}}})",
                       i ? "," : "", mm[i].m, mm[i].k, mm[i].n, mm[i].tg_gflops, mm[i].blas_gflops,
                       mm[i].tg_gflops / mm[i].blas_gflops);
    s += R"(],"stream":[)";
    for (size_t i = 0; i < stream.size(); ++i)
      s += fmt::format(R"({}{{"op":"{}","bytes":{:.0f},"gbps":{:.2f}}})", i ? "," : "", stream[i].op, stream[i].bytes,
                       stream[i].gbps);
    s += R"(],"overhead_ns":[)";
    for (size_t i = 0; i < overhead.size(); ++i)
      s += fmt::format(R"({}{{"what":"{}","ns":{:.1f}}})", i ? "," : "", overhead[i].what, overhead[i].ns);
    s += fmt::format(R"(],"seconds":{:.2f}}})", total_s);
    fmt::print("{}\n", s);
    return 0;
  }

  fmt::print("tapegrad microbench\n");
  fmt::print("  OpenBLAS core: {} (best for this CPU: {}{}), threads: {} (OpenBLAS: {})\n\n", info.corename,
             info.cpu_best.empty() ? "?" : info.cpu_best, info.slow_kernel ? "; SLOW KERNEL, see the warning" : "",
             threads, blas_info().threads);
  fmt::print("  matmul float32 (C = A B)            tapegrad GFLOP/s   cblas_sgemm GFLOP/s   ratio\n");
  for (const MatmulRow& r : mm)
    fmt::print("  [{:>4},{:>4}] x [{:>4},{:>4}]         {:>16.1f}   {:>19.1f}   {:>5.3f}\n", r.m, r.k, r.k, r.n,
               r.tg_gflops, r.blas_gflops, r.tg_gflops / r.blas_gflops);
  fmt::print("\n  memory-bound, 16M floats             GB/s (read + written)   vs memcpy, {} threads\n", threads);
  const double ref = stream[1].gbps;
  for (const StreamRow& r : stream)
    fmt::print("  {:<36} {:>10.1f}               {:>5.2f}\n", r.op, r.gbps, r.gbps / ref);
  fmt::print("\n  per-call overhead of tiny ops        ns per call\n");
  for (const OverheadRow& r : overhead) fmt::print("  {:<42} {:>8.0f}\n", r.what, r.ns);
  fmt::print("\n  ({:.1f} s; medians of timed samples after warm-up)\n", total_s);
  return 0;
}
