// Elementwise ops: forward values by hand, gradients by finite differences (float64),
// including broadcasting and non-contiguous inputs.
#include <doctest/doctest.h>

#include <cmath>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::input_away_from_zero;
using tg::testing::strided_input;

TEST_CASE("elementwise forward: add/sub/mul/div with broadcasting by hand") {
  Tensor a = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = tensor({10, 20, 30});
  CHECK((a + b).to_vector() == std::vector<double>{11, 22, 33, 14, 25, 36});
  CHECK((a - b).to_vector() == std::vector<double>{-9, -18, -27, -6, -15, -24});
  CHECK((a * b).to_vector() == std::vector<double>{10, 40, 90, 40, 100, 180});
  Tensor col = from_vector(std::vector<float>{2, 4}, {2, 1});
  CHECK((a / col).to_vector() == std::vector<double>{0.5, 1, 1.5, 1, 1.25, 1.5});
  CHECK((2.0 - a).to_vector() == std::vector<double>{1, 0, -1, -2, -3, -4});
  CHECK((a * 2.0).shape() == Shape{2, 3});
  CHECK(ops::pow(a, 2.0).to_vector() == std::vector<double>{1, 4, 9, 16, 25, 36});
}

TEST_CASE("elementwise forward: unary functions and clamp by hand") {
  Tensor x = tensor({-2.0, -0.5, 0.0, 0.5, 4.0}, {.dtype = kFloat64});
  CHECK(ops::abs(x).to_vector() == std::vector<double>{2, 0.5, 0, 0.5, 4});
  CHECK(ops::neg(x).to_vector() == std::vector<double>{2, 0.5, -0.0, -0.5, -4});
  CHECK(ops::clamp(x, -1, 1).to_vector() == std::vector<double>{-1, -0.5, 0, 0.5, 1});
  CHECK(ops::clamp_min(x, 0).to_vector() == std::vector<double>{0, 0, 0, 0.5, 4});
  CHECK(ops::sign(x).to_vector() == std::vector<double>{-1, -1, 0, 1, 1});
  Tensor p = tensor({1.0, 4.0, 9.0}, {.dtype = kFloat64});
  CHECK(ops::sqrt(p).to_vector() == std::vector<double>{1, 2, 3});
  CHECK(ops::rsqrt(p).to_vector()[1] == doctest::Approx(0.5));
  CHECK(ops::exp(p).to_vector()[0] == doctest::Approx(std::exp(1.0)));
  CHECK(ops::log(p).to_vector()[2] == doctest::Approx(std::log(9.0)));
}

TEST_CASE("elementwise forward: where, masked_fill and comparisons") {
  Tensor a = tensor({1, 2, 3, 4});
  Tensor m = ops::gt(a, 2.0);
  CHECK(m.dtype() == kBool);
  CHECK(m.to_vector() == std::vector<double>{0, 0, 1, 1});
  CHECK(ops::where(m, a, ops::neg(a)).to_vector() == std::vector<double>{-1, -2, 3, 4});
  CHECK(ops::masked_fill(a, m, -9).to_vector() == std::vector<double>{1, 2, -9, -9});
  CHECK(ops::logical_not(m).to_vector() == std::vector<double>{1, 1, 0, 0});
}

TEST_CASE("elementwise errors name the op and the shapes") {
  Tensor a = zeros({2, 3}), b = zeros({4});
  CHECK_THROWS_WITH_AS(a + b, doctest::Contains("add: shapes [2,3] and [4] cannot be broadcast"), tg::Error);
  CHECK_THROWS_WITH_AS(a * zeros({2, 3}, {.dtype = kFloat64}), doctest::Contains("mul: dtypes differ"), tg::Error);
  CHECK_THROWS_AS(ops::where(a, a, a), tg::Error);  // float condition
}

TEST_CASE("gradcheck add sub mul div with broadcasting") {
  Tensor a = input({3, 4}, 1), b = input({4}, 2), c = input({3, 1}, 3);
  CHECK(gradcheck([](const TensorList& in) { return ops::add(in[0], in[1]); }, {a, b}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sub(in[0], in[1]); }, {a, c}));
  CHECK(gradcheck([](const TensorList& in) { return ops::mul(in[0], in[1]); }, {b, c}));
  Tensor d = input_away_from_zero({3, 1}, 4);
  CHECK(gradcheck([](const TensorList& in) { return ops::div(in[0], in[1]); }, {a, d}));
}

