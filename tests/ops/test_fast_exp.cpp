// ops/fast_exp.h: the vectorisable float exp used by the float32 softmax kernels, against
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
