// nnfunc ops (softmax, log_softmax, layer_norm, batch_norm, dropout): forward values by
// hand, gradients by finite differences (float64), masks, non-contiguous inputs, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "core/philox.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::strided_input;

namespace {

Tensor bool_mask(const std::vector<int64_t>& bits, const Shape& shape) {
  return from_vector(bits, shape).to(kBool);
}

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector())
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

// ---- softmax / log_softmax forward ------------------------------------------------------

TEST_CASE("softmax forward: rows sum to 1 and match exp(x) / sum exp(x) by hand") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, -1, 0, 1}, {2, 3});
  Tensor y = ops::softmax(x, -1);
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(y.at({0, 0}) == doctest::Approx(std::exp(1.0) / z));
  CHECK(y.at({0, 2}) == doctest::Approx(std::exp(3.0) / z));
  // shift invariance: row 1 is row 0 - 2
  for (int64_t j = 0; j < 3; ++j) CHECK(y.at({1, j}) == doctest::Approx(y.at({0, j})));
  Tensor rows = ops::sum(y, 1);
  for (double s : rows.to_vector()) CHECK(s == doctest::Approx(1.0));

  Tensor ls = ops::log_softmax(x, 1);
  CHECK(ls.at({0, 1}) == doctest::Approx(2.0 - std::log(z)));
  CHECK(tg::testing::max_abs_diff(ops::exp(ls), y) < 1e-12);
}

TEST_CASE("softmax is stable for large inputs and works in float32") {
  Tensor x = tensor({1000.f, 1001.f, 999.f});
  Tensor y = ops::softmax(x, 0);
  CHECK(y.dtype() == kFloat32);
  CHECK(all_finite(y));
  double z = 1 + std::exp(1.0) + std::exp(-1.0);
  CHECK(y.at({1}) == doctest::Approx(std::exp(1.0) / z).epsilon(1e-6));
  Tensor ls = ops::log_softmax(x, 0);
  CHECK(ls.at({0}) == doctest::Approx(-std::log(z)).epsilon(1e-5));
}

TEST_CASE("softmax with a mask: masked weights exactly 0, all-masked row all zeros") {
  Tensor x = from_vector(std::vector<double>{0.5, 9.0, -1, 2, 3, 4, 7, 8, 9}, {3, 3});
  Tensor mask = bool_mask({1, 0, 1, 0, 0, 0, 1, 1, 1}, {3, 3});
  Tensor y = ops::softmax(x, -1, mask);
  CHECK(y.at({0, 1}) == 0.0);  // masked: exactly zero even though it is the row max
  double z = std::exp(0.5) + std::exp(-1.0);
  CHECK(y.at({0, 0}) == doctest::Approx(std::exp(0.5) / z));
  CHECK(y.at({0, 0}) + y.at({0, 2}) == doctest::Approx(1.0));
  for (int64_t j = 0; j < 3; ++j) CHECK(y.at({1, j}) == 0.0);  // all masked
  CHECK(ops::sum(y, 1).at({2}) == doctest::Approx(1.0));        // nothing masked
  CHECK(all_finite(y));

  Tensor ls = ops::log_softmax(x, -1, mask);
  CHECK(ls.at({0, 1}) == 0.0);  // masked positions of log_softmax are 0, not -inf
  CHECK(ls.at({0, 0}) == doctest::Approx(0.5 - std::log(z)));
  for (int64_t j = 0; j < 3; ++j) CHECK(ls.at({1, j}) == 0.0);
  CHECK(all_finite(ls));
  CHECK(std::isfinite(ops::sum(ls).item()));

  // uint8 masks and broadcast masks give the same result
  Tensor row_mask = from_vector(std::vector<int64_t>{1, 0, 1}, {3}).to(kUInt8);
  Tensor yb = ops::softmax(x, -1, row_mask);
  CHECK(yb.at({2, 1}) == 0.0);
  CHECK(yb.at({0, 0}) == y.at({0, 0}));
}

