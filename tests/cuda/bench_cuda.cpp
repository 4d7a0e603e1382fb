// tapegrad-cuda-bench: throughput of the CUDA kernels against the CPU backend on the same
// inputs (run by scripts/gpu-check on a GPU machine): float32 GEMM (GFLOP/s), an
// elementwise add and a full sum (GB/s), a linear-layer training step (steps/s), and a
// CTR-style network (26 embedded fields, a 3-layer MLP, logloss, Adam) in samples/s, the
// stand-in for the models until modules can move to a device.
// Each figure is the best of several timed repetitions after a warm-up; GPU timings wait
// for the device (cuda::synchronize) before the clock stops.
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "core/autograd.h"
#include "core/cuda/runtime.h"
#include "core/rng.h"
#include "nn/optim/optim.h"
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

// One training step of a CTR-style network per call: ids [B, F] -> embedding [B, F*D] ->
// relu MLP -> logit -> logloss -> Adam (sparse embedding gradient).
struct CtrNet {
  static constexpr int64_t V = 100000, D = 16, F = 26, H = 256;
  Device device;
  std::vector<Tensor> params;
  std::unique_ptr<nn::Adam> opt;
  explicit CtrNet(Device d) : device(d) {
    manual_seed(2);
    for (Shape s : {Shape{V, D}, Shape{H, F * D}, Shape{H}, Shape{H, H}, Shape{H}, Shape{1, H}, Shape{1}})
      params.push_back(uniform(s, -0.05, 0.05).to(d).set_requires_grad());
    opt = std::make_unique<nn::Adam>(params, nn::AdamOptions{.lr = 1e-3});
  }
  double step(const Tensor& ids, const Tensor& y) {
    opt->zero_grad();
    const int64_t B = ids.size(0);
    Tensor e = ops::embedding(params[0], ids, {.sparse_grad = true}).reshape({B, F * D});
    Tensor h = ops::relu(ops::linear(e, params[1], params[2]));
    h = ops::relu(ops::linear(h, params[3], params[4]));
    Tensor loss = ops::logloss(ops::linear(h, params[5], params[6]).reshape({B}), y);
    loss.backward();
    opt->step();
    return loss.item();  // the host reads the loss every step, as a training loop logs it
  }
};

void bench_ctr(Device d) {
  const int64_t B = 4096;
  CtrNet net(d);
  Tensor ids = randint(0, CtrNet::V, {B, CtrNet::F}).to(d);
  Tensor y = ops::gt(uniform({B}, 0, 1), 0.75).to(kFloat32).to(d);
  const double t = best_seconds(d, [&] { net.step(ids, y); }, 5);
  std::printf("%-8s ctr net step (B=%lld) %10.0f samples/s\n", d.str().c_str(), static_cast<long long>(B), B / t);
}

}  // namespace

int main() {
  bench(kCPU);
  bench_ctr(kCPU);
  if (!cuda_available()) {
    std::printf("no GPU visible: GPU figures skipped\n");
    return 0;
  }
  bench(Device::cuda(0));
  bench_ctr(Device::cuda(0));
  const AllocatorStats s = cuda::allocator_stats(0);
  std::printf("cuda:0 allocator: peak %.1f MiB in use, %.1f MiB cached, %llu cudaMalloc calls, %llu cache hits\n",
              s.peak_in_use_bytes / 1048576.0, s.cached_bytes / 1048576.0,
              static_cast<unsigned long long>(s.system_allocs), static_cast<unsigned long long>(s.cache_hits));
  return 0;
}
