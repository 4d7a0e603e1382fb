// layer_norm of one row and its backward, with the CPU backend's arithmetic
// (ops/nnfunc_cpu.cpp): two-pass mean and variance in double, output in T; the backward's
// row terms a = mean(g w), c = mean(g w xhat) in double; dweight/dbias summed over rows in
// double per column. The GPU runs one thread per row (forward, dx) and one per column
// (dweight, dbias): ops/cuda/layer_norm.cu. Checked against the CPU in tests/cuda.
#pragma once
#include <math.h>

#include <cstdint>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

// y = (x - mean) rstd w + b for one row of n; w and b may be null. Writes mean and rstd.
template <class T>
TG_HD inline void layer_norm_row(const T* x, const T* w, const T* b, int64_t n, double eps, T* y, T* mean, T* rstd) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  const double mu = s / static_cast<double>(n);
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = x[i] - mu;
    ss += d * d;
  }
  const double rs = 1.0 / ::sqrt(ss / static_cast<double>(n) + eps);
  *mean = static_cast<T>(mu);
  *rstd = static_cast<T>(rs);
  const T m = static_cast<T>(mu), k = static_cast<T>(rs);
  for (int64_t i = 0; i < n; ++i) {
    T v = (x[i] - m) * k;
    if (w) v = v * w[i];
    if (b) v = v + b[i];
    y[i] = v;
  }
}

// dx of one row: rstd (g w - a - xhat c).
template <class T>
TG_HD inline void layer_norm_backward_row(const T* g, const T* x, const T* w, T m, T k, int64_t n, T* dx) {
  double sa = 0, sc = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T gw = w ? g[i] * w[i] : g[i];
    sa += gw;
    sc += gw * ((x[i] - m) * k);
  }
  const T a = static_cast<T>(sa / static_cast<double>(n)), c = static_cast<T>(sc / static_cast<double>(n));
  for (int64_t i = 0; i < n; ++i) dx[i] = k * ((w ? g[i] * w[i] : g[i]) - a - (x[i] - m) * k * c);
}

// Column i of dweight (sum over rows of g xhat) and dbias (sum of g); either may be null.
template <class T>
TG_HD inline void layer_norm_param_column(const T* g, const T* x, const T* mean, const T* rstd, int64_t rows,
                                          int64_t n, int64_t i, T* dw, T* db) {
  double sw = 0, sb = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const T gr = g[r * n + i];
    sw += gr * ((x[r * n + i] - mean[r]) * rstd[r]);
    sb += gr;
  }
  if (dw) *dw = static_cast<T>(sw);
  if (db) *db = static_cast<T>(sb);
}

}  // namespace tg::ops::cuda
