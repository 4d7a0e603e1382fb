// logloss: values and gradients by hand (reference numbers from Python's math module),
// stability at |x| = 100 and 1e4, every reduction, pos_weight, finite-difference gradient
// checks in float64, constant targets, and the error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::strided_input;

namespace {

const double kLog2 = 0.6931471805599453;

// The hand-made batch: logits, binary targets, and the expected per-element losses
// -[y log s(x) + (1 - y) log(1 - s(x))] and gradients s(x) - y.
const std::vector<double> kLogits{0, 2, -1, 100, -100, 100, -100};
const std::vector<double> kTargets{1, 0, 1, 1, 1, 0, 0};
const std::vector<double> kLoss{kLog2, 2.1269280110429727, 1.3132616875182228, 3.720075976020836e-44, 100, 100,
                                3.720075976020836e-44};
const std::vector<double> kGrad{-0.5, 0.8807970779778823, -0.7310585786300049, 0, -1, 1, 0};

double total(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// Targets in [0, 1] (soft labels), float64, constant.
Tensor soft_targets(const Shape& shape, uint64_t seed) { return input(shape, seed, 0.0, 1.0).detach(); }

}  // namespace

TEST_CASE("logloss forward by hand: none, sum and mean, finite at |x| = 100") {
  Tensor x = from_vector(kLogits, {7}), y = from_vector(kTargets, {7});
  std::vector<double> none = ops::logloss(x, y, {.reduction = ops::Reduction::None}).to_vector();
  REQUIRE(none.size() == kLoss.size());
  for (size_t i = 0; i < none.size(); ++i) {
    CHECK(std::isfinite(none[i]));
    CHECK(none[i] == doctest::Approx(kLoss[i]).epsilon(1e-14));
  }
  // tiny losses are not flushed to garbage: log1p(e^-100) exactly
  CHECK(std::abs(none[3] - 3.720075976020836e-44) <= 1e-12 * 3.720075976020836e-44);
  Tensor sum = ops::logloss(x, y, {.reduction = ops::Reduction::Sum});
  CHECK(sum.shape() == Shape{});
  CHECK(sum.item() == doctest::Approx(total(kLoss)).epsilon(1e-14));
  Tensor mean = ops::logloss(x, y);  // Mean is the default
  CHECK(mean.shape() == Shape{});
  CHECK(mean.item() == doctest::Approx(total(kLoss) / 7).epsilon(1e-14));

  // float32, including |x| = 1e4
  Tensor xf = tensor({100, -100, 1e4, -1e4, 1e4, -1e4}), yf = tensor({1, 1, 1, 1, 0, 0});
  std::vector<double> lf = ops::logloss(xf, yf, {.reduction = ops::Reduction::None}).to_vector();
  std::vector<double> expect{0, 100, 0, 1e4, 1e4, 0};
  for (size_t i = 0; i < lf.size(); ++i) {
    CHECK(std::isfinite(lf[i]));
    CHECK(lf[i] == doctest::Approx(expect[i]).epsilon(1e-6));
  }
  CHECK(ops::logloss(xf, yf).dtype() == kFloat32);
}

TEST_CASE("logloss forward by hand: soft targets, pos_weight, 2-D shapes") {
  // x = 0: y = 1 -> pw log 2;  y = 0 -> log 2;  y = 0.5 -> (1 + pw)/2 log 2
  Tensor x = zeros({2, 3}, {.dtype = kFloat64});
  Tensor y = from_vector(std::vector<double>{1, 0, 0.5, 1, 0, 0.5}, {2, 3});
  std::vector<double> l = ops::logloss(x, y, {.reduction = ops::Reduction::None, .pos_weight = 3.0}).to_vector();
  std::vector<double> expect{3 * kLog2, kLog2, 2 * kLog2, 3 * kLog2, kLog2, 2 * kLog2};
  for (size_t i = 0; i < l.size(); ++i) CHECK(l[i] == doctest::Approx(expect[i]).epsilon(1e-14));
  CHECK(ops::logloss(x, y, {.reduction = ops::Reduction::None}).shape() == Shape{2, 3});
  // pos_weight = 1 is the same as none given
  CHECK(ops::logloss(x, y, {.pos_weight = 1.0}).item() == ops::logloss(x, y).item());
  // soft target y = 0.3 at x = 1.5: -[0.3 log s(1.5) + 0.7 log(1 - s(1.5))]
  double s = 1 / (1 + std::exp(-1.5));
  double want = -(0.3 * std::log(s) + 0.7 * std::log(1 - s));
  CHECK(ops::logloss(tensor({1.5}, {.dtype = kFloat64}), tensor({0.3}, {.dtype = kFloat64})).item() ==
        doctest::Approx(want).epsilon(1e-13));
}

TEST_CASE("logloss backward by hand: sigmoid(x) - y, scaled by the reduction") {
  for (ops::Reduction r : {ops::Reduction::Mean, ops::Reduction::Sum}) {
    Tensor x = from_vector(kLogits, {7}).set_requires_grad(true), y = from_vector(kTargets, {7});
    ops::logloss(x, y, {.reduction = r}).backward();
    std::vector<double> g = x.grad().to_vector();
    double scale = r == ops::Reduction::Mean ? 1.0 / 7 : 1.0;
    for (size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(kGrad[i] * scale).epsilon(1e-14));
  }
  // pos_weight 3, y = 1, x = 0: d/dx [-3 log s(x)] = -3 (1 - s) = -1.5
  Tensor x = zeros({1}, {.dtype = kFloat64, .requires_grad = true});
  ops::logloss(x, ones({1}, {.dtype = kFloat64}), {.pos_weight = 3.0}).backward();
  CHECK(x.grad().item() == doctest::Approx(-1.5));
  // None: the seed gradient is applied elementwise
  Tensor x2 = from_vector(kLogits, {7}).set_requires_grad(true);
  Tensor seed = full({7}, 2.0, {.dtype = kFloat64});
  ops::logloss(x2, from_vector(kTargets, {7}), {.reduction = ops::Reduction::None}).backward(seed);
  std::vector<double> g2 = x2.grad().to_vector();
  for (size_t i = 0; i < g2.size(); ++i) CHECK(g2[i] == doctest::Approx(2 * kGrad[i]).epsilon(1e-14));
}

TEST_CASE("logloss float32 gradient has no NaN or Inf for |x| up to 1e4") {
  Tensor x = tensor({1e4, -1e4, 1e4, -1e4, 100, -100, 0}, {.requires_grad = true});
  Tensor y = tensor({1, 1, 0, 0, 1, 0, 0.5});
  ops::logloss(x, y, {.reduction = ops::Reduction::Sum, .pos_weight = 2.5}).backward();
  std::vector<double> g = x.grad().to_vector();
  for (double v : g) CHECK(std::isfinite(v));
  // (1 + (pw - 1) y) s(x) - pw y
  std::vector<double> expect{0, -2.5, 1, 0, 0, 0, 1.75 * 0.5 - 1.25};
  for (size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(expect[i]).epsilon(1e-6));
}

TEST_CASE("logloss targets are constants") {
  Tensor x = input({5}, 1, -2, 2);
  Tensor y = input({5}, 2, 0, 1);  // requires grad, yet gets none
  ops::logloss(x, y).backward();
  CHECK(x.grad().defined());
  CHECK_FALSE(y.grad().defined());
  // only the targets require grad: nothing to differentiate
  Tensor loss = ops::logloss(x.detach(), y);
  CHECK_FALSE(loss.requires_grad());
  // the backward reads the targets, so overwriting them in place is caught
  Tensor x3 = input({5}, 3);
  Tensor t = soft_targets({5}, 4);
  Tensor l3 = ops::logloss(x3, t);
  t.fill_(0.5);
  CHECK_THROWS_WITH_AS(l3.backward(), doctest::Contains("backward of logloss"), tg::Error);
}

TEST_CASE("logloss of an empty batch: sum 0, mean NaN (as torch)") {
  Tensor x = zeros({0}, {.dtype = kFloat64}), y = zeros({0}, {.dtype = kFloat64});
  CHECK(ops::logloss(x, y, {.reduction = ops::Reduction::Sum}).item() == 0.0);
  CHECK(std::isnan(ops::logloss(x, y).item()));
  CHECK(ops::logloss(x, y, {.reduction = ops::Reduction::None}).numel() == 0);
}

TEST_CASE("gradcheck logloss mean") {
  CHECK(gradcheck([y = soft_targets({6}, 11)](const TensorList& in) { return ops::logloss(in[0], y); },
                  {input({6}, 10, -3, 3)}));
  Tensor binary = ops::gt(input({4, 3}, 12).detach(), 0.0).to(kFloat64);
  CHECK(gradcheck([binary](const TensorList& in) { return ops::logloss(in[0], binary); }, {input({4, 3}, 13, -3, 3)}));
  // non-contiguous logits and targets
  Tensor xs = strided_input({3, 4}, 0, 14, -3, 3);
  CHECK_FALSE(xs.is_contiguous());
  Tensor ys = strided_input({3, 4}, 1, 15, 0, 1).detach();
  CHECK_FALSE(ys.is_contiguous());
  CHECK(gradcheck([ys](const TensorList& in) { return ops::logloss(in[0], ys); }, {xs}));
  // logits from an earlier op: the gradient flows on
  CHECK(gradcheck([y = soft_targets({2, 5}, 16)](const TensorList& in) { return ops::logloss(ops::mul(in[0], 4.0), y); },
                  {input({2, 5}, 17)}));
}

TEST_CASE("gradcheck logloss sum with pos_weight") {
  ops::LoglossOptions opt{.reduction = ops::Reduction::Sum, .pos_weight = 4.0};
  CHECK(gradcheck([y = soft_targets({3, 5}, 20), opt](const TensorList& in) { return ops::logloss(in[0], y, opt); },
                  {input({3, 5}, 21, -4, 4)}));
  opt.pos_weight = 0.25;
  CHECK(gradcheck([y = soft_targets({2, 2, 3}, 22), opt](const TensorList& in) { return ops::logloss(in[0], y, opt); },
                  {strided_input({2, 2, 3}, 1, 23, -4, 4)}));
}

TEST_CASE("gradcheck logloss none and mean with pos_weight") {
  CHECK(gradcheck([y = soft_targets({4, 3}, 30)](const TensorList& in) {
          return ops::logloss(in[0], y, {.reduction = ops::Reduction::None});
        }, {strided_input({4, 3}, 0, 31, -5, 5)}));
  CHECK(gradcheck([y = soft_targets({8}, 32)](const TensorList& in) {
          return ops::logloss(in[0], y, {.reduction = ops::Reduction::None, .pos_weight = 2.0});
        }, {input({8}, 33, -5, 5)}));
  CHECK(gradcheck([y = soft_targets({8}, 34)](const TensorList& in) {
          return ops::logloss(in[0], y, {.pos_weight = 3.0});
        }, {input({8}, 35, -5, 5)}));
  // a 0-d logit
  CHECK(gradcheck([](const TensorList& in) { return ops::logloss(in[0], scalar_tensor(1.0, {.dtype = kFloat64})); },
                  {input({}, 36)}));
}

TEST_CASE("logloss errors name the op, both shapes and the dtypes") {
  Tensor x = zeros({4, 1}), y = zeros({4});
  CHECK_THROWS_WITH_AS(ops::logloss(x, y), doctest::Contains("logloss: logits [4,1] and targets [4] must have the same shape"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::logloss(y, zeros({4}, {.dtype = kFloat64})), doctest::Contains("logloss: dtypes differ"),
                       tg::Error);
  Tensor ids = tensor({1, 0}, {.dtype = kInt64});
  CHECK_THROWS_WITH_AS(ops::logloss(ids, ids), doctest::Contains("logloss: needs float32 or float64 logits, got int64"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::logloss(y, y, {.pos_weight = -1.0}),
                       doctest::Contains("logloss: pos_weight must be finite and >= 0, got -1"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::logloss(y, y, {.pos_weight = std::numeric_limits<double>::infinity()}),
                       doctest::Contains("logloss: pos_weight must be finite"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::logloss(Tensor(), y), doctest::Contains("logloss: undefined"), tg::Error);
}
