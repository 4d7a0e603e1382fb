// The activation and logloss kernels' per-element functions (ops/cuda/activation_math.h,
// ops/cuda/loss_math.h), run on the host and checked against the CPU backend's ops,
// forward and backward (the gradient functions against the CPU's autograd). Bounds: a few
// float32 ulps (1e-6), since the compiler may fuse multiply-adds differently in the CPU's
// vectorised loops and here; 1e-12 in float64.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "core/rng.h"
#include "ops/activation_cpu.h"
#include "ops/cuda/activation_math.h"
#include "ops/cuda/dropout_math.h"
#include "ops/cuda/layer_norm_math.h"
#include "ops/cuda/loss_math.h"
#include "ops/cuda/softmax_math.h"
#include "ops/ops.h"

using namespace tg;
namespace cu = tg::ops::cuda;

namespace {

// Max relative difference between f applied elementwise on the host and the CPU result.
template <class T, class F> double max_rel_diff(const Tensor& x, const Tensor& want, F f) {
  std::vector<double> xs = x.to_vector(), ws = want.to_vector();
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double got = static_cast<double>(f(static_cast<T>(xs[i]), i));
    worst = std::max(worst, std::abs(got - ws[i]) / std::max(std::abs(ws[i]), 1e-30));
  }
  return worst;
}

}  // namespace

TEST_CASE("cuda activation math: the enum mirrors the CPU's") {
  CHECK(static_cast<int>(cu::Activation::Softplus) == static_cast<int>(ops::cpu::Activation::Softplus));
  CHECK(static_cast<int>(cu::Activation::GeluTanh) == static_cast<int>(ops::cpu::Activation::GeluTanh));
}

TEST_CASE("cuda activation math: values and gradients match the CPU ops") {
  manual_seed(41);
  struct Case {
    cu::Activation kind;
    std::function<Tensor(const Tensor&)> op;
    double p;
    bool saves_output;
  };
  const std::vector<Case> cases = {
      {cu::Activation::Relu, [](auto& x) { return ops::relu(x); }, 0, false},
      {cu::Activation::LeakyRelu, [](auto& x) { return ops::leaky_relu(x, 0.2); }, 0.2, false},
      {cu::Activation::Sigmoid, [](auto& x) { return ops::sigmoid(x); }, 0, true},
      {cu::Activation::Tanh, [](auto& x) { return ops::tanh(x); }, 0, true},
      {cu::Activation::Silu, [](auto& x) { return ops::silu(x); }, 0, false},
      {cu::Activation::Gelu, [](auto& x) { return ops::gelu(x); }, 0, false},
      {cu::Activation::GeluTanh, [](auto& x) { return ops::gelu(x, true); }, 0, false},
      {cu::Activation::Softplus, [](auto& x) { return ops::softplus(x, 1.5); }, 1.5, false},
  };
  for (DType dt : {kFloat32, kFloat64}) {
    Tensor x = uniform({200}, -6, 6, {.dtype = dt});
    for (const Case& c : cases) {
      CAPTURE(static_cast<int>(c.kind));
      Tensor xl = x.clone().set_requires_grad();
      Tensor y = c.op(xl);
      Tensor g = uniform({200}, 0.5, 1.5, {.dtype = dt});
      y.backward(g);
      std::vector<double> yv = y.to_vector(), gv = g.to_vector();
      auto check_both = [&]<class T>() {
        const double tol = sizeof(T) == 4 ? 1e-6 : 1e-12;
        CHECK(max_rel_diff<T>(x, y, [&](T v, size_t) { return cu::activation_value<T>(c.kind, v, c.p); }) <= tol);
        CHECK(max_rel_diff<T>(x, xl.grad(), [&](T v, size_t i) {
                const T saved = c.saves_output ? static_cast<T>(yv[i]) : v;
                return cu::activation_grad<T>(c.kind, static_cast<T>(gv[i]), saved, c.p);
              }) <= tol);
      };
      if (dt == kFloat32) check_both.template operator()<float>();
      else check_both.template operator()<double>();
    }
  }
}

TEST_CASE("cuda loss math: logloss values and gradients match the CPU op") {
  manual_seed(42);
  for (double pw : {1.0, 3.0}) {
    Tensor x = uniform({100}, -8, 8).set_requires_grad();
    Tensor y = ops::gt(uniform({100}, 0, 1), 0.6).to(kFloat32);
    Tensor per = ops::logloss(x, y, {.reduction = ops::Reduction::None, .pos_weight = pw});
    Tensor mean = ops::logloss(x, y, {.pos_weight = pw});
    mean.backward();
    std::vector<double> yv = y.to_vector();
    CHECK(max_rel_diff<float>(x.detach(), per, [&](float v, size_t i) {
            return cu::logloss_value<float>(v, static_cast<float>(yv[i]), pw);
          }) <= 1e-6);
    CHECK(max_rel_diff<float>(x.detach(), x.grad(), [&](float v, size_t i) {
            return cu::logloss_grad<float>(1.0f, v, static_cast<float>(yv[i]), pw, 1.0 / 100);
          }) <= 1e-6);
  }
}

