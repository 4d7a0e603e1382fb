#include "nn/optim/clip.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/autograd.h"
#include "core/error.h"

namespace tg::nn {

namespace {
template <class F>
void for_each_grad_value(const std::vector<Tensor>& params, F&& f) {
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    check(g.is_contiguous(), "clip_grad: the gradient of '{}' is not contiguous", p.name());
    if (g.dtype() == DType::Float64) {
      double* v = g.data<double>();
      for (int64_t i = 0, n = g.numel(); i < n; ++i) f(v[i]);
    } else {
      float* v = g.data<float>();
      for (int64_t i = 0, n = g.numel(); i < n; ++i) f(v[i]);
    }
  }
}
}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  check(max_norm > 0, "clip_grad_norm_: max_norm must be positive, got {}", max_norm);
  check(norm_type > 0, "clip_grad_norm_: norm_type must be positive, got {}", norm_type);
  NoGradGuard no_grad;
  const bool inf_norm = std::isinf(norm_type);
  double acc = 0;
  for_each_grad_value(params, [&](auto x) {
    double a = std::abs(static_cast<double>(x));
    if (inf_norm) {
      acc = std::isnan(a) ? a : std::max(acc, a);
    } else if (norm_type == 2.0) {
      acc += a * a;
    } else {
      acc += std::pow(a, norm_type);
    }
  });
  const double total = inf_norm ? acc : norm_type == 2.0 ? std::sqrt(acc) : std::pow(acc, 1.0 / norm_type);
  if (!std::isfinite(total)) return total;
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1.0) {
    for_each_grad_value(params, [&](auto& x) { x = static_cast<std::remove_reference_t<decltype(x)>>(x * scale); });
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  check(clip_value >= 0, "clip_grad_value_: clip_value must be >= 0, got {}", clip_value);
  NoGradGuard no_grad;
  for_each_grad_value(params, [&](auto& x) {
    using T = std::remove_reference_t<decltype(x)>;
    x = std::clamp(x, static_cast<T>(-clip_value), static_cast<T>(clip_value));
  });
}

}  // namespace tg::nn
