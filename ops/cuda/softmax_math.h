// Masked softmax / log_softmax of one line (n elements `stride` apart) and its backward,
// with the CPU backend's rules (ops/nnfunc_cpu.cpp's softmax_row), for host and device:
//   - the shift c is the max over kept entries, ignoring NaN (a kept NaN then propagates
//     through exp and the sum to the whole line);
//   - a line with nothing kept, or only -inf kept, has no mass: zeros (NaN if a kept NaN
//     was skipped by the max);
//   - sums accumulate in double; masked entries come out as 0.
// The GPU runs one thread per line (ops/cuda/softmax.cu); tests/cuda checks the line
// functions against the CPU ops.
#pragma once
#include <cstdint>
#include <limits>

#include "core/cuda/hd.h"
#include "ops/cuda/device_math.h"

namespace tg::ops::cuda {

template <class T>
TG_HD inline void softmax_line(const T* x, const uint8_t* m, int64_t n, int64_t stride, bool log, T* y) {
  const T neg_inf = -std::numeric_limits<T>::infinity();
  T c = neg_inf;
  bool kept_nan = false;
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i * stride];
    const bool keep = !m || m[i * stride];
    c = (keep && v > c) ? v : c;
    kept_nan = kept_nan || (keep && v != v);
  }
  if (c == neg_inf) {
    const T fill = kept_nan ? std::numeric_limits<T>::quiet_NaN() : T(0);
    for (int64_t i = 0; i < n; ++i) y[i * stride] = fill;
    return;
  }
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T e = math::exp(x[i * stride] - c);
    const T kept = (!m || m[i * stride]) ? e : T(0);
    if (!log) y[i * stride] = kept;
    s += kept;
  }
  if (log) {
    const T lse = c + static_cast<T>(::log(s));
    for (int64_t i = 0; i < n; ++i) y[i * stride] = (!m || m[i * stride]) ? x[i * stride] - lse : T(0);
  } else {
    const T inv = static_cast<T>(1.0 / s);
    for (int64_t i = 0; i < n; ++i) y[i * stride] *= inv;
  }
}

// dx of one line from the output y. softmax: y (g - sum g y). log: m (g - exp(y) sum m g).
template <class T>
TG_HD inline void softmax_backward_line(const T* y, const T* g, const uint8_t* m, int64_t n, int64_t stride, bool log,
                                        T* dx) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t at = i * stride;
    if (log) s += (!m || m[at]) ? g[at] : T(0);
    else s += g[at] * y[at];
  }
  const T st = static_cast<T>(s);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t at = i * stride;
    const bool keep = !m || m[at];
    dx[at] = keep ? (log ? g[at] - math::exp(y[at]) * st : y[at] * (g[at] - st)) : T(0);
  }
}

}  // namespace tg::ops::cuda
