// tapegrad-cuda-bench: throughput of the CUDA kernels against the CPU backend on the same
// inputs (run by scripts/gpu-check on a GPU machine): float32 GEMM (GFLOP/s), an
// elementwise add and a full sum (GB/s), and a linear-layer training step (steps/s).
// Each figure is the best of several timed repetitions after a warm-up; GPU timings wait
// for the device (cuda::synchronize) before the clock stops.
#include <chrono>
#include <cstdio>
#include <functional>

#include "core/autograd.h"
#include "core/cuda/runtime.h"
#include "core/rng.h"
#include "ops/ops.h"

using namespace tg;

namespace {

double best_seconds(Device d, const std::function<void()>& f, int reps) {
  f();  // warm-up: first-use costs (handles, allocator blocks)
  if (d.is_cuda()) cuda::synchronize(d.index);
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    if (d.is_cuda()) cuda::synchronize(d.index);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void bench(Device d) {
  manual_seed(1);
  const int64_t n = 1024;
  Tensor a = uniform({n, n}, -1, 1).to(d), b = uniform({n, n}, -1, 1).to(d);
  double t = best_seconds(d, [&] { (void)ops::matmul(a, b); }, 5);
  std::printf("%-8s gemm 1024^3 f32      %10.1f GFLOP/s\n", d.str().c_str(), 2.0 * n * n * n / t / 1e9);
  const int64_t m = int64_t{1} << 24;
  Tensor x = uniform({m}, -1, 1).to(d), y = uniform({m}, -1, 1).to(d);
  t = best_seconds(d, [&] { (void)ops::add(x, y); }, 5);
  std::printf("%-8s add 2^24 f32          %10.1f GB/s\n", d.str().c_str(), 3.0 * 4 * m / t / 1e9);
  t = best_seconds(d, [&] { (void)ops::sum(x); }, 5);
  std::printf("%-8s sum 2^24 f32          %10.1f GB/s\n", d.str().c_str(), 4.0 * m / t / 1e9);
  Tensor xb = uniform({4096, 256}, -1, 1).to(d), w0 = uniform({256, 256}, -0.1, 0.1).to(d);
  t = best_seconds(d, [&] {
    Tensor w = w0.detach().set_requires_grad();
    Tensor l = ops::mean(ops::square(ops::linear(xb, w)));
    l.backward();
  }, 5);
  std::printf("%-8s linear step 4096x256  %10.1f steps/s\n", d.str().c_str(), 1.0 / t);
}

}  // namespace

int main() {
  bench(kCPU);
  if (!cuda_available()) {
    std::printf("no GPU visible: GPU figures skipped\n");
    return 0;
  }
  bench(Device::cuda(0));
  const AllocatorStats s = cuda::allocator_stats(0);
  std::printf("cuda:0 allocator: peak %.1f MiB in use, %.1f MiB cached, %llu cudaMalloc calls, %llu cache hits\n",
              s.peak_in_use_bytes / 1048576.0, s.cached_bytes / 1048576.0,
              static_cast<unsigned long long>(s.system_allocs), static_cast<unsigned long long>(s.cache_hits));
  return 0;
}
