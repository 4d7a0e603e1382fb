#include "tests/gradcheck.h"

#include <cmath>
#include <vector>

#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg::testing {

Tensor input(const Shape& shape, uint64_t seed, double lo, double hi) {
  Generator gen(seed);
  return uniform(shape, lo, hi, {.dtype = kFloat64}, &gen).set_requires_grad(true);
}

Tensor strided_input(const Shape& shape, int kind, uint64_t seed, double lo, double hi) {
  Generator gen(seed);
  Tensor t;
  if (kind == 0 && shape.size() >= 2) {
    Shape swapped = shape;
    std::swap(swapped[swapped.size() - 1], swapped[swapped.size() - 2]);
    t = uniform(swapped, lo, hi, {.dtype = kFloat64}, &gen).transpose(-1, -2);
  } else {
    Shape doubled = shape;
    doubled[0] = shape[0] * 2;
    t = uniform(doubled, lo, hi, {.dtype = kFloat64}, &gen).slice(0, 0, doubled[0], 2);
  }
  return t.set_requires_grad(true);
}

Tensor input_away_from_zero(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  NoGradGuard g;
  Tensor mag = uniform(shape, 0.2, 1.2, {.dtype = kFloat64}, &gen);
  Tensor sgn = ops::sign(uniform(shape, -1.0, 1.0, {.dtype = kFloat64}, &gen));
  sgn = ops::where(ops::eq(sgn, 0.0), ops::add(sgn, 1.0), sgn);
  return ops::mul(mag, sgn).detach().set_requires_grad(true);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  check(a.shape() == b.shape(), "max_abs_diff: shapes {} and {} differ", a.shape(), b.shape());
  std::vector<double> x = a.to_vector(), y = b.to_vector();
  double m = 0;
  for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
  return m;
}

}  // namespace tg::testing
