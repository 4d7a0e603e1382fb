// Activations: forward values by hand (reference numbers from Python's math module), the
// conventions at the kinks, stability at |x| = 100, finite-difference gradients in float64
// on random, strided and non-leaf inputs, and the error messages.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::input_away_from_zero;
using tg::testing::strided_input;

namespace {

// Relative closeness for values far below doctest::Approx's absolute floor.
bool rel_close(double a, double b, double rtol = 1e-12) { return std::abs(a - b) <= rtol * std::abs(b); }

// x with values away from 0, made non-contiguous (transposed), as a leaf that requires grad.
Tensor strided_away_from_zero(int64_t rows, int64_t cols, uint64_t seed) {
  return input_away_from_zero({cols, rows}, seed).detach().t().set_requires_grad(true);
}

const std::vector<Shape> kShapes = {Shape{7}, Shape{3, 4}, Shape{2, 3, 5}, Shape{}};

}  // namespace

// ---- forward values ------------------------------------------------------------------

TEST_CASE("activation forward: relu and leaky_relu by hand") {
  Tensor x = tensor({-2.0, -0.5, 0.0, 0.5, 3.0}, {.dtype = kFloat64});
  CHECK(ops::relu(x).to_vector() == std::vector<double>{0, 0, 0, 0.5, 3});
  CHECK(ops::leaky_relu(x).to_vector() == std::vector<double>{-0.02, -0.005, 0, 0.5, 3});
  CHECK(ops::leaky_relu(x, 0.5).to_vector() == std::vector<double>{-1, -0.25, 0, 0.5, 3});
  Tensor xf = tensor({-1.0, 2.0});  // float32 keeps its dtype
  CHECK(ops::relu(xf).dtype() == kFloat32);
  CHECK(ops::relu(xf).to_vector() == std::vector<double>{0, 2});
  // NaN propagates through relu, as torch.relu
  Tensor nan = tensor({std::numeric_limits<double>::quiet_NaN()}, {.dtype = kFloat64});
  CHECK(std::isnan(ops::relu(nan).item()));
}

TEST_CASE("activation forward: prelu with one slope and with one slope per channel") {
  Tensor x = from_vector(std::vector<double>{-1, 2, -3, 4, -5, 6}, {2, 3});
  CHECK(ops::prelu(x, tensor({0.5}, {.dtype = kFloat64})).to_vector() ==
        std::vector<double>{-0.5, 2, -1.5, 4, -2.5, 6});
  CHECK(ops::prelu(x, scalar_tensor(0.5, {.dtype = kFloat64})).to_vector() ==
        std::vector<double>{-0.5, 2, -1.5, 4, -2.5, 6});
  // channel dim 1: column c uses slope c
  Tensor w = tensor({0.1, 0.2, 0.3}, {.dtype = kFloat64});
  std::vector<double> y = ops::prelu(x, w).to_vector();
  std::vector<double> expect{-0.1, 2, -0.9, 4, -1.0, 6};
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(expect[i]));
  // 3-D [N, C, L]: the slope follows dimension 1
  Tensor x3 = full({2, 3, 2}, -1.0, {.dtype = kFloat64});
  Tensor y3 = ops::prelu(x3, w);
  CHECK(y3.shape() == Shape{2, 3, 2});
  CHECK(y3.at({1, 0, 1}) == doctest::Approx(-0.1));
  CHECK(y3.at({0, 2, 0}) == doctest::Approx(-0.3));
  // 1-D: one slope per element of dimension 0
  Tensor x1 = tensor({-1.0, -1.0, 5.0}, {.dtype = kFloat64});
  std::vector<double> y1 = ops::prelu(x1, w).to_vector();
  CHECK(y1[0] == doctest::Approx(-0.1));
  CHECK(y1[1] == doctest::Approx(-0.2));
  CHECK(y1[2] == 5.0);
}

