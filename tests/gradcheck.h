// Finite-difference gradient checking, used by every differentiable op's test.
//
// gradcheck(f, inputs) compares the analytic gradient of f (from backward) with central
// differences (f(x+eps) - f(x-eps)) / 2eps in float64, for every element of every input
// that requires grad. To check the whole Jacobian without one backward per output
// element, it compares vector-Jacobian products v^T J for several random v (a wrong
// Jacobian entry shows up in every v with probability 1). Tolerances as PyTorch's
// gradcheck: |analytic - numeric| <= atol + rtol * |numeric|.
//
// Kinks: keep inputs away from non-differentiable points (relu/abs at 0, ties in max).
//
//   auto x = tg::testing::input({3, 4});           // float64, requires grad
//   CHECK(tg::testing::gradcheck([](const tg::TensorList& in) { return tg::ops::exp(in[0]); }, {x}));
#pragma once
#include <functional>
#include <ostream>
#include <string>

#include "core/tapegrad.h"

namespace tg::testing {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  int projections = 3;  // random vectors v
  uint64_t seed = 1234;
};

struct GradcheckResult {
  bool ok = true;
  std::string report;  // per input: max abs error, and the first mismatches
  explicit operator bool() const { return ok; }
};
std::ostream& operator<<(std::ostream& os, const GradcheckResult& r);

GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                          GradcheckOptions options = {});

// A float64 leaf with values uniform in [lo, hi) that requires grad (seeded).
Tensor input(const Shape& shape, uint64_t seed = 7, double lo = -1.0, double hi = 1.0);
// The same, but non-contiguous: built as the permutation/slice of a larger tensor, so ops
// see real strides. kind 0: transposed last two dims; kind 1: every other element of dim 0.
Tensor strided_input(const Shape& shape, int kind, uint64_t seed = 7, double lo = -1.0, double hi = 1.0);
// Values bounded away from zero (|x| in [0.2, 1.2]), for kinks at 0 (relu, abs, log of |x|).
Tensor input_away_from_zero(const Shape& shape, uint64_t seed = 7);

// Max |a - b| over all elements (shapes must match).
double max_abs_diff(const Tensor& a, const Tensor& b);

}  // namespace tg::testing
