// clip_grad_norm_ / grad_norm / clip_grad_value_ (as torch.nn.utils).
#include <doctest/doctest.h>

#include <cmath>

#include "tests/nn/optim/optim_test_util.h"

using namespace tg;
using namespace optim_test;

TEST_CASE("clip_grad_norm_: total norm and scaling by max_norm / (total + 1e-6)") {
  Tensor a = param2(0, 0), b = param2(0, 0), none = param2(0, 0);
  grad_const(a, 3, 0);
  grad_const(b, 0, 4);
  CHECK(nn::grad_norm({a, b, none}) == doctest::Approx(5.0).epsilon(1e-15));  // sqrt(9 + 16)
  CHECK(nn::grad_norm({a, b}, 1.0) == doctest::Approx(7.0).epsilon(1e-15));   // 3 + 4
  CHECK(a.grad().at({0}) == 3.0);                                              // grad_norm does not clip
  const double total = nn::clip_grad_norm_({a, b, none}, 1.0);
  CHECK(total == doctest::Approx(5.0).epsilon(1e-15));
  CHECK(a.grad().at({0}) == doctest::Approx(3.0 / (5 + 1e-6)).epsilon(1e-15));
  CHECK(b.grad().at({1}) == doctest::Approx(4.0 / (5 + 1e-6)).epsilon(1e-15));
  CHECK(!none.grad().defined());
  // Below the limit nothing changes: total = 5 / (5 + 1e-6).
  CHECK(nn::clip_grad_norm_({a, b}, 10.0) == doctest::Approx(5.0 / (5 + 1e-6)).epsilon(1e-15));
  CHECK(a.grad().at({0}) == doctest::Approx(3.0 / (5 + 1e-6)).epsilon(1e-15));
  // Infinity norm: the largest |g|, 4 / (5 + 1e-6).
  CHECK(nn::clip_grad_norm_({a, b}, 100.0, INFINITY) == doctest::Approx(4.0 / (5 + 1e-6)).epsilon(1e-15));
  // 3-norm of (2, 0, 0, 2): (8 + 8)^(1/3) = 2.5198421; clipped to 1 scales by 1 / 2.5198431.
  Tensor c = param2(0, 0), d = param2(0, 0);
  grad_const(c, 2, 0);
  grad_const(d, 0, -2);
  CHECK(nn::clip_grad_norm_({c, d}, 1.0, 3.0) == doctest::Approx(std::cbrt(16.0)).epsilon(1e-14));
  CHECK(d.grad().at({1}) == doctest::Approx(-2.0 / (std::cbrt(16.0) + 1e-6)).epsilon(1e-14));
}

TEST_CASE("clip_grad_norm_: sparse gradients count their rows and stay sparse; float32; strided grads") {
  Tensor table = zeros({10, 2}).set_requires_grad(true);
  ops::sum(ops::embedding(table, from_vector(std::vector<int64_t>{7, 2, 7}, {3}), {.sparse_grad = true})).backward();
  // Row 7 gets (2, 2), row 2 gets (1, 1): sqrt(4 + 4 + 1 + 1) = sqrt(10).
  CHECK(nn::clip_grad_norm_({table}, 1.0) == doctest::Approx(std::sqrt(10.0)).epsilon(1e-7));
  REQUIRE(table.grad().is_row_sparse());
  CHECK(nn::grad_norm({table}) == doctest::Approx(1.0).epsilon(1e-6));

  // A gradient set as a transposed view is made contiguous, then clipped.
  Tensor w = zeros({2, 3}).set_requires_grad(true);
  w.set_grad(from_vector(std::vector<float>{3, 0, 0, 0, 4, 0}, {3, 2}).t());  // [[3,0,4],[0,0,0]]
  CHECK(nn::clip_grad_norm_({w}, 2.5) == doctest::Approx(5.0));
  CHECK(w.grad().is_contiguous());
  CHECK(w.grad().at({0, 2}) == doctest::Approx(2.0).epsilon(1e-6));
}

TEST_CASE("clip_grad_norm_: many blocks (threads) sum like one sequential pass") {
  const int64_t n = 5 * kParallelGrain + 17;
  Tensor big = zeros({n}, {.dtype = kFloat64}).set_requires_grad(true);
  Tensor g = rand({n}, {.dtype = kFloat64});
  big.set_grad(g.clone());
  double expect = 0;
  for (double x : g.to_vector()) expect += x * x;
  CHECK(nn::grad_norm({big}) == doctest::Approx(std::sqrt(expect)).epsilon(1e-12));
  const double total = nn::clip_grad_norm_({big}, 1.0);
  CHECK(nn::grad_norm({big}) == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(big.grad().at({n - 1}) == doctest::Approx(g.at({n - 1}) / (total + 1e-6)).epsilon(1e-14));
}

TEST_CASE("clip_grad_norm_: a non-finite norm is returned and the gradients are left as they are") {
  Tensor a = param2(0, 0);
  a.set_grad(from_vector(std::vector<double>{NAN, 1.0}, {2}));
  CHECK(std::isnan(nn::clip_grad_norm_({a}, 1.0)));
  CHECK(a.grad().at({1}) == 1.0);
  a.set_grad(from_vector(std::vector<double>{INFINITY, 1.0}, {2}));
  CHECK(std::isinf(nn::clip_grad_norm_({a}, 1.0)));
  CHECK(a.grad().at({1}) == 1.0);
  CHECK_THROWS_WITH_AS(nn::clip_grad_norm_({a}, 0.0), doctest::Contains("max_norm must be positive"), Error);
  CHECK_THROWS_WITH_AS(nn::clip_grad_norm_({a}, 1.0, -2), doctest::Contains("norm_type must be positive"), Error);
}

TEST_CASE("clip_grad_value_: clamps every element") {
  Tensor a = param2(0, 0);
  grad_const(a, 0.5, -3);
  nn::clip_grad_value_({a}, 0.1);
  CHECK(a.grad().at({0}) == doctest::Approx(0.1));
  CHECK(a.grad().at({1}) == doctest::Approx(-0.1));
  CHECK_THROWS_WITH_AS(nn::clip_grad_value_({a}, -1), doctest::Contains("clip_value must be >= 0"), Error);
}