TEST_CASE("cuda dropout math: the Philox mask and scaling match the CPU dropout") {
  const int64_t n = 1001;  // not a multiple of 4: the last Philox block is partial
  const double p = 0.3;
  Tensor x = uniform({n}, 0.5, 1.5);  // never zero, so out == 0 means dropped
  Generator gen(77), twin(77);
  gen.set_offset(12);
  twin.set_offset(12);
  Tensor out = ops::dropout(x, p, true, &gen);
  const uint64_t offset = twin.advance((static_cast<uint64_t>(n) + 3) / 4);  // what dropout reserved
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  const float* xv = x.data<float>();
  const float* ov = out.data<float>();
  int64_t kept = 0;
  for (int64_t blk = 0; blk < (n + 3) / 4; ++blk) {
    bool keep[4];
    cu::dropout_keep4(77, offset, blk, 1.0 - p, keep);
    for (int j = 0; j < 4 && blk * 4 + j < n; ++j) {
      const int64_t i = blk * 4 + j;
      kept += keep[j];
      REQUIRE(cu::dropout_value(keep[j], xv[i], scale) == ov[i]);
    }
  }
  CHECK(kept > n / 2);  // about 70% kept
  CHECK(kept < n * 9 / 10);
}

TEST_CASE("cuda softmax math: line functions match the CPU softmax, masks and empty lines included") {
  manual_seed(43);
  const int64_t outer = 3, n = 7, inner = 4;
  Tensor x = uniform({outer, n, inner}, -4, 4);
  Tensor mask = ops::gt(uniform({outer, n, inner}, 0, 1), 0.4);
  for (int64_t k = 0; k < n; ++k) mask.set({2, k, 1}, 0);  // one line with nothing kept
  for (bool log : {false, true}) {
    for (bool masked : {false, true}) {
      CAPTURE(log);
      CAPTURE(masked);
      Tensor m = masked ? mask : Tensor();
      Tensor xl = x.clone().set_requires_grad();
      Tensor want = log ? ops::log_softmax(xl, 1, m) : ops::softmax(xl, 1, m);
      Tensor g = uniform({outer, n, inner}, -1, 1);
      want.backward(g);
      std::vector<float> y(static_cast<size_t>(x.numel())), dx(y.size());
      const uint8_t* mp = masked ? mask.data<uint8_t>() : nullptr;
      for (int64_t line = 0; line < outer * inner; ++line) {
        const int64_t at = (line / inner) * n * inner + line % inner;
        cu::softmax_line(x.data<float>() + at, mp ? mp + at : nullptr, n, inner, log, y.data() + at);
        cu::softmax_backward_line(y.data() + at, g.data<float>() + at, mp ? mp + at : nullptr, n, inner, log,
                                  dx.data() + at);
      }
      std::vector<double> wy = want.detach().to_vector(), wdx = xl.grad().to_vector();
      for (size_t i = 0; i < y.size(); ++i) {
        // The CPU's float32 exp is fast_exp (about 1 ulp), ours libm's expf: a few ulps apart.
        CHECK(y[i] == doctest::Approx(wy[i]).epsilon(1e-5).scale(1e-6));
        CHECK(dx[i] == doctest::Approx(wdx[i]).epsilon(1e-4).scale(1e-6));
      }
    }
  }
}

TEST_CASE("cuda layer_norm math: rows, dx and the parameter columns match the CPU layer_norm") {
  manual_seed(44);
  const int64_t rows = 6, n = 10;
  Tensor x = uniform({rows, n}, -2, 3), w = uniform({n}, 0.5, 1.5), b = uniform({n}, -0.5, 0.5);
  Tensor xl = x.clone().set_requires_grad(), wl = w.clone().set_requires_grad(), bl = b.clone().set_requires_grad();
  Tensor want = ops::layer_norm(xl, {n}, wl, bl, 1e-5);
  Tensor g = uniform({rows, n}, -1, 1);
  want.backward(g);
  std::vector<float> y(rows * n), mean(rows), rstd(rows), dx(rows * n), dw(n), db(n);
  for (int64_t r = 0; r < rows; ++r) {
    cu::layer_norm_row(x.data<float>() + r * n, w.data<float>(), b.data<float>(), n, 1e-5, y.data() + r * n,
                       mean.data() + r, rstd.data() + r);
    cu::layer_norm_backward_row(g.data<float>() + r * n, x.data<float>() + r * n, w.data<float>(), mean[r], rstd[r], n,
                                dx.data() + r * n);
  }
  for (int64_t i = 0; i < n; ++i)
    cu::layer_norm_param_column(g.data<float>(), x.data<float>(), mean.data(), rstd.data(), rows, n, i, &dw[i], &db[i]);
  auto close = [](const std::vector<float>& got, const Tensor& t) {
    std::vector<double> w = t.to_vector();
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(w[i]).epsilon(1e-5));
  };
  close(y, want.detach());
  close(dx, xl.grad());
  close(dw, wl.grad());
  close(db, bl.grad());
}
