// CPU kernels of ops/nnfunc.h (math and conventions in that header).
//
// Layout conventions: every kernel takes contiguous tensors. softmax sees x as
// [outer, n, inner] and normalises over n: with inner == 1 (the last dim) each row is a
// contiguous run handled with per-row scalars; otherwise a block of up to kCols adjacent
// columns is processed together, so the inner loops still run over contiguous memory.
// layer_norm sees [rows, n]; batch_norm sees [batch, channels, spatial].
//
// Accumulation: sums over a row or a channel accumulate in double (float32 inputs too), so
// statistics over large batches keep float precision. Kernels write their outputs with
// "=" (never "+="): the autograd engine does the accumulating.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "core/philox.h"
#include "ops/dispatch.h"
#include "ops/fast_exp.h"
#include "ops/nnfunc.h"
#include "ops/nnfunc_cpu.h"

namespace tg::ops::cpu {

namespace {

constexpr int64_t kCols = 64;  // columns per block in the strided (inner > 1) softmax path

// Rows per thread chunk so that a chunk holds about kParallelGrain elements.
int64_t row_grain(int64_t row_len) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(row_len, 1)); }

const uint8_t* mask_data(const Tensor& mask) { return mask.defined() ? mask.data<uint8_t>() : nullptr; }

template <class T> const T* optional_data(const Tensor& t) { return t.defined() ? t.data<T>() : nullptr; }
template <class T> T* optional_mut(const Tensor& t) { return t.defined() ? t.data<T>() : nullptr; }

// exp in the softmax kernels: the vectorisable fast_exp for float32 (about 1 ulp), libm's
// exact one for float64 (gradient checks).
template <class T> inline T row_exp(T x) {
  if constexpr (std::is_same_v<T, float>) return fast_exp(x);
  else return std::exp(x);
}

// Sum of n values in double with four independent accumulators (a single running sum is
// bound by the add latency).
template <class T> double sum_in_double(const T* v, int64_t n) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += v[i];
    a1 += v[i + 1];
    a2 += v[i + 2];
    a3 += v[i + 3];
  }
  for (; i < n; ++i) a0 += v[i];
  return (a0 + a1) + (a2 + a3);
}

// ---- softmax ---------------------------------------------------------------------------

// One contiguous row. The shift c is the max over kept entries, ignoring NaN (a NaN then
// propagates through exp and the sum to the whole row, as in PyTorch). A row with nothing
// kept, or whose kept values are all -inf, has no probability mass: it comes out as zeros.
template <class T> void softmax_row(const T* x, const uint8_t* m, int64_t n, bool log, T* y) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  T c = kNegInf;
  if (m) {
    for (int64_t i = 0; i < n; ++i) c = (m[i] && x[i] > c) ? x[i] : c;
  } else {
    for (int64_t i = 0; i < n; ++i) c = x[i] > c ? x[i] : c;
  }
  if (c == kNegInf) {  // no mass: zeros, unless a kept NaN was skipped by the max
    bool nan = false;
    for (int64_t i = 0; i < n; ++i) nan |= (!m || m[i]) && x[i] != x[i];
    T fill = nan ? std::numeric_limits<T>::quiet_NaN() : T(0);
    for (int64_t i = 0; i < n; ++i) y[i] = fill;
    return;
  }
  double s = 0;
  if (log) {
    if (m) {
      for (int64_t i = 0; i < n; ++i) {
        const T e = row_exp(x[i] - c);
        s += m[i] ? e : T(0);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) s += row_exp(x[i] - c);
    }
    T lse = c + static_cast<T>(std::log(s));
    if (m) {
      for (int64_t i = 0; i < n; ++i) y[i] = m[i] ? x[i] - lse : T(0);
    } else {
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] - lse;
    }
    return;
  }
  // The exponentials first (a loop the compiler vectorises: exp of every entry, masked ones
  // then replaced by 0 with a select, not skipped by a branch), then their sum in double.
  if (m) {
    for (int64_t i = 0; i < n; ++i) {
      const T e = row_exp(x[i] - c);
      y[i] = m[i] ? e : T(0);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = row_exp(x[i] - c);
  }
  s = sum_in_double(y, n);
  T inv = static_cast<T>(1.0 / s);
  for (int64_t i = 0; i < n; ++i) y[i] *= inv;
}