TEST_CASE("activation forward: sigmoid and tanh by hand, finite at |x| = 100") {
  Tensor x = tensor({-100.0, -1.0, 0.0, 2.0, 100.0}, {.dtype = kFloat64});
  std::vector<double> s = ops::sigmoid(x).to_vector();
  CHECK(rel_close(s[0], 3.7200759760208356e-44));
  CHECK(s[1] == doctest::Approx(0.2689414213699951).epsilon(1e-14));
  CHECK(s[2] == 0.5);
  CHECK(s[3] == doctest::Approx(0.8807970779778823).epsilon(1e-14));
  CHECK(s[4] == 1.0);
  // float32: no overflow of exp(100) into inf/NaN on either side
  std::vector<double> sf = ops::sigmoid(tensor({-100.0, 100.0, -1e4, 1e4})).to_vector();
  for (double v : sf) CHECK(std::isfinite(v));
  CHECK(sf[0] >= 0.0);
  CHECK(sf[0] < 1e-40);
  CHECK(sf[1] == 1.0);
  CHECK(sf[2] == 0.0);
  CHECK(sf[3] == 1.0);

  Tensor t = ops::tanh(tensor({-2.0, 0.0, 0.5, 100.0}, {.dtype = kFloat64}));
  std::vector<double> tv = t.to_vector();
  CHECK(tv[0] == doctest::Approx(-0.9640275800758169).epsilon(1e-14));
  CHECK(tv[1] == 0.0);
  CHECK(tv[2] == doctest::Approx(0.46211715726000974).epsilon(1e-14));
  CHECK(tv[3] == 1.0);
}

TEST_CASE("activation forward: silu, gelu (exact and tanh), softplus by hand") {
  Tensor x = tensor({1.0, -2.0, 0.0, -100.0}, {.dtype = kFloat64});
  std::vector<double> si = ops::silu(x).to_vector();
  CHECK(si[0] == doctest::Approx(0.7310585786300049).epsilon(1e-14));
  CHECK(si[1] == doctest::Approx(-0.2384058440442351).epsilon(1e-14));
  CHECK(si[2] == 0.0);
  CHECK(rel_close(si[3], -100 * 3.7200759760208356e-44));

  Tensor g = tensor({1.0, -1.0, 2.5, 0.0, -10.0}, {.dtype = kFloat64});
  std::vector<double> ge = ops::gelu(g).to_vector();
  CHECK(ge[0] == doctest::Approx(0.8413447460685429).epsilon(1e-14));
  CHECK(ge[1] == doctest::Approx(-0.15865525393145707).epsilon(1e-14));
  CHECK(ge[2] == doctest::Approx(2.4844758366855597).epsilon(1e-14));
  CHECK(ge[3] == 0.0);
  CHECK(rel_close(ge[4], -7.619853024160593e-23, 1e-10));  // the erfc form keeps the left tail
  std::vector<double> gt = ops::gelu(g, true).to_vector();
  CHECK(gt[0] == doctest::Approx(0.8411919906082768).epsilon(1e-14));
  CHECK(gt[1] == doctest::Approx(-0.15880800939172324).epsilon(1e-14));
  CHECK(gt[2] == doctest::Approx(2.484915733910001).epsilon(1e-14));
  CHECK(gt[3] == 0.0);

  Tensor p = tensor({0.0, 2.0, 100.0, -100.0}, {.dtype = kFloat64});
  std::vector<double> sp = ops::softplus(p).to_vector();
  CHECK(sp[0] == doctest::Approx(0.6931471805599453).epsilon(1e-14));
  CHECK(sp[1] == doctest::Approx(2.1269280110429727).epsilon(1e-14));
  CHECK(sp[2] == 100.0);
  CHECK(rel_close(sp[3], 3.720075976020836e-44));
  CHECK(ops::softplus(tensor({1.0}, {.dtype = kFloat64}), 2.0).item() ==
        doctest::Approx(1.0634640055214863).epsilon(1e-14));
  std::vector<double> spf = ops::softplus(tensor({-1e4, 1e4})).to_vector();  // float32, no overflow
  CHECK(spf[0] == 0.0);
  CHECK(spf[1] == 1e4);
}

