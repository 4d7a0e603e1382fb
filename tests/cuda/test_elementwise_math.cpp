// The elementwise kernels' per-element logic, run on the host: the same index plan
// (ops/cuda/glue.h -> Strided<N>::offsets) and the same value functions
// (ops/cuda/elementwise_math.h) that ops/cuda/elementwise.cu runs on the GPU, driven by a
// plain loop in place of the grid, checked against the CPU backend's ops on broadcast,
// permuted, sliced and expanded operands. Outputs start as NaN (poisoned), so an element
// the plan misses fails.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "core/rng.h"
#include "ops/cuda/elementwise_math.h"
#include "ops/cuda/glue.h"
#include "ops/elementwise_cpu.h"
#include "ops/ops.h"

using namespace tg;
namespace cu = tg::ops::cuda;

namespace {

// What a GPU kernel does, one "thread" per linear index.
template <int N, class F> void run_plan(const Tensor& out, const std::array<const Tensor*, N>& operands, F&& body) {
  cu::Strided<N> ix = cu::plan_strided<N>(out.shape(), operands);
  for (int64_t i = 0; i < ix.numel; ++i) {
    int64_t off[N];
    ix.offsets(i, off);
    body(off);
  }
}

Tensor poisoned(const Shape& shape, DType dtype) {
  Tensor t = Tensor::empty(shape, {.dtype = dtype});
  t.fill_(is_floating(dtype) ? std::numeric_limits<double>::quiet_NaN() : -7);
  return t;
}

template <class T> Tensor host_binary(cu::Binary kind, const Tensor& a, const Tensor& b) {
  Tensor out = poisoned(ops::broadcast_shapes(a.shape(), b.shape(), "test"), a.dtype());
  T* o = out.data<T>();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  run_plan<3>(out, {&out, &a, &b}, [&](const int64_t* off) { o[off[0]] = cu::apply_binary(kind, pa[off[1]], pb[off[2]]); });
  return out;
}

template <class T> Tensor host_unary(cu::Unary kind, const Tensor& a, double p = 0, double q = 0) {
  Tensor out = poisoned(a.shape(), a.dtype());
  T* o = out.data<T>();
  const T* pa = a.data<T>();
  run_plan<2>(out, {&out, &a}, [&](const int64_t* off) { o[off[0]] = cu::apply_unary(kind, pa[off[1]], p, q); });
  return out;
}

void check_same(const Tensor& got, const Tensor& want, double rel = 0) {
  REQUIRE(got.shape() == want.shape());
  std::vector<double> g = got.to_vector(), w = want.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(w[i])) {
      CHECK(std::isnan(g[i]));
      continue;
    }
    INFO("element " << i << ": got " << g[i] << ", want " << w[i]);
    CHECK(std::abs(g[i] - w[i]) <= rel * std::abs(w[i]));
  }
}

// Operand pairs covering the plan's cases: equal contiguous shapes, broadcasting both ways,
// a permuted (transposed) view, a stepped slice, an expanded scalar, size-1 dims.
std::vector<std::pair<Tensor, Tensor>> operand_pairs(DType dtype, double lo, double hi) {
  auto r = [&](const Shape& s) { return uniform(s, lo, hi, {.dtype = dtype}); };
  std::vector<std::pair<Tensor, Tensor>> pairs;
  pairs.emplace_back(r({4, 5}), r({4, 5}));
  pairs.emplace_back(r({3, 1, 5}), r({4, 1}));
  pairs.emplace_back(r({5, 4}).t(), r({4, 5}));
  pairs.emplace_back(r({4, 10}).slice(1, 0, 10, 2), r({1, 5}));
  pairs.emplace_back(r({1}).expand({6, 7}), r({7, 6}).t());
  pairs.emplace_back(r({3, 1, 7}).expand({3, 4, 7}), r({4, 7}));
  pairs.emplace_back(r({2, 1, 3, 1}), r({2, 3, 3, 2}).permute({3, 2, 1, 0}).contiguous().permute({3, 2, 1, 0}));
  return pairs;
}

}  // namespace

