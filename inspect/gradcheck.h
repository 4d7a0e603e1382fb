#pragma once
// Finite-difference gradient checking: every op's test, the model tests and the
// tapegrad-gradcheck app use this one implementation.
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
//   auto x = tg::uniform({3, 4}, -1, 1, {.dtype = tg::kFloat64}).set_requires_grad(true);
//   auto r = tg::gradcheck([](const tg::TensorList& in) { return tg::ops::exp(in[0]); }, {x});
//   if (!r) fmt::print("{}", r.report);
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tg {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  int projections = 3;       // random vectors v
  uint64_t seed = 1234;
  int64_t max_elements = 0;  // per input, check at most this many elements, evenly spread (0: all)
};

// The verdict on one input.
struct TensorCheck {
  size_t index = 0;
  std::string name;              // the tensor's name(), or "input <i>"
  Shape shape;
  int64_t checked = 0;           // elements perturbed
  double max_abs_error = 0;      // over elements and projections
  double max_rel_error = 0;      // |a - n| / max(|a|, |n|, atol)
  double analytic = 0, numeric = 0;  // at the worst element
  int64_t worst_element = -1;
  bool ok = true;
};

struct GradcheckResult {
  bool ok = true;
  std::string report;  // per input: max abs error, and the first mismatches
  std::vector<TensorCheck> tensors;  // one per input that requires grad
  explicit operator bool() const { return ok; }
};
std::ostream& operator<<(std::ostream& os, const GradcheckResult& r);

GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                          GradcheckOptions options = {});

}  // namespace tg