// Columns [c0, c0 + w) of one outer slice [n, inner]; same rules as softmax_row per column.
template <class T>
void softmax_cols(const T* x, const uint8_t* m, int64_t n, int64_t inner, int64_t w, bool log, T* y) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  T c[kCols];
  double s[kCols];
  bool nan[kCols];
  for (int64_t j = 0; j < w; ++j) {
    c[j] = kNegInf;
    s[j] = 0;
    nan[j] = false;
  }
  for (int64_t k = 0; k < n; ++k) {
    const T* xr = x + k * inner;
    const uint8_t* mr = m ? m + k * inner : nullptr;
    for (int64_t j = 0; j < w; ++j) {
      bool keep = !mr || mr[j];
      c[j] = (keep && xr[j] > c[j]) ? xr[j] : c[j];
      nan[j] = nan[j] || (keep && xr[j] != xr[j]);
    }
  }
  // A column with no mass but a kept NaN propagates the NaN (as a finite max would).
  for (int64_t j = 0; j < w; ++j)
    if (c[j] == kNegInf && nan[j]) c[j] = std::numeric_limits<T>::quiet_NaN();
  for (int64_t k = 0; k < n; ++k) {
    const T* xr = x + k * inner;
    const uint8_t* mr = m ? m + k * inner : nullptr;
    T* yr = y + k * inner;
    for (int64_t j = 0; j < w; ++j) {
      T e = ((!mr || mr[j]) && c[j] != kNegInf) ? row_exp(xr[j] - c[j]) : T(0);
      if (!log) yr[j] = e;
      s[j] += e;
    }
  }
  // Per column: log-sum-exp (log) or 1/sum; columns without mass get "0 everywhere".
  T f[kCols];
  for (int64_t j = 0; j < w; ++j) {
    bool empty = c[j] == kNegInf;
    f[j] = empty ? T(0) : (log ? c[j] + static_cast<T>(std::log(s[j])) : static_cast<T>(1.0 / s[j]));
  }
  for (int64_t k = 0; k < n; ++k) {
    const T* xr = x + k * inner;
    const uint8_t* mr = m ? m + k * inner : nullptr;
    T* yr = y + k * inner;
    if (log) {
      for (int64_t j = 0; j < w; ++j) yr[j] = ((!mr || mr[j]) && c[j] != kNegInf) ? xr[j] - f[j] : T(0);
    } else {
      for (int64_t j = 0; j < w; ++j) yr[j] *= f[j];
    }
  }
}