TEST_CASE("softmax over a middle dim and over a strided input agree with the last-dim path") {
  Generator gen(3);
  Tensor x = randn({3, 4, 5}, {.dtype = kFloat64}, &gen);
  Tensor y = ops::softmax(x, 1);
  Tensor ref = ops::softmax(x.transpose(1, 2).contiguous(), -1).transpose(1, 2);
  CHECK(tg::testing::max_abs_diff(y, ref) < 1e-14);
  for (double s : ops::sum(y, 1).to_vector()) CHECK(s == doctest::Approx(1.0));
  Tensor xt = x.transpose(0, 2);  // non-contiguous [5, 4, 3]
  Tensor yt = ops::log_softmax(xt, 0);
  Tensor reft = ops::log_softmax(xt.contiguous(), 0);
  CHECK(tg::testing::max_abs_diff(yt, reft) < 1e-14);
  // a mask over a middle dim with one all-masked column
  Tensor mask = ops::gt(randn({3, 4, 1}, {.dtype = kFloat64}, &gen), 0.0);
  mask.set({1, 0, 0}, 0);
  mask.set({1, 1, 0}, 0);
  mask.set({1, 2, 0}, 0);
  mask.set({1, 3, 0}, 0);
  Tensor ym = ops::softmax(x, 1, mask);
  for (int64_t k = 0; k < 4; ++k) CHECK(ym.at({1, k, 2}) == 0.0);
  CHECK(all_finite(ym));
}

TEST_CASE("softmax of a large tensor uses the threaded path and matches per-row values") {
  Generator gen(4);
  Tensor x = randn({300, 257}, {}, &gen);
  Tensor y = ops::softmax(x, 1);
  std::vector<double> s = ops::sum(y, 1).to_vector();
  for (double v : s) CHECK(v == doctest::Approx(1.0).epsilon(1e-5));
  Tensor y0 = ops::softmax(x, 0);
  for (double v : ops::sum(y0, 0).to_vector()) CHECK(v == doctest::Approx(1.0).epsilon(1e-5));
}

// ---- layer_norm / batch_norm forward ----------------------------------------------------

TEST_CASE("layer_norm forward: each row has mean 0 and variance 1, then weight and bias") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 10, 10, 10, 14}, {2, 4});
  Tensor y = ops::layer_norm(x, {4}, Tensor(), Tensor(), 0.0);
  // row 0: mean 2.5, biased var 1.25
  CHECK(y.at({0, 0}) == doctest::Approx(-1.5 / std::sqrt(1.25)));
  // row 1: mean 11, var 3
  CHECK(y.at({1, 3}) == doctest::Approx(3.0 / std::sqrt(3.0)));
  for (double m : ops::mean(y, 1).to_vector()) CHECK(m == doctest::Approx(0.0).epsilon(1e-12));
  for (double v : ops::var(y, 1, false).to_vector()) CHECK(v == doctest::Approx(1.0));

  Tensor w = tensor({1.0, 2.0, 0.5, -1.0}, {.dtype = kFloat64});
  Tensor b = tensor({0.0, 1.0, 0.0, 3.0}, {.dtype = kFloat64});
  Tensor yw = ops::layer_norm(x, {4}, w, b, 1e-5);
  double r0 = 1.0 / std::sqrt(1.25 + 1e-5);
  CHECK(yw.at({0, 1}) == doctest::Approx(-0.5 * r0 * 2.0 + 1.0));
  CHECK(yw.at({0, 3}) == doctest::Approx(1.5 * r0 * -1.0 + 3.0));
}

TEST_CASE("layer_norm over the last two dims normalises each [2, 3] block") {
  Generator gen(5);
  Tensor x = randn({4, 2, 3}, {.dtype = kFloat64}, &gen);
  Tensor y = ops::layer_norm(x, {2, 3});
  Tensor flat = y.reshape({4, 6});
  for (double m : ops::mean(flat, 1).to_vector()) CHECK(m == doctest::Approx(0.0).epsilon(1e-12));
  for (double v : ops::var(flat, 1, false).to_vector()) CHECK(v == doctest::Approx(1.0).epsilon(1e-4));
  // same as normalising the flattened rows
  Tensor y2 = ops::layer_norm(x.reshape({4, 6}), {6}).reshape({4, 2, 3});
  CHECK(tg::testing::max_abs_diff(y, y2) < 1e-14);
}