TEST_CASE("activation backward: values at the kinks and through an expanded gradient") {
  // relu'(0) = 0, leaky_relu'(0) = slope, prelu'(0) = w (the left derivative, as torch)
  Tensor x = tensor({-1.0, 0.0, 2.0}, {.dtype = kFloat64, .requires_grad = true});
  ops::sum(ops::relu(x)).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0, 1});
  x.zero_grad();
  ops::sum(ops::leaky_relu(x, 0.25)).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0.25, 0.25, 1});
  x.zero_grad();
  Tensor w = tensor({0.3}, {.dtype = kFloat64, .requires_grad = true});
  ops::sum(ops::prelu(x, w)).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0.3, 0.3, 1});
  CHECK(w.grad().item() == doctest::Approx(-1.0));  // sum of x over x <= 0

  // sum's backward hands a stride-0 (expanded) gradient to sigmoid: y (1 - y) per element
  Tensor z = tensor({-100.0, 0.0, 3.0}, {.dtype = kFloat64, .requires_grad = true});
  Tensor y = ops::sigmoid(z);
  ops::sum(y).backward();
  std::vector<double> dz = z.grad().to_vector(), yv = y.to_vector();
  for (size_t i = 0; i < dz.size(); ++i) CHECK(dz[i] == doctest::Approx(yv[i] * (1 - yv[i])));
  CHECK(dz[1] == 0.25);

  // float32 gradients at |x| = 1e4 stay finite
  Tensor big = tensor({-1e4, 1e4}, {.requires_grad = true});
  ops::sum(ops::add(ops::add(ops::sigmoid(big), ops::silu(big)), ops::softplus(big))).backward();
  for (double v : big.grad().to_vector()) CHECK(std::isfinite(v));
  CHECK(big.grad().to_vector() == std::vector<double>{0, 2});
}

TEST_CASE("activation backward: prelu weight gradient summed per channel by hand") {
  // x [2, 2, 2] with channel dim 1; dw_c = sum over x <= 0 of x
  Tensor x = from_vector(std::vector<double>{-1, 2, -3, 4, -5, -6, 7, 8}, {2, 2, 2});
  Tensor w = tensor({0.1, 0.2}, {.dtype = kFloat64, .requires_grad = true});
  x.set_requires_grad(true);
  ops::sum(ops::prelu(x, w)).backward();
  std::vector<double> dw = w.grad().to_vector();
  CHECK(dw[0] == doctest::Approx(-1 - 5 - 6));  // channel 0: x[0,0,:] = {-1, 2}, x[1,0,:] = {-5, -6}
  CHECK(dw[1] == doctest::Approx(-3));         // channel 1: {-3, 4}, {7, 8}
  std::vector<double> dx = x.grad().to_vector();
  std::vector<double> expect{0.1, 1, 0.2, 1, 0.1, 0.1, 1, 1};
  for (size_t i = 0; i < dx.size(); ++i) CHECK(dx[i] == doctest::Approx(expect[i]));
}

TEST_CASE("activation ops on a large float32 tensor (threaded path) match the scalar formulas") {
  Tensor a = randn({300, 257});
  Tensor t = a.t().contiguous().t();  // same values, column-major strides
  auto check_op = [&](auto op, auto ref) {
    Tensor y = op(a);
    CHECK(tg::testing::max_abs_diff(y, op(t)) == 0.0);
    for (auto [i, j] : std::array<std::pair<int64_t, int64_t>, 3>{{{0, 0}, {123, 45}, {299, 256}}})
      CHECK(y.at({i, j}) == doctest::Approx(ref(a.at({i, j}))).epsilon(1e-5));
  };
  check_op([](const Tensor& v) { return ops::relu(v); }, [](double v) { return v > 0 ? v : 0.0; });
  check_op([](const Tensor& v) { return ops::sigmoid(v); }, [](double v) { return 1 / (1 + std::exp(-v)); });
  check_op([](const Tensor& v) { return ops::tanh(v); }, [](double v) { return std::tanh(v); });
  check_op([](const Tensor& v) { return ops::gelu(v); }, [](double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); });
}