// dx for one row. softmax: y (g - sum g y). log: m (g - exp(y) sum m g).
template <class T> void softmax_backward_row(const T* y, const T* g, const uint8_t* m, int64_t n, bool log, T* dx) {
  double s = 0;
  if (log) {
    if (m) {
      for (int64_t i = 0; i < n; ++i) s += m[i] ? g[i] : T(0);
    } else {
      for (int64_t i = 0; i < n; ++i) s += g[i];
    }
    T st = static_cast<T>(s);
    if (m) {
      for (int64_t i = 0; i < n; ++i) dx[i] = m[i] ? g[i] - std::exp(y[i]) * st : T(0);
    } else {
      for (int64_t i = 0; i < n; ++i) dx[i] = g[i] - std::exp(y[i]) * st;
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) s += g[i] * y[i];
  T st = static_cast<T>(s);
  if (m) {
    for (int64_t i = 0; i < n; ++i) dx[i] = m[i] ? y[i] * (g[i] - st) : T(0);
  } else {
    for (int64_t i = 0; i < n; ++i) dx[i] = y[i] * (g[i] - st);
  }
}

template <class T>
void softmax_backward_cols(const T* y, const T* g, const uint8_t* m, int64_t n, int64_t inner, int64_t w, bool log,
                           T* dx) {
  double s[kCols];
  for (int64_t j = 0; j < w; ++j) s[j] = 0;
  for (int64_t k = 0; k < n; ++k) {
    const T* yr = y + k * inner;
    const T* gr = g + k * inner;
    const uint8_t* mr = m ? m + k * inner : nullptr;
    if (log) {
      for (int64_t j = 0; j < w; ++j) s[j] += (!mr || mr[j]) ? gr[j] : T(0);
    } else {
      for (int64_t j = 0; j < w; ++j) s[j] += gr[j] * yr[j];
    }
  }
  T st[kCols];
  for (int64_t j = 0; j < w; ++j) st[j] = static_cast<T>(s[j]);
  for (int64_t k = 0; k < n; ++k) {
    const T* yr = y + k * inner;
    const T* gr = g + k * inner;
    const uint8_t* mr = m ? m + k * inner : nullptr;
    T* dr = dx + k * inner;
    if (log) {
      for (int64_t j = 0; j < w; ++j) dr[j] = (!mr || mr[j]) ? gr[j] - std::exp(yr[j]) * st[j] : T(0);
    } else {
      for (int64_t j = 0; j < w; ++j) dr[j] = (!mr || mr[j]) ? yr[j] * (gr[j] - st[j]) : T(0);
    }
  }
}

// Splits [outer, n, inner] work: rows when inner == 1, else (outer x column blocks).
template <class RowFn, class ColFn>
void for_softmax_blocks(int64_t outer, int64_t n, int64_t inner, RowFn row_fn, ColFn col_fn) {
  if (inner == 1) {
    parallel_for(outer, row_grain(n), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) row_fn(o * n);
    });
    return;
  }
  int64_t blocks = (inner + kCols - 1) / kCols;
  parallel_for(outer * blocks, row_grain(n * kCols), [&](int64_t b, int64_t e) {
    for (int64_t job = b; job < e; ++job) {
      int64_t o = job / blocks, c0 = (job % blocks) * kCols;
      col_fn(o * n * inner + c0, std::min(kCols, inner - c0));
    }
  });
}

// ---- batch_norm helpers -------------------------------------------------------------

// For channels [c0, c1): acc[c - c0] = sum over (b, l) of f(b, c, l-row pointer, L), where
// f returns the sum of one contiguous spatial run. Walks b outermost so [N, C] inputs
// (spatial 1) are read row by row.
template <class RunSum>
void channel_sums(int64_t batch, int64_t channels, int64_t c0, int64_t c1, double* acc, RunSum run_sum) {
  for (int64_t c = c0; c < c1; ++c) acc[c - c0] = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = c0; c < c1; ++c) acc[c - c0] += run_sum((b * channels + c), c);
}

}  // namespace

void softmax_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t n, int64_t inner, bool log,
                     const Tensor& out) {
  dispatch_floating(x.dtype(), log ? "log_softmax" : "softmax", [&]<class T>() {
    const T* xp = x.data<T>();
    const uint8_t* mp = mask_data(mask);
    T* yp = out.data<T>();
    for_softmax_blocks(
        outer, n, inner, [&](int64_t off) { softmax_row<T>(xp + off, mp ? mp + off : nullptr, n, log, yp + off); },
        [&](int64_t off, int64_t w) {
          softmax_cols<T>(xp + off, mp ? mp + off : nullptr, n, inner, w, log, yp + off);
        });
  });
}

void softmax_backward(const Tensor& y, const Tensor& g, const Tensor& mask, int64_t outer, int64_t n, int64_t inner,
                      bool log, const Tensor& dx) {
  dispatch_floating(y.dtype(), log ? "log_softmax" : "softmax", [&]<class T>() {
    const T* yp = y.data<T>();
    const T* gp = g.data<T>();
    const uint8_t* mp = mask_data(mask);
    T* dp = dx.data<T>();
    for_softmax_blocks(
        outer, n, inner,
        [&](int64_t off) { softmax_backward_row<T>(yp + off, gp + off, mp ? mp + off : nullptr, n, log, dp + off); },
        [&](int64_t off, int64_t w) {
          softmax_backward_cols<T>(yp + off, gp + off, mp ? mp + off : nullptr, n, inner, w, log, dp + off);
        });
  });
}

// ---- layer_norm ------------------------------------------------------------------------