TEST_CASE("batch_norm training: batch statistics, and running stats equal hand-computed values") {
  // x [4, 2]: channel 0 = {1, 2, 3, 6} (mean 3, biased var 3.5, unbiased 14/3),
  //           channel 1 = {0, 0, 4, 4} (mean 2, biased var 4, unbiased 16/3)
  Tensor x = from_vector(std::vector<double>{1, 0, 2, 0, 3, 4, 6, 4}, {4, 2});
  Tensor rm = tensor({0.5, -1.0}, {.dtype = kFloat64});
  Tensor rv = tensor({2.0, 1.0}, {.dtype = kFloat64});
  Tensor w = tensor({2.0, 1.0}, {.dtype = kFloat64});
  Tensor b = tensor({0.0, 1.0}, {.dtype = kFloat64});
  Tensor y = ops::batch_norm(x, rm, rv, w, b, true, 0.1, 1e-5);
  CHECK(y.at({3, 0}) == doctest::Approx(2.0 * 3.0 / std::sqrt(3.5 + 1e-5)));
  CHECK(y.at({0, 1}) == doctest::Approx(-2.0 / std::sqrt(4.0 + 1e-5) + 1.0));
  CHECK(rm.at({0}) == doctest::Approx(0.9 * 0.5 + 0.1 * 3.0));
  CHECK(rm.at({1}) == doctest::Approx(0.9 * -1.0 + 0.1 * 2.0));
  CHECK(rv.at({0}) == doctest::Approx(0.9 * 2.0 + 0.1 * 14.0 / 3.0));
  CHECK(rv.at({1}) == doctest::Approx(0.9 * 1.0 + 0.1 * 16.0 / 3.0));
  // without weight/bias: per-channel mean 0, biased variance 1
  Tensor y0 = ops::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 0.0);
  for (double m : ops::mean(y0, 0).to_vector()) CHECK(m == doctest::Approx(0.0).epsilon(1e-12));
  for (double v : ops::var(y0, 0, false).to_vector()) CHECK(v == doctest::Approx(1.0));
}

TEST_CASE("batch_norm eval uses the running statistics and leaves them alone; 3-D input by hand") {
  Tensor x = from_vector(std::vector<double>{1, 0, 2, 0, 3, 4, 6, 4}, {4, 2});
  Tensor rm = tensor({1.0, -1.0}, {.dtype = kFloat64});
  Tensor rv = tensor({4.0, 0.25}, {.dtype = kFloat64});
  Tensor y = ops::batch_norm(x, rm, rv, Tensor(), Tensor(), false, 0.1, 0.0);
  CHECK(y.at({2, 0}) == doctest::Approx((3.0 - 1.0) / 2.0));
  CHECK(y.at({2, 1}) == doctest::Approx((4.0 + 1.0) / 0.5));
  CHECK(rm.to_vector() == std::vector<double>{1.0, -1.0});
  CHECK(rv.to_vector() == std::vector<double>{4.0, 0.25});

  // [N=2, C=2, L=2]: channel 0 = {1, 3, 5, 7} (mean 4, var 5), channel 1 = {0, 0, 2, 2} (mean 1, var 1)
  Tensor x3 = from_vector(std::vector<double>{1, 3, 0, 0, 5, 7, 2, 2}, {2, 2, 2});
  Tensor rm3 = zeros({2}, {.dtype = kFloat64}), rv3 = ones({2}, {.dtype = kFloat64});
  Tensor y3 = ops::batch_norm(x3, rm3, rv3, Tensor(), Tensor(), true, 0.5, 0.0);
  CHECK(y3.at({1, 0, 1}) == doctest::Approx(3.0 / std::sqrt(5.0)));
  CHECK(y3.at({0, 1, 0}) == doctest::Approx(-1.0));
  CHECK(rm3.at({0}) == doctest::Approx(2.0));
  CHECK(rv3.at({0}) == doctest::Approx(0.5 + 0.5 * 20.0 / 3.0));
  CHECK(rv3.at({1}) == doctest::Approx(0.5 + 0.5 * 4.0 / 3.0));
}

TEST_CASE("batch_norm in float32 on a large batch matches float64") {
  Generator gen(6);
  Tensor x = normal({2000, 40}, 3.0, 2.0, {.dtype = kFloat64}, &gen);
  Tensor y64 = ops::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true);
  Tensor y32 = ops::batch_norm(x.to(kFloat32), Tensor(), Tensor(), Tensor(), Tensor(), true);
  CHECK(tg::testing::max_abs_diff(y32.to(kFloat64), y64) < 1e-4);
}

// ---- dropout forward ---------------------------------------------------------------------