// ---- gradient checks ------------------------------------------------------------------

TEST_CASE("gradcheck relu") {
  uint64_t seed = 1;
  for (const Shape& s : kShapes)
    CHECK(gradcheck([](const TensorList& in) { return ops::relu(in[0]); }, {input_away_from_zero(s, seed++)}));
  Tensor nc = strided_away_from_zero(4, 5, 20);
  CHECK_FALSE(nc.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::relu(in[0]); }, {nc}));
  // a non-leaf input: the gradient flows on into mul
  CHECK(gradcheck([](const TensorList& in) { return ops::relu(ops::mul(in[0], 3.0)); }, {input_away_from_zero({6}, 21)}));
}

TEST_CASE("gradcheck leaky_relu") {
  uint64_t seed = 30;
  for (const Shape& s : kShapes) {
    CHECK(gradcheck([](const TensorList& in) { return ops::leaky_relu(in[0]); }, {input_away_from_zero(s, seed++)}));
    CHECK(gradcheck([](const TensorList& in) { return ops::leaky_relu(in[0], 0.3); }, {input_away_from_zero(s, seed++)}));
  }
  CHECK(gradcheck([](const TensorList& in) { return ops::leaky_relu(in[0], -0.5); }, {strided_away_from_zero(3, 4, 40)}));
}

TEST_CASE("gradcheck prelu single slope") {
  Tensor w = input({1}, 50);
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {input_away_from_zero({3, 4}, 51), w}));
  Tensor w0 = input({}, 52);  // a 0-d slope
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {input_away_from_zero({2, 3, 4}, 53), w0}));
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {strided_away_from_zero(5, 3, 54), w}));
  // only the weight requires grad
  Tensor x = input_away_from_zero({4, 2}, 55).detach();
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {x, w}));
}

TEST_CASE("gradcheck prelu per channel on a 3-D input") {
  Tensor w = input({3}, 60);
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {input_away_from_zero({2, 3, 5}, 61), w}));
  // non-contiguous [2, 3, 4]: a permutation of a [4, 2, 3] tensor
  Tensor nc = input_away_from_zero({4, 2, 3}, 62).detach().permute({1, 2, 0}).set_requires_grad(true);
  CHECK_FALSE(nc.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {nc, w}));
  // only x requires grad
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); },
                  {input_away_from_zero({2, 3, 2}, 63), w.detach()}));
}

TEST_CASE("gradcheck prelu per channel on 1-D, 2-D and 4-D inputs") {
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); }, {input_away_from_zero({5}, 70), input({5}, 71)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); },
                  {strided_away_from_zero(6, 4, 72), input({4}, 73)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::prelu(in[0], in[1]); },
                  {input_away_from_zero({2, 3, 2, 2}, 74), input({3}, 75)}));
}

TEST_CASE("gradcheck sigmoid") {
  uint64_t seed = 80;
  for (const Shape& s : kShapes)
    CHECK(gradcheck([](const TensorList& in) { return ops::sigmoid(in[0]); }, {input(s, seed++, -4, 4)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sigmoid(in[0]); }, {strided_input({3, 4}, 0, 90, -4, 4)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::sigmoid(in[0]); }, {strided_input({4, 3}, 1, 91, -4, 4)}));
  // the output is reused by the backward and also consumed by a later op
  CHECK(gradcheck([](const TensorList& in) { Tensor y = ops::sigmoid(in[0]); return ops::mul(y, y); }, {input({5}, 92)}));
}

TEST_CASE("gradcheck tanh") {
  uint64_t seed = 100;
  for (const Shape& s : kShapes)
    CHECK(gradcheck([](const TensorList& in) { return ops::tanh(in[0]); }, {input(s, seed++, -3, 3)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::tanh(in[0]); }, {strided_input({3, 4}, 0, 110, -3, 3)}));
}

