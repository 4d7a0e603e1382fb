// norm ops (l2_norm, normalize, cosine_similarity, pairwise_cosine): forward values by
// hand, the PyTorch 1.13 eps rule, finite gradients at zero vectors, finite differences
// (float64) with broadcasting and non-contiguous inputs, errors.
#include <doctest/doctest.h>

#include <cmath>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::strided_input;

namespace {
Tensor f64(const std::vector<double>& v, const Shape& shape) { return from_vector(v, shape); }

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector())
    if (!std::isfinite(v)) return false;
  return true;
}
}  // namespace

TEST_CASE("l2_norm and normalize forward by hand") {
  Tensor x = f64({3, 4, 0, 0, 1, 0}, {3, 2});
  Tensor n = ops::l2_norm(x, 1);
  CHECK(n.shape() == Shape{3});
  CHECK(n.to_vector() == std::vector<double>{5, 0, 1});
  CHECK(ops::l2_norm(x, 1, true).shape() == Shape{3, 1});
  CHECK(ops::l2_norm(x, 0).at({0}) == doctest::Approx(std::sqrt(10.0)));

  Tensor u = ops::normalize(x, 1);
  CHECK(u.at({0, 0}) == doctest::Approx(0.6));
  CHECK(u.at({0, 1}) == doctest::Approx(0.8));
  CHECK(u.at({1, 0}) == 0.0);  // zero vector stays zero (divided by eps)
  CHECK(u.at({2, 0}) == 1.0);
  // tiny vectors are divided by eps, not by their norm
  Tensor tiny = f64({3e-3, 4e-3}, {2});
  CHECK(ops::normalize(tiny, 0, 0.1).at({1}) == doctest::Approx(4e-2));
  // float32 works too
  CHECK(ops::l2_norm(tensor({3.f, 4.f}), 0).item() == doctest::Approx(5.0));
}

TEST_CASE("cosine similarity forward: parallel 1, opposite -1, orthogonal 0, broadcasting") {
  Tensor a = f64({1, 2, 3, 1, 0, 0}, {2, 3});
  Tensor b = f64({2, 4, 6, 0, 5, 0}, {2, 3});
  Tensor c = ops::cosine_similarity(a, b);
  CHECK(c.shape() == Shape{2});
  CHECK(c.at({0}) == doctest::Approx(1.0));  // parallel vectors
  CHECK(c.at({1}) == doctest::Approx(0.0));
  CHECK(ops::cosine_similarity(a, ops::neg(a)).at({0}) == doctest::Approx(-1.0));
  CHECK(ops::cosine_similarity(tensor({1.f, 1.f}), tensor({1.f, 0.f}), 0).item() == doctest::Approx(std::sqrt(0.5)));
  // broadcasting [2, 3] with [3]; dim refers to the broadcast shape
  Tensor bc = ops::cosine_similarity(a, f64({1, 0, 0}, {3}), -1);
  CHECK(bc.shape() == Shape{2});
  CHECK(bc.at({0}) == doctest::Approx(1.0 / std::sqrt(14.0)));
  CHECK(bc.at({1}) == doctest::Approx(1.0));
  // over dim 0
  Tensor c0 = ops::cosine_similarity(a, b, 0);
  CHECK(c0.shape() == Shape{3});
  CHECK(c0.at({2}) == doctest::Approx(1.0));
}

TEST_CASE("cosine similarity follows PyTorch 1.13's eps rule: each norm clamped on its own") {
  // ||a|| = ||b|| = 1e-9 < eps = 1e-8: 1.13 gives (1e-9 / 1e-8)^2 = 0.01; the old rule
  // <a, b> / max(||a|| ||b||, eps) would give 1e-10.
  Tensor a = f64({1e-9, 0}, {2}), b = f64({1e-9, 0}, {2});
  CHECK(ops::cosine_similarity(a, b, 0).item() == doctest::Approx(0.01));
  // a zero vector gives 0, not NaN
  Tensor z = f64({0, 0}, {2});
  CHECK(ops::cosine_similarity(z, f64({1, 2}, {2}), 0).item() == 0.0);
  CHECK(ops::cosine_similarity(z, z, 0).item() == 0.0);
  // broadcasting happens before the norms: a [1] against b [3] along dim 0 is a repeated
  Tensor r = ops::cosine_similarity(f64({2}, {1}), f64({1, 1, 1}, {3}), 0);
  CHECK(r.item() == doctest::Approx(1.0));
}

TEST_CASE("pairwise cosine equals cosine similarity of every pair of rows") {
  Generator gen(8);
  Tensor a = randn({3, 5}, {.dtype = kFloat64}, &gen), b = randn({4, 5}, {.dtype = kFloat64}, &gen);
  Tensor p = ops::pairwise_cosine(a, b);
  CHECK(p.shape() == Shape{3, 4});
  Tensor ref = ops::cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), -1);
  CHECK(tg::testing::max_abs_diff(p, ref) < 1e-14);
  CHECK(p.at({1, 2}) == doctest::Approx(ops::cosine_similarity(a.select(0, 1), b.select(0, 2), 0).item()));
  Tensor self = ops::pairwise_cosine(a, a);
  for (int64_t i = 0; i < 3; ++i) CHECK(self.at({i, i}) == doctest::Approx(1.0));
}