void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t rows, int64_t n,
                        double eps, const Tensor& out, const Tensor& mean, const Tensor& rstd) {
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>() {
    const T* xp = x.data<T>();
    const T* w = optional_data<T>(weight);
    const T* bb = optional_data<T>(bias);
    T* yp = out.data<T>();
    T* mp = mean.data<T>();
    T* rp = rstd.data<T>();
    parallel_for(rows, row_grain(n), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const T* xr = xp + r * n;
        T* yr = yp + r * n;
        // Two passes (mean, then squared deviations): no cancellation for large means.
        double s = 0;
        for (int64_t i = 0; i < n; ++i) s += xr[i];
        double mu = s / static_cast<double>(n);
        double ss = 0;
        for (int64_t i = 0; i < n; ++i) {
          double d = xr[i] - mu;
          ss += d * d;
        }
        double rs = 1.0 / std::sqrt(ss / static_cast<double>(n) + eps);
        mp[r] = static_cast<T>(mu);
        rp[r] = static_cast<T>(rs);
        T m = static_cast<T>(mu), k = static_cast<T>(rs);
        if (w && bb) {
          for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) * k * w[i] + bb[i];
        } else if (w) {
          for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) * k * w[i];
        } else if (bb) {
          for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) * k + bb[i];
        } else {
          for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) * k;
        }
      }
    });
  });
}

void layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& mean,
                         const Tensor& rstd, int64_t rows, int64_t n, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias) {
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>() {
    const T* gp = g.data<T>();
    const T* xp = x.data<T>();
    const T* w = optional_data<T>(weight);
    const T* mp = mean.data<T>();
    const T* rp = rstd.data<T>();
    T* dxp = optional_mut<T>(dx);
    T* dwp = optional_mut<T>(dweight);
    T* dbp = optional_mut<T>(dbias);
    bool want_params = dwp || dbp;
    // dweight/dbias sum over rows: each part accumulates its rows into its own slice of
    // `partial` (double), then the slices are summed in a fixed order.
    int64_t parts = std::clamp<int64_t>(rows * n / kParallelGrain, 1, std::min<int64_t>(num_threads(), rows));
    std::vector<double> partial(want_params ? static_cast<size_t>(parts * 2 * n) : 0, 0.0);
    parallel_for(parts, 1, [&](int64_t pb, int64_t pe) {
      for (int64_t part = pb; part < pe; ++part) {
        double* pw = want_params ? partial.data() + part * 2 * n : nullptr;
        double* pbias = want_params ? pw + n : nullptr;
        for (int64_t r = rows * part / parts; r < rows * (part + 1) / parts; ++r) {
          const T* gr = gp + r * n;
          const T* xr = xp + r * n;
          T m = mp[r], k = rp[r];
          if (want_params) {
            for (int64_t i = 0; i < n; ++i) {
              pw[i] += gr[i] * ((xr[i] - m) * k);
              pbias[i] += gr[i];
            }
          }
          if (!dxp) continue;
          // a = mean(g w), c = mean(g w xhat); dx = rstd (g w - a - xhat c)
          double sa = 0, sc = 0;
          for (int64_t i = 0; i < n; ++i) {
            T gw = w ? gr[i] * w[i] : gr[i];
            sa += gw;
            sc += gw * ((xr[i] - m) * k);
          }
          T a = static_cast<T>(sa / static_cast<double>(n)), c = static_cast<T>(sc / static_cast<double>(n));
          T* dr = dxp + r * n;
          if (w) {
            for (int64_t i = 0; i < n; ++i) dr[i] = k * (gr[i] * w[i] - a - (xr[i] - m) * k * c);
          } else {
            for (int64_t i = 0; i < n; ++i) dr[i] = k * (gr[i] - a - (xr[i] - m) * k * c);
          }
        }
      }
    });
    if (!want_params) return;
    for (int64_t i = 0; i < n; ++i) {
      double sw = 0, sb = 0;
      for (int64_t part = 0; part < parts; ++part) {
        sw += partial[part * 2 * n + i];
        sb += partial[part * 2 * n + n + i];
      }
      if (dwp) dwp[i] = static_cast<T>(sw);
      if (dbp) dbp[i] = static_cast<T>(sb);
    }
  });
}

