#include "inspect/stats.h"

#include <algorithm>
#include <cmath>

#include "core/autograd.h"

namespace tg {

namespace {

// A contiguous CPU copy (or the tensor itself when it already is one), unrecorded.
Tensor readable(const Tensor& t) {
  NoGradGuard no_grad;
  Tensor c = t.device().is_cpu() ? t : t.to(Device::cpu());
  return c.is_contiguous() ? c : c.contiguous();
}

template <class T>
ValueStats stats_of(const T* v, int64_t n) {
  ValueStats s;
  s.count = n;
  double sum = 0, sq = 0;
  bool first = true;
  for (int64_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(v[i]);
    if (!std::isfinite(x)) {
      if (s.nonfinite++ == 0) s.first_nonfinite = i;
      continue;
    }
    sum += x;
    sq += x * x;
    s.min = first ? x : std::min(s.min, x);
    s.max = first ? x : std::max(s.max, x);
    first = false;
  }
  const int64_t finite = n - s.nonfinite;
  if (finite > 0) {
    s.mean = sum / static_cast<double>(finite);
    s.std = std::sqrt(std::max(0.0, sq / static_cast<double>(finite) - s.mean * s.mean));
    s.norm = std::sqrt(sq);
    s.max_abs = std::max(std::abs(s.min), std::abs(s.max));
  }
  return s;
}

template <class T>
int64_t first_bad(const T* v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) return i;
  return -1;
}

}  // namespace

ValueStats value_stats(const Tensor& t) {
  if (!t.defined()) return {};
  if (!is_floating(t.dtype())) return ValueStats{.count = t.numel()};
  Tensor c = readable(t);
  if (c.dtype() == kFloat32) return stats_of(c.data<float>(), c.numel());
  return stats_of(c.data<double>(), c.numel());
}

int64_t first_nonfinite(const Tensor& t) {
  if (!t.defined() || !is_floating(t.dtype())) return -1;
  Tensor c = readable(t);
  if (c.dtype() == kFloat32) return first_bad(c.data<float>(), c.numel());
  return first_bad(c.data<double>(), c.numel());
}

}  // namespace tg