TEST_CASE("dropout keeps about 1-p of the elements, scales them, and a seed fixes the mask") {
  Tensor x = ones({200, 100});
  Generator gen(11);
  Tensor y = ops::dropout(x, 0.3, true, &gen);
  std::vector<double> v = y.to_vector();
  int64_t kept = 0;
  for (double e : v) {
    CHECK((e == 0.0 || e == doctest::Approx(1.0 / 0.7)));
    kept += e != 0.0;
  }
  double frac = static_cast<double>(kept) / static_cast<double>(v.size());
  CHECK(frac == doctest::Approx(0.7).epsilon(0.03));

  // The mask is philox::uniform_float(seed, offset, i) < 1 - p for element i.
  std::vector<double> v_again = y.to_vector();
  for (size_t i = 0; i < 1000; ++i)
    CHECK((v_again[i] != 0.0) == (static_cast<double>(philox::uniform_float(11, 0, i)) < 0.7));

  Generator same(11), other(12);
  CHECK(ops::dropout(x, 0.3, true, &same).to_vector() == v);
  CHECK(ops::dropout(x, 0.3, true, &other).to_vector() != v);
  // the generator advanced: a second call draws a fresh mask
  CHECK(ops::dropout(x, 0.3, true, &same).to_vector() != v);
  // the same seed gives the same mask in float64 and whatever the thread count
  int before = num_threads();
  set_num_threads(1);
  Generator g1(11);
  Tensor y1 = ops::dropout(x.to(kFloat64), 0.3, true, &g1);
  set_num_threads(std::max(2, before));
  Generator g2(11);
  Tensor y2 = ops::dropout(x.to(kFloat64), 0.3, true, &g2);
  set_num_threads(before);
  std::vector<double> v1 = y1.to_vector();
  CHECK(v1 == y2.to_vector());
  bool same_mask = true;
  for (size_t i = 0; i < v.size(); ++i) same_mask = same_mask && ((v1[i] != 0.0) == (v[i] != 0.0));
  CHECK(same_mask);
}

TEST_CASE("dropout: identity in eval mode and for p = 0, zeros for p = 1, default generator") {
  Tensor x = tensor({1.0, -2.0, 3.0}, {.dtype = kFloat64});
  CHECK(ops::dropout(x, 0.5, false).same(x));
  CHECK(ops::dropout(x, 0.0, true).same(x));
  Tensor z = ops::dropout(x, 1.0, true);
  CHECK(z.to_vector() == std::vector<double>{0, 0, 0});
  manual_seed(3);
  Tensor a = ops::dropout(ones({64}), 0.5, true);
  manual_seed(3);
  Tensor b = ops::dropout(ones({64}), 0.5, true);
  CHECK(a.to_vector() == b.to_vector());
  // gradient is g * mask / (1 - p): the kept elements get 2, the dropped 0
  Tensor p = ones({64}, {.dtype = kFloat64, .requires_grad = true});
  manual_seed(3);
  Tensor y = ops::dropout(p, 0.5, true);
  ops::sum(y).backward();
  CHECK(p.grad().to_vector() == y.detach().to_vector());
  // p = 1 keeps a zero gradient
  Tensor q = ones({3}, {.dtype = kFloat64, .requires_grad = true});
  ops::sum(ops::dropout(q, 1.0, true)).backward();
  CHECK(q.grad().to_vector() == std::vector<double>{0, 0, 0});
}

// ---- fused backward kernels on large inputs (threaded paths) against composed ops ----------