TEST_CASE("norm errors name the op and the shapes") {
  Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(ops::l2_norm(x, 2), doctest::Contains("l2_norm: dimension 2 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::l2_norm(zeros({2}, {.dtype = kInt64}), 0), doctest::Contains("l2_norm: needs a float32"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::normalize(x, -3), doctest::Contains("normalize: dimension -3 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::cosine_similarity(x, zeros({4})),
                       doctest::Contains("cosine_similarity: shapes [2,3] and [4] cannot be broadcast"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::cosine_similarity(x, zeros({2, 3}, {.dtype = kFloat64})),
                       doctest::Contains("cosine_similarity: dtypes differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::pairwise_cosine(zeros({4, 3}), zeros({5, 2})),
                       doctest::Contains("pairwise_cosine: [4,3] and [5,2]: vector sizes 3 and 2 differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::pairwise_cosine(zeros({4, 3, 1}), zeros({5, 3})),
                       doctest::Contains("pairwise_cosine: expected a [B, Z] and b [M, Z], got [4,3,1] and [5,3]"),
                       tg::Error);
}

TEST_CASE("gradcheck l2_norm") {
  Tensor a = input({3, 4}, 61);
  CHECK(gradcheck([](const TensorList& in) { return ops::l2_norm(in[0], 1); }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return ops::l2_norm(in[0], 0, true); }, {a}));
  Tensor s = strided_input({4, 3}, 0, 62);
  CHECK(gradcheck([](const TensorList& in) { return ops::l2_norm(in[0], -1); }, {s}));
  // zero subgradient at the zero vector: exactly 0, finite
  Tensor z = zeros({2, 3}, {.dtype = kFloat64, .requires_grad = true});
  ops::sum(ops::l2_norm(z, 1)).backward();
  CHECK(z.grad().to_vector() == std::vector<double>(6, 0.0));
}

TEST_CASE("gradcheck normalize") {
  Tensor a = input({3, 4}, 63);
  CHECK(gradcheck([](const TensorList& in) { return ops::normalize(in[0], 1); }, {a}));
  Tensor s = strided_input({2, 5}, 1, 64);
  CHECK(gradcheck([](const TensorList& in) { return ops::normalize(in[0], 0); }, {s}));
  // a vector below eps (norm ~0.1 < 0.5): the clamped branch x / eps
  Tensor small = input({1, 3}, 65, 0.04, 0.08);
  CHECK(gradcheck([](const TensorList& in) { return ops::normalize(in[0], 1, 0.5); }, {small}));
}

TEST_CASE("gradcheck cosine similarity") {
  Tensor a = input({3, 4}, 66), b = input({3, 4}, 67);
  CHECK(gradcheck([](const TensorList& in) { return ops::cosine_similarity(in[0], in[1]); }, {a, b}));
  // broadcasting: [2, 1, 5] with [3, 5] -> [2, 3]
  Tensor c = input({2, 1, 5}, 68), d = input({3, 5}, 69);
  CHECK(gradcheck([](const TensorList& in) { return ops::cosine_similarity(in[0], in[1], -1); }, {c, d}));
  // over dim 0, one input non-contiguous
  Tensor e = strided_input({4, 3}, 0, 70), f = input({4, 3}, 71);
  CHECK(gradcheck([](const TensorList& in) { return ops::cosine_similarity(in[0], in[1], 0); }, {e, f}));
}

TEST_CASE("gradcheck cosine similarity pairwise") {
  Tensor a = input({3, 4}, 72), b = input({5, 4}, 73);
  CHECK(gradcheck([](const TensorList& in) { return ops::pairwise_cosine(in[0], in[1]); }, {a, b}));
  Tensor s = strided_input({2, 4}, 1, 74);
  CHECK(gradcheck([](const TensorList& in) { return ops::pairwise_cosine(in[0], in[1], 1e-6); }, {s, b}));
}

TEST_CASE("cosine gradient at a zero vector is finite") {
  // a = 0: cos = 0 and d cos / da = (b / ||b||) / eps (the denominator is the constant eps);
  // nothing flows to b, since a / max(||a||, eps) = 0.
  double eps = 1e-3;
  Tensor a = zeros({2, 3}, {.dtype = kFloat64, .requires_grad = true});
  Tensor b = f64({1, 2, 2, 0, 3, 4}, {2, 3}).set_requires_grad(true);
  Tensor c = ops::cosine_similarity(a, b, 1, eps);
  CHECK(c.to_vector() == std::vector<double>{0, 0});
  ops::sum(c).backward();
  REQUIRE(a.grad().defined());
  CHECK(all_finite(a.grad()));
  CHECK(all_finite(b.grad()));
  CHECK(a.grad().at({0, 1}) == doctest::Approx(2.0 / 3.0 / eps));
  CHECK(a.grad().at({1, 2}) == doctest::Approx(4.0 / 5.0 / eps));
  CHECK(b.grad().to_vector() == std::vector<double>(6, 0.0));
  // both zero, default eps, and pairwise with a zero row
  Tensor z1 = zeros({3}, {.dtype = kFloat64, .requires_grad = true});
  Tensor z2 = zeros({3}, {.dtype = kFloat64, .requires_grad = true});
  ops::cosine_similarity(z1, z2, 0).backward();
  CHECK(z1.grad().to_vector() == std::vector<double>(3, 0.0));
  Tensor p = f64({0, 0, 1, 1}, {2, 2}).set_requires_grad(true);
  Tensor q = f64({1, 0, 0, 0}, {2, 2}).set_requires_grad(true);
  ops::sum(ops::pairwise_cosine(p, q)).backward();
  CHECK(all_finite(p.grad()));
  CHECK(all_finite(q.grad()));
}