// ---- batch_norm ------------------------------------------------------------------------

void batch_norm_stats(const Tensor& x, int64_t batch, int64_t channels, int64_t spatial, const Tensor& mean,
                      const Tensor& var) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const T* xp = x.data<T>();
    T* mp = mean.data<T>();
    T* vp = var.data<T>();
    const double count = static_cast<double>(batch * spatial);
    parallel_for(channels, row_grain(batch * spatial), [&](int64_t c0, int64_t c1) {
      std::vector<double> mu(static_cast<size_t>(c1 - c0)), sq(static_cast<size_t>(c1 - c0));
      channel_sums(batch, channels, c0, c1, mu.data(), [&](int64_t run, int64_t) {
        const T* p = xp + run * spatial;
        double s = 0;
        for (int64_t l = 0; l < spatial; ++l) s += p[l];
        return s;
      });
      for (double& m : mu) m /= count;
      channel_sums(batch, channels, c0, c1, sq.data(), [&](int64_t run, int64_t c) {
        const T* p = xp + run * spatial;
        double m = mu[c - c0], s = 0;
        for (int64_t l = 0; l < spatial; ++l) {
          double d = p[l] - m;
          s += d * d;
        }
        return s;
      });
      for (int64_t c = c0; c < c1; ++c) {
        mp[c] = static_cast<T>(mu[c - c0]);
        vp[c] = static_cast<T>(sq[c - c0] / count);
      }
    });
  });
}

void batch_norm_forward(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                        const Tensor& bias, int64_t batch, int64_t channels, int64_t spatial, const Tensor& out) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const T* xp = x.data<T>();
    const T* mp = mean.data<T>();
    const T* rp = rstd.data<T>();
    const T* w = optional_data<T>(weight);
    const T* bb = optional_data<T>(bias);
    T* yp = out.data<T>();
    // y = x * scale_c + shift_c with scale = rstd w, shift = b - mean scale.
    std::vector<T> scale(static_cast<size_t>(channels)), shift(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      scale[c] = rp[c] * (w ? w[c] : T(1));
      shift[c] = (bb ? bb[c] : T(0)) - mp[c] * scale[c];
    }
    const T* sc = scale.data();
    const T* sh = shift.data();
    if (spatial == 1) {
      parallel_for(batch, row_grain(channels), [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r)
          for (int64_t c = 0; c < channels; ++c) yp[r * channels + c] = xp[r * channels + c] * sc[c] + sh[c];
      });
      return;
    }
    parallel_for(batch * channels, row_grain(spatial), [&](int64_t b, int64_t e) {
      for (int64_t run = b; run < e; ++run) {
        int64_t c = run % channels;
        const T* xr = xp + run * spatial;
        T* yr = yp + run * spatial;
        for (int64_t l = 0; l < spatial; ++l) yr[l] = xr[l] * sc[c] + sh[c];
      }
    });
  });
}

void batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t batch, int64_t channels, int64_t spatial, bool training,
                         const Tensor& dx, const Tensor& dweight, const Tensor& dbias) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const T* gp = g.data<T>();
    const T* xp = x.data<T>();
    const T* mp = mean.data<T>();
    const T* rp = rstd.data<T>();
    const T* w = optional_data<T>(weight);
    T* dxp = optional_mut<T>(dx);
    T* dwp = optional_mut<T>(dweight);
    T* dbp = optional_mut<T>(dbias);
    const double count = static_cast<double>(batch * spatial);
    // Pass 1, per channel: sum g and sum g xhat (these are also dbias and dweight).
    std::vector<double> sum_g(static_cast<size_t>(channels)), sum_gx(static_cast<size_t>(channels));
    parallel_for(channels, row_grain(batch * spatial), [&](int64_t c0, int64_t c1) {
      channel_sums(batch, channels, c0, c1, sum_g.data() + c0, [&](int64_t run, int64_t) {
        const T* p = gp + run * spatial;
        double s = 0;
        for (int64_t l = 0; l < spatial; ++l) s += p[l];
        return s;
      });
      channel_sums(batch, channels, c0, c1, sum_gx.data() + c0, [&](int64_t run, int64_t c) {
        const T* p = gp + run * spatial;
        const T* q = xp + run * spatial;
        T m = mp[c], k = rp[c];
        double s = 0;
        for (int64_t l = 0; l < spatial; ++l) s += p[l] * ((q[l] - m) * k);
        return s;
      });
    });
    for (int64_t c = 0; c < channels; ++c) {
      if (dwp) dwp[c] = static_cast<T>(sum_gx[c]);
      if (dbp) dbp[c] = static_cast<T>(sum_g[c]);
    }
    if (!dxp) return;
    // Pass 2: dx = a_c g + b_c x + c_c, expanding
    //   w rstd (g - sum_g/M - (x - mean) rstd sum_gx/M)   (training)   or   w rstd g   (eval).
    std::vector<T> ca(static_cast<size_t>(channels)), cb(static_cast<size_t>(channels)),
        cc(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      double k = rp[c], wk = (w ? w[c] : 1.0) * k;
      ca[c] = static_cast<T>(wk);
      if (training) {
        double b = -wk * k * sum_gx[c] / count;
        cb[c] = static_cast<T>(b);
        cc[c] = static_cast<T>(-wk * sum_g[c] / count - b * mp[c]);
      } else {
        cb[c] = T(0);
        cc[c] = T(0);
      }
    }
    const T* pa = ca.data();
    const T* pb = cb.data();
    const T* pc = cc.data();
    if (spatial == 1) {
      parallel_for(batch, row_grain(channels), [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r)
          for (int64_t c = 0; c < channels; ++c) {
            int64_t i = r * channels + c;
            dxp[i] = pa[c] * gp[i] + pb[c] * xp[i] + pc[c];
          }
      });
      return;
    }
    parallel_for(batch * channels, row_grain(spatial), [&](int64_t b, int64_t e) {
      for (int64_t run = b; run < e; ++run) {
        int64_t c = run % channels;
        const T* gr = gp + run * spatial;
        const T* xr = xp + run * spatial;
        T* dr = dxp + run * spatial;
        for (int64_t l = 0; l < spatial; ++l) dr[l] = pa[c] * gr[l] + pb[c] * xr[l] + pc[c];
      }
    });
  });
}

// ---- dropout ---------------------------------------------------------------------------

void dropout_forward(const Tensor& x, double p, uint64_t seed, uint64_t offset, const Tensor& out,
                     const Tensor& keep_mask) {
  dispatch_floating(x.dtype(), "dropout", [&]<class T>() {
    const T* xp = x.data<T>();
    T* yp = out.data<T>();
    uint8_t* kp = keep_mask.data<uint8_t>();
    const int64_t n = x.numel();
    const double keep_prob = 1.0 - p;
    const T scale = static_cast<T>(1.0 / keep_prob);
    // One Philox block gives the uniforms of elements 4k..4k+3 (philox::uniform_float's
    // numbering), so the mask depends on the element index only, not on the split.
    parallel_for((n + 3) / 4, row_grain(4), [&](int64_t b, int64_t e) {
      for (int64_t blk = b; blk < e; ++blk) {
        philox::Block r = philox::generate(seed, offset + static_cast<uint64_t>(blk));
        for (int j = 0; j < 4; ++j) {
          int64_t i = blk * 4 + j;
          if (i >= n) break;
          bool keep = static_cast<double>(philox::to_unit_float(r.v[j])) < keep_prob;
          kp[i] = keep ? 1 : 0;
          yp[i] = keep ? xp[i] * scale : T(0);
        }
      }
    });
  });
}

void dropout_backward(const Tensor& g, const Tensor& keep_mask, double scale, const Tensor& dx) {
  dispatch_floating(g.dtype(), "dropout", [&]<class T>() {
    const T* gp = g.data<T>();
    const uint8_t* kp = keep_mask.data<uint8_t>();
    T* dp = dx.data<T>();
    const T s = static_cast<T>(scale);
    parallel_for(g.numel(), kParallelGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) dp[i] = kp[i] ? gp[i] * s : T(0);
    });
  });
}

}  // namespace tg::ops::cpu