TEST_CASE("fused backward of softmax, layer_norm and batch_norm on large inputs matches the composed ops") {
  Generator gen(13);
  Tensor x0 = randn({300, 257}, {.dtype = kFloat64}, &gen);
  Tensor g = randn({300, 257}, {.dtype = kFloat64}, &gen);
  Tensor w0 = randn({257}, {.dtype = kFloat64}, &gen), b0 = randn({257}, {.dtype = kFloat64}, &gen);
  auto grads = [&](const std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>& f) {
    Tensor x = x0.clone().set_requires_grad(true), w = w0.clone().set_requires_grad(true);
    Tensor b = b0.clone().set_requires_grad(true);
    ops::sum(f(x, w, b) * g).backward();
    return TensorList{x.grad(), w.grad(), b.grad()};
  };
  // softmax over the rows and over dim 0
  for (int d : {1, 0}) {
    TensorList fused = grads([d](const Tensor& x, const Tensor&, const Tensor&) { return ops::softmax(x, d); });
    TensorList ref = grads([d](const Tensor& x, const Tensor&, const Tensor&) {
      return ops::exp(x - ops::logsumexp(x, d, true));
    });
    CHECK(tg::testing::max_abs_diff(fused[0], ref[0]) < 1e-12);
  }
  // layer_norm: the weight/bias gradients are summed from per-thread partials
  TensorList ln = grads([](const Tensor& x, const Tensor& w, const Tensor& b) {
    return ops::layer_norm(x, {257}, w, b, 1e-5);
  });
  TensorList ln_ref = grads([](const Tensor& x, const Tensor& w, const Tensor& b) {
    Tensor xc = x - ops::mean(x, 1, true);
    return xc * ops::rsqrt(ops::var(x, 1, false, true) + 1e-5) * w + b;
  });
  for (int i = 0; i < 3; ++i) CHECK(tg::testing::max_abs_diff(ln[i], ln_ref[i]) < 1e-9);
  // batch_norm training over 300 rows of 257 channels
  TensorList bn = grads([](const Tensor& x, const Tensor& w, const Tensor& b) {
    return ops::batch_norm(x, Tensor(), Tensor(), w, b, true, 0.1, 1e-5);
  });
  TensorList bn_ref = grads([](const Tensor& x, const Tensor& w, const Tensor& b) {
    Tensor xc = x - ops::mean(x, 0, true);
    return xc * ops::rsqrt(ops::var(x, 0, false, true) + 1e-5) * w + b;
  });
  for (int i = 0; i < 3; ++i) CHECK(tg::testing::max_abs_diff(bn[i], bn_ref[i]) < 1e-9);
}

// ---- errors ------------------------------------------------------------------------------

