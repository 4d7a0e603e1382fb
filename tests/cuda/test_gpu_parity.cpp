// GPU parity: every op with a CUDA kernel, run on the GPU and on the CPU from the same
// random inputs (never zeros), results and gradients compared. Device blocks are poisoned
// (0xFF bytes: NaN) before any kernel writes them, so an element a kernel leaves unwritten
// fails. Without a GPU each test says so in a MESSAGE and passes; on a GPU machine they run
// for real (scripts/gpu-check).
//
// Tolerances. Elementwise float32: relative 1e-5 (CUDA's expf/logf/powf are within 2 ulp,
// 2.4e-7). Reductions: both sides accumulate in double, in different orders: relative
// 1e-5. GEMM: each output is a K-term dot product rounded in float32 on both sides, in
// different orders (cuBLAS tiles K); for inputs in [-2, 2] the typical difference grows
// like sqrt(K) * 4 * 2^-24 * sqrt(K) and the worst case like K^2 * 2^-22, so the bound is
// atol = 4e-6 * K: ten times the typical difference at the K used here, while an element
// computed from the wrong operands is off by O(1).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "core/cuda/runtime.h"
#include "core/rng.h"
#include "ops/ops.h"

using namespace tg;

namespace {

const Device kGpu = Device::cuda(0);

bool have_gpu() {
  if (!cuda_available()) {
    MESSAGE("no GPU visible (cuda_built=" << cuda_built() << "): GPU parity test skipped");
    return false;
  }
  cuda::set_poison_allocations(true);
  return true;
}

Tensor gpu(const Tensor& t) { return t.to(kGpu); }

// max |got - want| <= atol + rtol * |want| elementwise, got moved back from the GPU.
void check_close(const Tensor& got, const Tensor& want, double rtol, double atol = 0) {
  REQUIRE(got.device() == kGpu);
  REQUIRE(got.shape() == want.shape());
  REQUIRE(got.dtype() == want.dtype());
  std::vector<double> g = got.to_vector(), w = want.to_vector();
  int bad = 0;
  for (size_t i = 0; i < g.size() && bad < 5; ++i) {
    const bool ok = std::isnan(w[i]) ? std::isnan(g[i]) : std::abs(g[i] - w[i]) <= atol + rtol * std::abs(w[i]);
    if (!ok) {
      ++bad;
      FAIL_CHECK("element " << i << ": GPU " << g[i] << ", CPU " << w[i]);
    }
  }
}

// Random float operands in [lo, hi] on the CPU, away from zero when lo > 0.
Tensor rnd(const Shape& s, double lo = -2, double hi = 2, DType dtype = kFloat32) {
  return uniform(s, lo, hi, {.dtype = dtype});
}

}  // namespace

TEST_CASE("gpu parity: to(device) round trips are exact, views included") {
  if (!have_gpu()) return;
  manual_seed(31);
  Tensor f = rnd({7, 9});
  CHECK(gpu(f).to(kCPU).to_vector() == f.to_vector());
  Tensor strided = rnd({6, 10}).t().slice(0, 1, 9, 2);
  CHECK(gpu(strided).to(kCPU).to_vector() == strided.to_vector());
  Tensor ids = randint(-100, 100, {33});
  CHECK(gpu(ids).to(kCPU).to_vector() == ids.to_vector());
  Tensor mask = ops::gt(rnd({5}), 0.0);
  CHECK(gpu(mask).to(kCPU).to_vector() == mask.to_vector());
  CHECK(gpu(f).item() == f.item());
  CHECK(gpu(f).at({3, 4}) == f.at({3, 4}));
}