TEST_CASE("cuda elementwise math: the kernel enums mirror the CPU enums") {
  CHECK(static_cast<int>(cu::Binary::Or) == static_cast<int>(ops::cpu::Binary::Or));
  CHECK(static_cast<int>(cu::Binary::Pow) == static_cast<int>(ops::cpu::Binary::Pow));
  CHECK(static_cast<int>(cu::Compare::Ge) == static_cast<int>(ops::cpu::Compare::Ge));
  CHECK(static_cast<int>(cu::Unary::Not) == static_cast<int>(ops::cpu::Unary::Not));
  CHECK(static_cast<int>(cu::Unary::PowScalar) == static_cast<int>(ops::cpu::Unary::PowScalar));
  CHECK(static_cast<int>(cu::Unary::Clamp) == static_cast<int>(ops::cpu::Unary::Clamp));
}

TEST_CASE("cuda elementwise math: binary ops over broadcast and strided operands match the CPU") {
  manual_seed(11);
  using F = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<cu::Binary, F>> cases = {
      {cu::Binary::Add, [](auto& a, auto& b) { return ops::add(a, b); }},
      {cu::Binary::Sub, [](auto& a, auto& b) { return ops::sub(a, b); }},
      {cu::Binary::Mul, [](auto& a, auto& b) { return ops::mul(a, b); }},
      {cu::Binary::Div, [](auto& a, auto& b) { return ops::div(a, b); }},
      {cu::Binary::Pow, [](auto& a, auto& b) { return ops::pow(a, b); }},
      {cu::Binary::Max, [](auto& a, auto& b) { return ops::maximum(a, b); }},
      {cu::Binary::Min, [](auto& a, auto& b) { return ops::minimum(a, b); }},
  };
  for (DType dtype : {kFloat32, kFloat64}) {
    for (auto& [a, b] : operand_pairs(dtype, 0.5, 2.0)) {
      for (auto& [kind, op] : cases) {
        CAPTURE(static_cast<int>(kind));
        Tensor want = op(a, b);
        Tensor got = dtype == kFloat32 ? host_binary<float>(kind, a, b) : host_binary<double>(kind, a, b);
        check_same(got, want);
      }
    }
  }
  // Integers: the same functions over int64 ids.
  Tensor ia = randint(-50, 50, {3, 4}), ib = randint(1, 9, {4});
  check_same(host_binary<int64_t>(cu::Binary::Add, ia, ib), ops::add(ia, ib));
  check_same(host_binary<int64_t>(cu::Binary::Mul, ia, ib), ops::mul(ia, ib));
}

TEST_CASE("cuda elementwise math: NaN propagates through max and min as on the CPU") {
  Tensor a = tensor({1.0, std::nan(""), 3.0}), b = tensor({std::nan(""), 2.0, 1.0});
  check_same(host_binary<float>(cu::Binary::Max, a, b), ops::maximum(a, b));
  check_same(host_binary<float>(cu::Binary::Min, a, b), ops::minimum(a, b));
}

