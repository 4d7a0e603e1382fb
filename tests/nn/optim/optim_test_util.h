// Helpers shared by the nn/optim tests: 2-element float64 parameters whose gradient is known.
#pragma once
#include <vector>

#include "core/tapegrad.h"
#include "nn/optim/optim.h"
#include "ops/ops.h"

namespace optim_test {

using tg::Tensor;

inline Tensor param2(double a, double b) {
  return tg::from_vector(std::vector<double>{a, b}, {2}).set_requires_grad(true);
}
// Sets .grad to exactly (ga, gb) through the tape: loss = sum(g * p).
inline void grad_const(const Tensor& p, double ga, double gb) {
  tg::ops::sum(tg::ops::mul(p, tg::from_vector(std::vector<double>{ga, gb}, {2}))).backward();
}
// loss = sum(p^2) / 2, so .grad = p: the gradient changes from step to step.
inline void grad_quadratic(const Tensor& p) {
  tg::ops::mul(tg::ops::sum(tg::ops::mul(p, p)), tg::scalar_tensor(0.5, {.dtype = tg::kFloat64})).backward();
}
// zero_grad, set the gradient with `grad`, step.
template <class G> void step(tg::nn::Optimizer& opt, const Tensor& p, G&& grad) {
  opt.zero_grad();
  grad(p);
  opt.step();
}

}  // namespace optim_test