TEST_CASE("gpu parity: binary, unary, compare, where on broadcast and strided operands") {
  if (!have_gpu()) return;
  manual_seed(32);
  for (DType dt : {kFloat32, kFloat64}) {
    Tensor a = rnd({4, 1, 6}, 0.5, 2, dt), b = rnd({6, 3}, 0.5, 2, dt).t();  // b: [3, 6] transposed view
    using F = std::function<Tensor(const Tensor&, const Tensor&)>;
    for (const F& f : std::vector<F>{
             [](auto& x, auto& y) { return ops::add(x, y); }, [](auto& x, auto& y) { return ops::sub(x, y); },
             [](auto& x, auto& y) { return ops::mul(x, y); }, [](auto& x, auto& y) { return ops::div(x, y); },
             [](auto& x, auto& y) { return ops::pow(x, y); }, [](auto& x, auto& y) { return ops::maximum(x, y); },
             [](auto& x, auto& y) { return ops::minimum(x, y); },
             [](auto& x, auto& y) { return ops::where(ops::gt(x, 1.0), x, y); }})
      check_close(f(gpu(a), gpu(b)), f(a, b), 1e-5);
    using U = std::function<Tensor(const Tensor&)>;
    for (const U& f : std::vector<U>{
             [](auto& x) { return ops::exp(x); }, [](auto& x) { return ops::log(x); },
             [](auto& x) { return ops::sqrt(x); }, [](auto& x) { return ops::rsqrt(x); },
             [](auto& x) { return ops::neg(x); }, [](auto& x) { return ops::abs(ops::sub(x, 1.2)); },
             [](auto& x) { return ops::reciprocal(x); }, [](auto& x) { return ops::pow(x, 2.5); },
             [](auto& x) { return ops::clamp(x, 0.8, 1.5); }, [](auto& x) { return ops::rsub(3.0, x); },
             [](auto& x) { return ops::sign(ops::sub(x, 1.0)); }})
      check_close(f(gpu(b)), f(b), 1e-5);
    check_close(ops::lt(gpu(a), gpu(b)), ops::lt(a, b), 0);
    check_close(ops::eq(gpu(a), gpu(a)), ops::eq(a, a), 0);
  }
}

TEST_CASE("gpu parity: fill, copy_, to(dtype), contiguous, in-place add_ and mul_") {
  if (!have_gpu()) return;
  manual_seed(33);
  Tensor x = rnd({5, 8});
  check_close(full({3, 4}, 1.25, {.device = kGpu}), full({3, 4}, 1.25), 0);
  check_close(gpu(x).to(kInt64), x.to(kInt64), 0);
  check_close(gpu(x).to(kBool), x.to(kBool), 0);
  check_close(gpu(x).to(kFloat64), x.to(kFloat64), 0);
  check_close(gpu(x).t().contiguous(), x.t().contiguous(), 0);
  Tensor y = gpu(x).clone(), yc = x.clone();
  {
    NoGradGuard g;
    y.add_(gpu(x), 0.5).mul_(3.0);
    yc.add_(x, 0.5).mul_(3.0);
  }
  check_close(y, yc, 1e-6);
  Tensor z = zeros({2, 5, 8}, {.device = kGpu}), zc = zeros({2, 5, 8});
  {
    NoGradGuard g;
    z.copy_(gpu(x));
    zc.copy_(x);
  }
  check_close(z, zc, 0);
}

TEST_CASE("gpu parity: concat, stack, split, repeat and their gradients") {
  if (!have_gpu()) return;
  manual_seed(38);
  Tensor a = rnd({3, 4}), b = rnd({3, 2}), c = rnd({4, 3}).t();
  Tensor ac = a.clone().set_requires_grad(), ag = gpu(a).set_requires_grad();
  Tensor outc = ops::concat({ac, b, c.slice(1, 0, 2)}, 1), outg = ops::concat({ag, gpu(b), gpu(c).slice(1, 0, 2)}, 1);
  check_close(outg, outc, 0);
  check_close(ops::stack({gpu(a), gpu(c.slice(1, 0, 4))}, 0), ops::stack({a, c.slice(1, 0, 4)}, 0), 0);
  check_close(ops::split(gpu(a), 3, 1)[1], ops::split(a, 3, 1)[1], 0);
  Tensor rc = ops::repeat(ac, {2, 1, 3}), rg = ops::repeat(ag, {2, 1, 3});
  check_close(rg, rc, 0);
  Tensor g = rnd(rc.shape());
  ops::sum(ops::mul(rc, g)).backward();
  ops::sum(ops::mul(rg, gpu(g))).backward();
  check_close(ag.grad(), ac.grad(), 1e-6);
}

