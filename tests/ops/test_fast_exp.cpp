// ops/fast_exp.h: the vectorisable float exp (softmax) and tanh (activations), against
// libm in double over the whole float range, and its edge values.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ops/fast_exp.h"
#include "ops/ops.h"

using tg::ops::cpu::fast_exp;

TEST_CASE("fast_exp: within 2.5e-7 relative of exp over the normal range, exact edges") {
  double worst = 0;
  for (double x = -87.3; x < 88.7; x += 3.7e-4) {
    const float f = static_cast<float>(x);
    const double want = std::exp(static_cast<double>(f));
    worst = std::max(worst, std::abs(static_cast<double>(fast_exp(f)) - want) / want);
  }
  CHECK(worst < 2.5e-7);
  CHECK(worst > 0);  // it is an approximation: the check above must be able to fail
  CHECK(fast_exp(0.0f) == 1.0f);
  CHECK(fast_exp(-1000.0f) == 0.0f);
  CHECK(fast_exp(-std::numeric_limits<float>::infinity()) == 0.0f);
  CHECK(std::isinf(fast_exp(100.0f)));
  CHECK(std::isinf(fast_exp(std::numeric_limits<float>::infinity())));
  CHECK(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("softmax float32 (fast_exp) agrees with the float64 kernel") {
  tg::Tensor x = tg::randn({37, 129}, {.dtype = tg::kFloat64}).mul_(4.0);
  tg::Tensor y64 = tg::ops::softmax(x, 1);
  tg::Tensor y32 = tg::ops::softmax(x.to(tg::kFloat32), 1).to(tg::kFloat64);
  CHECK(tg::ops::max(tg::ops::abs(tg::ops::sub(y64, y32))).item<double>() < 1e-6);
  tg::Tensor sums = tg::ops::sum(y32, 1);
  CHECK(tg::ops::max(tg::ops::abs(tg::ops::sub(sums, tg::ones_like(sums)))).item<double>() < 1e-6);
}

TEST_CASE("fast_tanh: within 5e-7 relative of tanh, exact signs and limits; float32 tanh uses it") {
  using tg::ops::cpu::fast_tanh;
  double worst = 0;
  for (double x = -12; x < 12; x += 1.3e-4) {
    const float f = static_cast<float>(x);
    const double want = std::tanh(static_cast<double>(f));
    if (want == 0) continue;
    worst = std::max(worst, std::abs(static_cast<double>(fast_tanh(f)) - want) / std::abs(want));
  }
  for (float f = 1e-30f; f < 1e-2f; f *= 1.7f) {  // tiny inputs: tanh x = x to float precision
    CHECK(fast_tanh(f) == doctest::Approx(std::tanh(static_cast<double>(f))).epsilon(5e-7));
    CHECK(fast_tanh(-f) == -fast_tanh(f));
  }
  CHECK(worst < 5e-7);
  CHECK(worst > 0);  // an approximation: the bound above can fail
  CHECK(fast_tanh(0.0f) == 0.0f);
  CHECK(fast_tanh(100.0f) == 1.0f);
  CHECK(fast_tanh(-100.0f) == -1.0f);
  CHECK(fast_tanh(std::numeric_limits<float>::infinity()) == 1.0f);
  CHECK(fast_tanh(-std::numeric_limits<float>::infinity()) == -1.0f);
  CHECK(std::isnan(fast_tanh(std::numeric_limits<float>::quiet_NaN())));
  // The float32 op agrees with the float64 (libm) op.
  tg::Tensor x = tg::randn({64, 50}, {.dtype = tg::kFloat64}).mul_(3.0);
  tg::Tensor y64 = tg::ops::tanh(x), y32 = tg::ops::tanh(x.to(tg::kFloat32)).to(tg::kFloat64);
  CHECK(tg::ops::max(tg::ops::abs(tg::ops::sub(y64, y32))).item<double>() < 1e-6);
}
