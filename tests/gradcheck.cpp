#include "tests/gradcheck.h"

#include <cmath>
#include <vector>

#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg::testing {

std::ostream& operator<<(std::ostream& os, const GradcheckResult& r) { return os << "\n" << r.report; }

namespace {

// Element offsets (in elements, from the storage start) of every element of t, row-major.
std::vector<int64_t> element_offsets(const Tensor& t) {
  std::vector<int64_t> offs;
  offs.reserve(static_cast<size_t>(t.numel()));
  Shape idx = Shape::filled(t.dim(), 0);
  for (int64_t k = 0; k < t.numel(); ++k) {
    int64_t off = t.offset();
    for (int d = 0; d < t.dim(); ++d) off += idx[d] * t.strides()[d];
    offs.push_back(off);
    for (int d = t.dim() - 1; d >= 0; --d) {
      if (++idx[d] < t.shape()[d]) break;
      idx[d] = 0;
    }
  }
  return offs;
}

double project(const Tensor& out, const Tensor& v) {
  NoGradGuard g;
  return ops::sum(ops::mul(out.to(kFloat64), v)).item();
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                          GradcheckOptions opt) {
  GradcheckResult result;
  for (const Tensor& x : inputs)
    if (x.requires_grad())
      check(x.dtype() == kFloat64 && x.is_leaf(), "gradcheck: inputs that require grad must be float64 leaves, got {}",
            x.describe());
  Tensor probe;
  {
    NoGradGuard g;
    probe = f(inputs);
  }
  Generator gen(opt.seed);
  for (int p = 0; p < opt.projections; ++p) {
    Tensor v = randn(probe.shape(), {.dtype = kFloat64}, &gen);
    // Analytic: gradient of sum(f(x) * v).
    for (const Tensor& x : inputs) const_cast<Tensor&>(x).zero_grad();
    Tensor out = f(inputs);
    if (!out.requires_grad()) {
      result.ok = false;
      result.report += "output does not require grad (no graph was recorded)\n";
      return result;
    }
    ops::sum(ops::mul(out.to(kFloat64), v)).backward();

    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& x = inputs[i];
      if (!x.requires_grad()) continue;
      Tensor analytic = x.grad().defined() ? x.grad().to_dense() : zeros_like(x);
      std::vector<double> a = analytic.to_vector();
      double* base = static_cast<double*>(x.storage()->data());
      std::vector<int64_t> offs = element_offsets(x);
      double worst = 0;
      int shown = 0;
      for (size_t j = 0; j < offs.size(); ++j) {
        double saved = base[offs[j]];
        base[offs[j]] = saved + opt.eps;
        double plus;
        double minus;
        {
          NoGradGuard g;
          plus = project(f(inputs), v);
          base[offs[j]] = saved - opt.eps;
          minus = project(f(inputs), v);
        }
        base[offs[j]] = saved;
        double numeric = (plus - minus) / (2 * opt.eps);
        double err = std::abs(a[j] - numeric);
        worst = std::max(worst, err);
        if (!(err <= opt.atol + opt.rtol * std::abs(numeric))) {
          result.ok = false;
          if (shown++ < 5)
            result.report += fmt::format("  input {} {} element {}: analytic {:.8g} vs numeric {:.8g} (projection {})\n",
                                         i, x.shape(), j, a[j], numeric, p);
        }
      }
      if (p == 0) result.report += fmt::format("input {} {}: max abs error {:.3g}\n", i, x.shape(), worst);
    }
  }
  for (const Tensor& x : inputs) const_cast<Tensor&>(x).zero_grad();
  return result;
}

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