TEST_CASE("gpu parity: index_select along each dim, repeated indices, and its deterministic backward") {
  if (!have_gpu()) return;
  manual_seed(39);
  Tensor x = rnd({5, 6, 4});
  Tensor idx = tensor({4, 0, 4, 2, 4}, {.dtype = kInt64});
  for (int64_t d : {0, 1, 2}) {
    CAPTURE(d);
    Tensor i = d == 2 ? tensor({3, 3, 0}, {.dtype = kInt64}) : idx;
    Tensor xc = x.clone().set_requires_grad(), xg = gpu(x).set_requires_grad();
    Tensor yc = ops::index_select(xc, d, i), yg = ops::index_select(xg, d, gpu(i));
    check_close(yg, yc, 0);
    Tensor g = rnd(yc.shape());
    ops::sum(ops::mul(yc, g)).backward();
    ops::sum(ops::mul(yg, gpu(g))).backward();
    check_close(xg.grad(), xc.grad(), 1e-6, 1e-7);
  }
}

TEST_CASE("gpu parity: sum, mean, max, min over dims") {
  if (!have_gpu()) return;
  manual_seed(34);
  for (const Shape& s : {Shape{1000}, Shape{37, 513}, Shape{4, 300, 5}, Shape{3, 4, 5, 6}}) {
    Tensor x = rnd(s);
    Tensor xg = gpu(x);
    check_close(ops::sum(xg), ops::sum(x), 1e-5);
    check_close(ops::mean(xg), ops::mean(x), 1e-5);
    check_close(ops::max(xg), ops::max(x), 0);
    check_close(ops::min(xg), ops::min(x), 0);
    for (int d = 0; d < x.dim(); ++d) {
      check_close(ops::sum(xg, d), ops::sum(x, d), 1e-5, 1e-5);
      check_close(ops::mean(xg, d, true), ops::mean(x, d, true), 1e-5, 1e-6);
    }
    if (x.dim() >= 3) check_close(ops::sum(xg, Shape{0, 2}), ops::sum(x, Shape{0, 2}), 1e-5, 1e-5);  // not adjacent
  }
  Tensor ids = randint(-50, 50, {40, 7});
  check_close(ops::sum(gpu(ids), 0), ops::sum(ids, 0), 0);
}

TEST_CASE("gpu parity: max and min over a dim with indices and masks, and their backward") {
  if (!have_gpu()) return;
  manual_seed(40);
  Tensor x = rnd({4, 7, 5});
  Tensor mask = ops::gt(rnd({4, 7, 5}, 0, 1), 0.3);
  for (int64_t k = 0; k < 7; ++k) mask.set({2, k, 3}, 0);  // one line with nothing kept: index -1
  for (int64_t dim : {0, 1, 2}) {
    for (bool is_max : {true, false}) {
      for (bool masked : {false, true}) {
        CAPTURE(dim);
        Tensor xc = x.clone().set_requires_grad(), xg = gpu(x).set_requires_grad();
        Tensor mc = masked ? mask : Tensor(), mg = masked ? gpu(mask) : Tensor();
        ops::MaxResult rc = is_max ? ops::max(xc, dim, false, mc) : ops::min(xc, dim, false, mc);
        ops::MaxResult rg = is_max ? ops::max(xg, dim, false, mg) : ops::min(xg, dim, false, mg);
        check_close(rg.values, rc.values, 0);
        check_close(rg.indices, rc.indices, 0);
        Tensor g = rnd(rc.values.shape());
        ops::sum(ops::mul(rc.values, g)).backward();
        ops::sum(ops::mul(rg.values, gpu(g))).backward();
        check_close(xg.grad(), xc.grad(), 0);
      }
    }
  }
}