TEST_CASE("gradcheck add sub mul div on non-contiguous inputs") {
  Tensor a = strided_input({3, 4}, 0, 1), b = strided_input({3, 4}, 1, 2);
  CHECK_FALSE(a.is_contiguous());
  CHECK_FALSE(b.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return in[0] * in[1] + in[0] - in[1]; }, {a, b}));
  Tensor d = input_away_from_zero({4, 3}, 5).detach().t().set_requires_grad(true);
  CHECK(gradcheck([](const TensorList& in) { return in[0] / in[1]; }, {a, d}));
}

TEST_CASE("gradcheck scalar forms: add/sub/mul/div/rsub/rdiv by a scalar") {
  Tensor a = input_away_from_zero({2, 5}, 6);
  CHECK(gradcheck([](const TensorList& in) { return (in[0] + 2.0) * 3.0 - 1.0; }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return 2.0 - in[0] / 4.0; }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return 3.0 / in[0]; }, {a}));
}

TEST_CASE("gradcheck neg exp log sqrt rsqrt abs square reciprocal") {
  Tensor a = input({2, 3, 2}, 7);
  Tensor pos = input({2, 3, 2}, 8, 0.3, 2.0);
  Tensor nz = input_away_from_zero({2, 3, 2}, 9);
  CHECK(gradcheck([](const TensorList& in) { return ops::neg(in[0]); }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return ops::exp(in[0]); }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return ops::log(in[0]); }, {pos}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sqrt(in[0]); }, {pos}));
  CHECK(gradcheck([](const TensorList& in) { return ops::rsqrt(in[0]); }, {pos}));
  CHECK(gradcheck([](const TensorList& in) { return ops::abs(in[0]); }, {nz}));
  CHECK(gradcheck([](const TensorList& in) { return ops::square(in[0]); }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return ops::reciprocal(in[0]); }, {nz}));
}

TEST_CASE("gradcheck pow: scalar exponent and tensor exponent") {
  Tensor pos = input({3, 4}, 10, 0.5, 2.0);
  Tensor e = input({4}, 11, -1.5, 1.5);
  CHECK(gradcheck([](const TensorList& in) { return ops::pow(in[0], 3.0); }, {pos}));
  CHECK(gradcheck([](const TensorList& in) { return ops::pow(in[0], -0.5); }, {pos}));
  CHECK(gradcheck([](const TensorList& in) { return ops::pow(in[0], in[1]); }, {pos, e}));
}

TEST_CASE("gradcheck clamp, maximum, minimum away from the kinks") {
  Tensor a = input_away_from_zero({4, 5}, 12);
  CHECK(gradcheck([](const TensorList& in) { return ops::clamp(in[0], -0.7, 0.65); }, {a}));
  CHECK(gradcheck([](const TensorList& in) { return ops::clamp_min(in[0], 0.1); }, {a}));
  Tensor b = input({5}, 13);
  CHECK(gradcheck([](const TensorList& in) { return ops::maximum(in[0], in[1]); }, {a, b}));
  CHECK(gradcheck([](const TensorList& in) { return ops::minimum(in[0], in[1]); }, {a, b}));
}

TEST_CASE("gradcheck where and masked_fill: gradient only through the chosen side") {
  Tensor a = input({3, 4}, 14), b = input({4}, 15);
  Tensor cond = ops::gt(tg::testing::input({3, 4}, 16).detach(), 0.0);
  CHECK(gradcheck([cond](const TensorList& in) { return ops::where(cond, in[0], in[1]); }, {a, b}));
  Tensor mask = ops::lt(tg::testing::input({1, 4}, 17).detach(), 0.0);
  CHECK(gradcheck([mask](const TensorList& in) { return ops::masked_fill(in[0], mask, 3.0); }, {a}));
  // masked positions get exactly zero gradient
  Tensor x = ones({1, 4}, {.dtype = kFloat64, .requires_grad = true});
  ops::sum(ops::masked_fill(x, mask, 5.0)).backward();
  std::vector<double> g = x.grad().to_vector(), m = mask.to_vector();
  for (size_t i = 0; i < g.size(); ++i) CHECK(g[i] == (m[i] != 0 ? 0.0 : 1.0));
}

TEST_CASE("elementwise ops on large tensors use the threaded path and agree with the serial one") {
  Tensor a = randn({300, 257}), b = randn({257});
  Tensor big = a * b + 1.0;
  Tensor t = a.t().contiguous().t();  // same values, column-major strides
  CHECK(tg::testing::max_abs_diff(big, t * b + 1.0) == 0.0);
  int64_t i = 123, j = 45;
  CHECK(big.at({i, j}) == doctest::Approx(a.at({i, j}) * b.at({j}) + 1.0));
}