TEST_CASE("nnfunc errors name the op and the shapes") {
  Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(ops::softmax(x, 2), doctest::Contains("softmax: dimension 2 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::softmax(zeros({2, 3}, {.dtype = kInt64}), 1), doctest::Contains("softmax: needs a float32"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::softmax(x, 1, zeros({2, 3})), doctest::Contains("softmax: mask must be bool or uint8"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::log_softmax(x, 1, ones({4}).to(kBool)),
                       doctest::Contains("log_softmax: shapes [2,3] and [4] cannot be broadcast"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::softmax(x, 1, ones({2, 2, 3}).to(kBool)),
                       doctest::Contains("softmax: mask [2,2,3] does not broadcast to input [2,3]"), tg::Error);

  CHECK_THROWS_WITH_AS(ops::layer_norm(x, {4}),
                       doctest::Contains("layer_norm: normalized_shape [4] does not match the last 1 dims of input [2,3]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::layer_norm(x, {2, 2, 3}), doctest::Contains("layer_norm: normalized_shape [2,2,3]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::layer_norm(x, {3}, ones({4})),
                       doctest::Contains("layer_norm: weight has shape [4], expected [3]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::layer_norm(x, {3}, Tensor(), ones({3}, {.dtype = kFloat64})),
                       doctest::Contains("layer_norm: bias is float64"), tg::Error);

  Tensor rm = zeros({3}), rv = ones({3});
  CHECK_THROWS_WITH_AS(ops::batch_norm(zeros({1, 3}), rm, rv, Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: expected more than 1 value per channel"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::batch_norm(zeros({1, 3, 1}), rm, rv, Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: expected more than 1 value per channel"), tg::Error);
  CHECK_NOTHROW(ops::batch_norm(zeros({1, 3}), rm, rv, Tensor(), Tensor(), false));  // eval: fine
  CHECK_THROWS_WITH_AS(ops::batch_norm(zeros({4}), rm, rv, Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: expected a [N, C] or [N, C, L] input, got [4]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::batch_norm(zeros({4, 2}), rm, rv, Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: running_mean has shape [3], expected [2]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::batch_norm(zeros({4, 3}), Tensor(), Tensor(), Tensor(), Tensor(), false),
                       doctest::Contains("batch_norm: eval mode needs running_mean"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::batch_norm(zeros({4, 3}), rm, Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: running_mean and running_var"), tg::Error);

  CHECK_THROWS_WITH_AS(ops::dropout(x, 1.5, true), doctest::Contains("dropout: probability p = 1.5 is not in [0, 1]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::dropout(x, -0.1, false), doctest::Contains("dropout: probability"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::dropout(zeros({2}, {.dtype = kInt32}), 0.5, true), doctest::Contains("dropout: needs a"),
                       tg::Error);
}

// ---- gradchecks --------------------------------------------------------------------------

TEST_CASE("gradcheck softmax") {
  Tensor a = input({3, 5}, 21, -2.0, 2.0);
  CHECK(gradcheck([](const TensorList& in) { return ops::softmax(in[0], -1); }, {a}));
  Tensor b = input({2, 3, 4}, 22, -2.0, 2.0);  // middle dim: the column-block path
  CHECK(gradcheck([](const TensorList& in) { return ops::softmax(in[0], 1); }, {b}));
  Tensor c = input({6}, 23, -3.0, 3.0);
  CHECK(gradcheck([](const TensorList& in) { return ops::softmax(in[0], 0); }, {c}));
}

TEST_CASE("gradcheck softmax with a mask and an all-masked row") {
  Tensor x = input({4, 5}, 24, -2.0, 2.0);
  Tensor mask = bool_mask({1, 0, 1, 1, 0,  //
                           0, 0, 0, 0, 0,  // all masked
                           1, 1, 1, 1, 1,  //
                           0, 0, 1, 0, 0},
                          {4, 5});
  CHECK(gradcheck([mask](const TensorList& in) { return ops::softmax(in[0], 1, mask); }, {x}));
  // broadcast mask [1, 5] over a 3-D input, normalising over the middle dim
  Tensor x3 = input({2, 3, 5}, 25, -2.0, 2.0);
  Tensor col_mask = bool_mask({1, 0, 1, 1, 1}, {1, 5});
  Tensor m3 = ops::logical_and(col_mask, bool_mask({1, 0, 1}, {3, 1}));  // [3, 5]: column 1 all masked
  CHECK(gradcheck([m3](const TensorList& in) { return ops::softmax(in[0], 1, m3); }, {x3}));
  // masked positions get exactly zero gradient
  Generator gen(9);
  Tensor v = randn({4, 5}, {.dtype = kFloat64}, &gen);
  ops::sum(ops::softmax(x, 1, mask) * v).backward();
  std::vector<double> g = x.grad().to_vector(), m = mask.to_vector();
  for (size_t i = 0; i < g.size(); ++i)
    if (m[i] == 0) CHECK(g[i] == 0.0);
  CHECK(all_finite(x.grad()));
  x.zero_grad();
}

TEST_CASE("gradcheck softmax over dim 0 of a non-contiguous input") {
  Tensor a = strided_input({5, 4}, 0, 26, -2.0, 2.0);  // transposed
  CHECK_FALSE(a.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::softmax(in[0], 0); }, {a}));
  Tensor b = strided_input({3, 2, 4}, 1, 27, -2.0, 2.0);  // every other row of dim 0
  CHECK_FALSE(b.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::softmax(in[0], 0); }, {b}));
  CHECK(gradcheck([](const TensorList& in) { return ops::log_softmax(in[0], -1); }, {b}));
}

TEST_CASE("gradcheck log_softmax") {
  Tensor a = input({3, 6}, 28, -2.0, 2.0);
  CHECK(gradcheck([](const TensorList& in) { return ops::log_softmax(in[0], -1); }, {a}));
  Tensor b = input({4, 3, 2}, 29, -2.0, 2.0);
  CHECK(gradcheck([](const TensorList& in) { return ops::log_softmax(in[0], 0); }, {b}));
}

TEST_CASE("gradcheck log_softmax with a mask") {
  Tensor x = input({3, 4}, 30, -2.0, 2.0);
  Tensor mask = bool_mask({1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}, {3, 4});  // row 1 all masked, row 2 one kept
  CHECK(gradcheck([mask](const TensorList& in) { return ops::log_softmax(in[0], -1, mask); }, {x}));
  Tensor x0 = input({4, 3}, 31, -2.0, 2.0);  // over dim 0 with the transposed mask: column path
  Tensor mt = mask.t().contiguous();
  CHECK(gradcheck([mt](const TensorList& in) { return ops::log_softmax(in[0], 0, mt); }, {x0}));
  // the masked NLL downstream stays finite and masked positions get zero gradient
  ops::sum(ops::log_softmax(x, -1, mask)).backward();
  std::vector<double> g = x.grad().to_vector(), m = mask.to_vector();
  for (size_t i = 0; i < g.size(); ++i)
    if (m[i] == 0) CHECK(g[i] == 0.0);
  x.zero_grad();
}

TEST_CASE("gradcheck layer_norm with weight and bias") {
  Tensor x = input({4, 6}, 32);
  Tensor w = input({6}, 33, 0.5, 1.5), b = input({6}, 34);
  CHECK(gradcheck([](const TensorList& in) { return ops::layer_norm(in[0], {6}, in[1], in[2]); }, {x, w, b}));
  Tensor xs = strided_input({5, 3}, 0, 35);
  Tensor w3 = input({3}, 36, 0.5, 1.5), b3 = input({3}, 37);
  CHECK(gradcheck([](const TensorList& in) { return ops::layer_norm(in[0], {3}, in[1], in[2], 1e-3); }, {xs, w3, b3}));
  // weight only, bias only, neither
  CHECK(gradcheck([](const TensorList& in) { return ops::layer_norm(in[0], {6}, in[1]); }, {x, w}));
  CHECK(gradcheck([](const TensorList& in) { return ops::layer_norm(in[0], {6}, Tensor(), in[1]); }, {x, b}));
  CHECK(gradcheck([](const TensorList& in) { return ops::layer_norm(in[0], {6}); }, {x}));
}

TEST_CASE("gradcheck layer_norm over the last two dims") {
  Tensor x = input({2, 3, 2, 4}, 38);
  Tensor w = input({2, 4}, 39, 0.5, 1.5), b = input({2, 4}, 40);
  CHECK(gradcheck([](const TensorList& in) { return ops::layer_norm(in[0], {2, 4}, in[1], in[2]); }, {x, w, b}));
}

TEST_CASE("gradcheck batch_norm training") {
  Tensor x = input({6, 3}, 41);
  Tensor w = input({3}, 42, 0.5, 1.5), b = input({3}, 43);
  Tensor rm = zeros({3}, {.dtype = kFloat64}), rv = ones({3}, {.dtype = kFloat64});
  CHECK(gradcheck([rm, rv](const TensorList& in) { return ops::batch_norm(in[0], rm, rv, in[1], in[2], true); },
                  {x, w, b}));
  // the running stats were updated by every evaluation but never became part of the graph
  CHECK_FALSE(rm.requires_grad());
  Tensor xs = strided_input({5, 4}, 0, 44);
  CHECK(gradcheck([](const TensorList& in) { return ops::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true); },
                  {xs}));
}

TEST_CASE("gradcheck batch_norm eval") {
  Tensor x = input({5, 3}, 45);
  Tensor w = input({3}, 46, 0.5, 1.5), b = input({3}, 47);
  Tensor rm = tensor({0.1, -0.2, 0.3}, {.dtype = kFloat64}), rv = tensor({0.5, 1.0, 2.0}, {.dtype = kFloat64});
  CHECK(gradcheck([rm, rv](const TensorList& in) { return ops::batch_norm(in[0], rm, rv, in[1], in[2], false); },
                  {x, w, b}));
  CHECK(gradcheck([rm, rv](const TensorList& in) { return ops::batch_norm(in[0], rm, rv, Tensor(), Tensor(), false); },
                  {x}));
}

TEST_CASE("gradcheck batch_norm 3-D input") {
  Tensor x = input({4, 3, 5}, 48);
  Tensor w = input({3}, 49, 0.5, 1.5), b = input({3}, 50);
  Tensor rm = zeros({3}, {.dtype = kFloat64}), rv = ones({3}, {.dtype = kFloat64});
  CHECK(gradcheck([rm, rv](const TensorList& in) { return ops::batch_norm(in[0], rm, rv, in[1], in[2], true); },
                  {x, w, b}));
  CHECK(gradcheck([rm, rv](const TensorList& in) { return ops::batch_norm(in[0], rm, rv, in[1], in[2], false); },
                  {x, w, b}));
  Tensor xs = strided_input({2, 3, 4}, 0, 51);
  CHECK(gradcheck([rm, rv](const TensorList& in) { return ops::batch_norm(in[0], rm, rv, Tensor(), in[1], true); },
                  {xs, b}));
}

TEST_CASE("gradcheck dropout with a fixed seed") {
  Tensor x = input({4, 7}, 52);
  Generator gen(99);
  // Re-seed inside f so every evaluation (analytic and finite differences) draws the same mask.
  CHECK(gradcheck([&gen](const TensorList& in) {
    gen.manual_seed(99);
    return ops::dropout(in[0], 0.4, true, &gen);
  }, {x}));
  Tensor xs = strided_input({3, 5}, 0, 53);
  CHECK(gradcheck([&gen](const TensorList& in) {
    gen.manual_seed(5);
    return ops::dropout(in[0], 0.25, true, &gen) * 2.0;
  }, {xs}));
}