TEST_CASE("gpu parity: matmul, bmm and linear through cuBLAS (plain, transposed, batched, broadcast)") {
  if (!have_gpu()) return;
  manual_seed(35);
  // atol 4e-6 * K (see the top of this file).
  auto tol = [](int64_t k) { return 1e-6 * 4.0 * static_cast<double>(k); };
  struct Case {
    Shape a, b;
  };
  for (const Case& c : {Case{{5, 7}, {7, 3}}, Case{{64, 130}, {130, 33}}, Case{{3, 5, 7}, {3, 7, 4}},
                        Case{{3, 5, 7}, {7, 4}}, Case{{2, 1, 5, 6}, {1, 3, 6, 2}}, Case{{7}, {7, 3}},
                        Case{{4, 6}, {6}}}) {
    Tensor a = rnd(c.a), b = rnd(c.b);
    const int64_t k = c.a[c.a.size() - 1];
    check_close(ops::matmul(gpu(a), gpu(b)), ops::matmul(a, b), 0, tol(k));
  }
  // Transposed operands: GEMM flags, no copies.
  Tensor a = rnd({9, 12}), b = rnd({10, 9});
  check_close(ops::matmul(gpu(a).t(), gpu(b).t()), ops::matmul(a.t(), b.t()), 0, tol(9));
  Tensor x = rnd({6, 4, 12}), w = rnd({5, 12}), bias = rnd({5});
  check_close(ops::linear(gpu(x), gpu(w), gpu(bias)), ops::linear(x, w, bias), 0, tol(12));
  check_close(ops::linear(gpu(x), gpu(w), Tensor()), ops::linear(x, w, Tensor()), 0, tol(12));
}

TEST_CASE("gpu parity: gradients of a composite through matmul, broadcasting and reductions") {
  if (!have_gpu()) return;
  manual_seed(36);
  Tensor a = rnd({6, 8}), b = rnd({8, 5}), c = rnd({5}, 0.5, 1.5);
  auto loss = [](const Tensor& x, const Tensor& y, const Tensor& z) {
    Tensor h = ops::mul(ops::matmul(x, y), z);          // broadcast over rows
    return ops::mean(ops::sub(ops::exp(ops::mul(h, 0.1)), ops::square(h)));
  };
  auto leaves = [](std::vector<Tensor> ts) {
    for (Tensor& t : ts) t.set_requires_grad();
    return ts;
  };
  std::vector<Tensor> cpu_in = leaves({a.clone(), b.clone(), c.clone()});
  std::vector<Tensor> gpu_in = leaves({gpu(a), gpu(b), gpu(c)});
  Tensor lc = loss(cpu_in[0], cpu_in[1], cpu_in[2]);
  Tensor lg = loss(gpu_in[0], gpu_in[1], gpu_in[2]);
  check_close(lg, lc, 1e-5);
  lc.backward();
  lg.backward();
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    REQUIRE(gpu_in[i].grad().defined());
    check_close(gpu_in[i].grad(), cpu_in[i].grad(), 1e-4, 1e-6);
  }
}

TEST_CASE("gpu parity: the caching allocator calls cudaMalloc only in the first step") {
  if (!have_gpu()) return;
  manual_seed(37);
  Tensor w = gpu(rnd({32, 16})), x = gpu(rnd({64, 32}));
  auto step = [&] {
    Tensor wl = w.detach().set_requires_grad();
    Tensor l = ops::mean(ops::square(ops::matmul(x, wl)));
    l.backward();
    return l.item();
  };
  step();
  const uint64_t after_first = cuda::allocator_stats(0).system_allocs;
  for (int i = 0; i < 3; ++i) step();
  const AllocatorStats s = cuda::allocator_stats(0);
  CHECK(s.system_allocs == after_first);
  CHECK(s.cache_hits > 0);
  MESSAGE("cuda:0 allocator: peak " << s.peak_in_use_bytes << " B in use, " << s.cached_bytes << " B cached, "
                                    << s.system_allocs << " cudaMalloc calls");
}

TEST_CASE("gpu parity: an op without a CUDA kernel fails naming the op") {
  if (!have_gpu()) return;
  Tensor x = gpu(rnd({3, 4}));
  Tensor idx = gpu(tensor({0, 1, 2}, {.dtype = kInt64}).reshape({3, 1}));
  CHECK_THROWS_WITH_AS(ops::gather(x, 1, idx), doctest::Contains("gather: no CUDA kernel"), Error);
}