TEST_CASE("cuda elementwise math: unary and scalar ops match the CPU") {
  manual_seed(12);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (DType dtype : {kFloat32, kFloat64}) {
    Tensor pos = uniform({6, 7}, 0.2, 3.0, {.dtype = dtype}).t();           // a strided view
    Tensor any = uniform({5, 8}, -3.0, 3.0, {.dtype = dtype}).slice(1, 1, 8, 3);
    auto both = [&](cu::Unary kind, const Tensor& x, const Tensor& want, double p = 0, double q = 0) {
      CAPTURE(static_cast<int>(kind));
      check_same(dtype == kFloat32 ? host_unary<float>(kind, x, p, q) : host_unary<double>(kind, x, p, q), want);
    };
    both(cu::Unary::Neg, any, ops::neg(any));
    both(cu::Unary::Exp, any, ops::exp(any));
    both(cu::Unary::Log, pos, ops::log(pos));
    both(cu::Unary::Sqrt, pos, ops::sqrt(pos));
    both(cu::Unary::Rsqrt, pos, ops::rsqrt(pos));
    both(cu::Unary::Abs, any, ops::abs(any));
    both(cu::Unary::Square, any, ops::square(any));
    both(cu::Unary::Reciprocal, pos, ops::reciprocal(pos));
    both(cu::Unary::Sign, any, ops::sign(any));
    both(cu::Unary::AddScalar, any, ops::add(any, 0.75), 0.75);
    both(cu::Unary::MulScalar, any, ops::mul(any, -1.5), -1.5);
    both(cu::Unary::RsubScalar, any, ops::rsub(2.0, any), 2.0);
    both(cu::Unary::RdivScalar, pos, ops::rdiv(2.0, pos), 2.0);
    both(cu::Unary::PowScalar, pos, ops::pow(pos, 2.5), 2.5);
    both(cu::Unary::PowScalar, any, ops::pow(any, 2.0), 2.0);
    both(cu::Unary::Clamp, any, ops::clamp(any, -1.0, 0.5), -1.0, 0.5);
    both(cu::Unary::Clamp, any, ops::clamp_min(any, 0.1), 0.1, nan);
    both(cu::Unary::Clamp, any, ops::clamp_max(any, 0.1), nan, 0.1);
  }
}

TEST_CASE("cuda elementwise math: comparisons, where and conversions match the CPU") {
  manual_seed(13);
  Tensor a = randint(0, 4, {3, 4}).to(kFloat32), b = randint(0, 4, {4}).to(kFloat32);
  using F = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<cu::Compare, F>> cases = {
      {cu::Compare::Eq, [](auto& x, auto& y) { return ops::eq(x, y); }},
      {cu::Compare::Ne, [](auto& x, auto& y) { return ops::ne(x, y); }},
      {cu::Compare::Lt, [](auto& x, auto& y) { return ops::lt(x, y); }},
      {cu::Compare::Le, [](auto& x, auto& y) { return ops::le(x, y); }},
      {cu::Compare::Gt, [](auto& x, auto& y) { return ops::gt(x, y); }},
      {cu::Compare::Ge, [](auto& x, auto& y) { return ops::ge(x, y); }},
  };
  for (auto& [kind, op] : cases) {
    Tensor out = poisoned({3, 4}, kBool);
    uint8_t* o = out.data<uint8_t>();
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    run_plan<3>(out, {&out, &a, &b}, [&](const int64_t* off) { o[off[0]] = cu::apply_compare(kind, pa[off[1]], pb[off[2]]); });
    check_same(out, op(a, b));
  }
  // where: the condition broadcast along rows, values transposed.
  Tensor cond = ops::gt(b, 1.5), x = uniform({4, 3}, -1, 1).t(), y = uniform({3, 4}, -1, 1);
  Tensor out = poisoned({3, 4}, kFloat32);
  float* o = out.data<float>();
  const uint8_t* pc = cond.data<uint8_t>();
  const float* px = x.data<float>();
  const float* py = y.data<float>();
  run_plan<4>(out, {&out, &cond, &x, &y}, [&](const int64_t* off) { o[off[0]] = pc[off[1]] ? px[off[2]] : py[off[3]]; });
  check_same(out, ops::where(cond, x, y));
  // Conversions, as copy_ and to(dtype) run them: float -> int64 truncates, -> bool is != 0.
  Tensor f = uniform({2, 5}, -3, 3);
  Tensor as_int = poisoned({2, 5}, kInt64);
  Tensor as_bool = poisoned({2, 5}, kBool);
  run_plan<2>(as_int, {&as_int, &f}, [&](const int64_t* off) {
    as_int.data<int64_t>()[off[0]] = cu::convert<int64_t, float>(f.data<float>()[off[1]], false);
  });
  run_plan<2>(as_bool, {&as_bool, &f}, [&](const int64_t* off) {
    as_bool.data<uint8_t>()[off[0]] = cu::convert<uint8_t, float>(f.data<float>()[off[1]], true);
  });
  check_same(as_int, f.to(kInt64));
  check_same(as_bool, f.to(kBool));
}
