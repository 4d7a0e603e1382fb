// Reductions: values by hand, gradients by finite differences over dims, keepdim,
// non-adjacent dims and non-contiguous inputs.
#include <doctest/doctest.h>

#include <cmath>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;

TEST_CASE("reduce forward: sum and mean over dims by hand") {
  Tensor t = arange(24, {.dtype = kFloat64}).reshape({2, 3, 4});
  CHECK(ops::sum(t).item() == 276);
  CHECK(ops::sum(t, 0).to_vector()[0] == 12);
  CHECK(ops::sum(t, 2).shape() == Shape{2, 3});
  CHECK(ops::sum(t, 2).to_vector() == std::vector<double>{6, 22, 38, 54, 70, 86});
  CHECK(ops::sum(t, -1, true).shape() == Shape{2, 3, 1});
  CHECK(ops::sum(t, Shape{0, 2}).to_vector() == std::vector<double>{6 + 54, 22 + 70, 38 + 86});
  CHECK(ops::mean(t, 1).to_vector()[0] == 4);  // (0 + 4 + 8) / 3
  CHECK(ops::mean(t).item() == 11.5);
  CHECK(ops::sum(t.permute({2, 0, 1}), 0).to_vector() == ops::sum(t, 2).to_vector());
  CHECK(ops::sum(arange(10), 0).item() == 45);  // integer sums
}

TEST_CASE("reduce forward: var and logsumexp by hand") {
  Tensor x = tensor({1, 2, 3, 4}, {.dtype = kFloat64});
  CHECK(ops::var(x).item() == doctest::Approx(5.0 / 3.0));
  CHECK(ops::var(x, Shape{}, false).item() == doctest::Approx(1.25));
  double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0) + std::exp(4.0));
  CHECK(ops::logsumexp(x, 0).item() == doctest::Approx(lse));
  Tensor big = tensor({1000, 1000}, {.dtype = kFloat32});
  CHECK(ops::logsumexp(big, 0).item() == doctest::Approx(1000 + std::log(2.0)));  // no overflow
}

TEST_CASE("reduce: a float32 sum of many elements stays accurate") {
  Tensor x = full({1 << 20}, 0.1f);
  CHECK(ops::sum(x).item() == doctest::Approx(104857.6).epsilon(1e-6));
  Tensor y = full({4096, 300}, 0.1f);
  CHECK(ops::sum(y, 0).to_vector()[7] == doctest::Approx(409.6).epsilon(1e-5));
}

TEST_CASE("reduce: errors name the op") {
  CHECK_THROWS_WITH_AS(ops::sum(zeros({2, 3}), 2), doctest::Contains("sum: dimension 2 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::sum(zeros({2, 3}), Shape{1, 1}), doctest::Contains("given twice"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::mean(arange(3)), doctest::Contains("mean: needs a floating tensor"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::var(zeros({1})), doctest::Contains("var"), tg::Error);
}

TEST_CASE("gradcheck sum over all, over a dim, keepdim and non-adjacent dims") {
  Tensor x = input({3, 4, 5}, 31);
  CHECK(gradcheck([](const TensorList& in) { return ops::sum(in[0]); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sum(in[0], 1); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sum(in[0], -1, true); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sum(in[0], Shape{0, 2}); }, {x}));
}

TEST_CASE("gradcheck sum of a non-contiguous input") {
  Tensor x = tg::testing::strided_input({4, 6}, 0, 32);
  CHECK(gradcheck([](const TensorList& in) { return ops::sum(in[0], 0); }, {x}));
  Tensor y = tg::testing::strided_input({4, 6}, 1, 33);
  CHECK(gradcheck([](const TensorList& in) { return ops::sum(in[0], 1, true); }, {y}));
}

TEST_CASE("gradcheck mean over dims and over all") {
  Tensor x = input({2, 3, 4}, 34);
  CHECK(gradcheck([](const TensorList& in) { return ops::mean(in[0]); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::mean(in[0], Shape{0, 1}, true); }, {x}));
}

TEST_CASE("gradcheck var biased and unbiased") {
  Tensor x = input({3, 5}, 35);
  CHECK(gradcheck([](const TensorList& in) { return ops::var(in[0], 1); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::var(in[0], 0, false, true); }, {x}));
}

TEST_CASE("gradcheck logsumexp") {
  Tensor x = input({3, 5}, 36, -3, 3);
  CHECK(gradcheck([](const TensorList& in) { return ops::logsumexp(in[0], 1); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::logsumexp(in[0], 0, true); }, {x}));
}

TEST_CASE("gradcheck sum_to (the un-broadcast helper)") {
  Tensor x = input({2, 3, 4}, 37);
  CHECK(ops::sum_to(x, {3, 1}).shape() == Shape{3, 1});
  CHECK(gradcheck([](const TensorList& in) { return ops::sum_to(in[0], {3, 1}); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sum_to(in[0], {1, 1, 4}); }, {x}));
  CHECK_THROWS_AS(ops::sum_to(x, {5}), tg::Error);
}