TEST_CASE("gradcheck silu") {
  uint64_t seed = 120;
  for (const Shape& s : kShapes)
    CHECK(gradcheck([](const TensorList& in) { return ops::silu(in[0]); }, {input(s, seed++, -6, 6)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::silu(in[0]); }, {strided_input({3, 4}, 1, 130, -6, 6)}));
}

TEST_CASE("gradcheck gelu exact") {
  uint64_t seed = 140;
  for (const Shape& s : kShapes)
    CHECK(gradcheck([](const TensorList& in) { return ops::gelu(in[0]); }, {input(s, seed++, -4, 4)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::gelu(in[0]); }, {strided_input({3, 4}, 0, 150, -4, 4)}));
}

TEST_CASE("gradcheck gelu tanh approximation") {
  uint64_t seed = 160;
  for (const Shape& s : kShapes)
    CHECK(gradcheck([](const TensorList& in) { return ops::gelu(in[0], true); }, {input(s, seed++, -4, 4)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::gelu(in[0], true); }, {strided_input({4, 3}, 1, 170, -4, 4)}));
}

TEST_CASE("gradcheck softplus") {
  uint64_t seed = 180;
  for (const Shape& s : kShapes) {
    CHECK(gradcheck([](const TensorList& in) { return ops::softplus(in[0]); }, {input(s, seed++, -5, 5)}));
    CHECK(gradcheck([](const TensorList& in) { return ops::softplus(in[0], 2.5); }, {input(s, seed++, -3, 3)}));
  }
  CHECK(gradcheck([](const TensorList& in) { return ops::softplus(in[0], -0.5); }, {strided_input({3, 4}, 0, 190, -5, 5)}));
}

// ---- errors ---------------------------------------------------------------------------

TEST_CASE("activation errors name the op, the shapes and the dtypes") {
  Tensor ids = tensor({1, 2, 3}, {.dtype = kInt64});
  CHECK_THROWS_WITH_AS(ops::relu(ids), doctest::Contains("relu: needs a float32 or float64 tensor, got int64"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::sigmoid(ids), doctest::Contains("sigmoid: needs a float32 or float64"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::gelu(Tensor()), doctest::Contains("gelu: undefined tensor"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::softplus(zeros({2}), 0.0), doctest::Contains("softplus: beta must be finite and nonzero"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::leaky_relu(zeros({2}), std::numeric_limits<double>::quiet_NaN()),
                       doctest::Contains("leaky_relu: negative_slope must be finite"), tg::Error);

  Tensor x = zeros({2, 4, 5});
  CHECK_THROWS_WITH_AS(ops::prelu(x, zeros({3})),
                       doctest::Contains("prelu: weight [3] has 3 slopes but input [2,4,5] has 4 channels (dimension 1)"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::prelu(zeros({6}), zeros({4})),
                       doctest::Contains("prelu: weight [4] has 4 slopes but input [6] has 6 channels (dimension 0)"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::prelu(x, zeros({4, 1})), doctest::Contains("prelu: weight must be a scalar or 1-D"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::prelu(x, zeros({4}, {.dtype = kFloat64})), doctest::Contains("prelu: dtypes differ"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::prelu(scalar_tensor(1.0), zeros({2})), doctest::Contains("prelu: input [] is 0-d"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::prelu(x, Tensor()), doctest::Contains("prelu: undefined weight"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::prelu(ids, ids), doctest::Contains("prelu: needs a float32 or float64"), tg::Error);
}

TEST_CASE("activation backward refuses an input modified in place after the op") {
  Tensor a = input_away_from_zero({4}, 200);
  Tensor h = ops::mul(a, 2.0);
  Tensor r = ops::relu(h);
  {
    NoGradGuard no_grad;
    h.detach().fill_(1.0);
  }
  CHECK_THROWS_WITH_AS(ops::sum(r).backward(), doctest::Contains("backward of relu"), tg::Error);
}
