#include "inspect/gradcheck.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/autograd.h"
#include "core/rng.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg {

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

// Which elements to perturb: all, or `limit` of them evenly spread (first and last included).
std::vector<int64_t> chosen_elements(int64_t n, int64_t limit) {
  std::vector<int64_t> out;
  if (limit <= 0 || n <= limit) {
    for (int64_t j = 0; j < n; ++j) out.push_back(j);
    return out;
  }
  for (int64_t k = 0; k < limit; ++k) out.push_back(limit == 1 ? 0 : k * (n - 1) / (limit - 1));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double project(const Tensor& out, const Tensor& v) {
  NoGradGuard g;
  return ops::sum(ops::mul(out.to(kFloat64), v)).item();
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                          GradcheckOptions opt) {
  GradcheckResult result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.requires_grad()) continue;
    check(x.dtype() == kFloat64 && x.is_leaf(), "gradcheck: inputs that require grad must be float64 leaves, got {}",
          x.describe());
    TensorCheck c;
    c.index = i;
    c.name = x.name().empty() ? fmt::format("input {}", i) : x.name();
    c.shape = x.shape();
    result.tensors.push_back(c);
  }
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
      for (TensorCheck& c : result.tensors) c.ok = false;
      return result;
    }
    ops::sum(ops::mul(out.to(kFloat64), v)).backward();

    for (TensorCheck& c : result.tensors) {
      const Tensor& x = inputs[c.index];
      Tensor analytic = x.grad().defined() ? x.grad().to_dense() : zeros_like(x);
      std::vector<double> a = analytic.to_vector();
      double* base = static_cast<double*>(x.storage()->data());
      std::vector<int64_t> offs = element_offsets(x);
      const std::vector<int64_t> chosen = chosen_elements(static_cast<int64_t>(offs.size()), opt.max_elements);
      c.checked = static_cast<int64_t>(chosen.size());
      double worst = 0;
      int shown = 0;
      for (int64_t jj : chosen) {
        const auto j = static_cast<size_t>(jj);
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
        double rel = err / std::max({std::abs(a[j]), std::abs(numeric), opt.atol});
        worst = std::max(worst, err);
        if (err > c.max_abs_error || c.worst_element < 0) {
          c.max_abs_error = err;
          c.analytic = a[j];
          c.numeric = numeric;
          c.worst_element = jj;
        }
        c.max_rel_error = std::max(c.max_rel_error, rel);
        if (!(err <= opt.atol + opt.rtol * std::abs(numeric))) {
          result.ok = false;
          c.ok = false;
          if (shown++ < 5)
            result.report += fmt::format("  input {} {} element {}: analytic {:.8g} vs numeric {:.8g} (projection {})\n",
                                         c.index, x.shape(), j, a[j], numeric, p);
        }
      }
      if (p == 0) result.report += fmt::format("input {} {}: max abs error {:.3g}\n", c.index, x.shape(), worst);
    }
  }
  for (const Tensor& x : inputs) const_cast<Tensor&>(x).zero_grad();
  return result;
}

}  // namespace tg
