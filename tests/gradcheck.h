// Finite-difference gradient checking for the tests: the library's gradcheck
// (inspect/gradcheck.h, which explains the method) and the inputs the tests feed it.
//
// Kinks: keep inputs away from non-differentiable points (relu/abs at 0, ties in max).
//
//   auto x = tg::testing::input({3, 4});           // float64, requires grad
//   CHECK(tg::testing::gradcheck([](const tg::TensorList& in) { return tg::ops::exp(in[0]); }, {x}));
#pragma once

#include "core/tapegrad.h"
#include "inspect/gradcheck.h"

namespace tg::testing {

// The checker itself lives in the library (inspect/gradcheck.h); the tests name it here.
using tg::gradcheck;
using tg::GradcheckOptions;
using tg::GradcheckResult;

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
