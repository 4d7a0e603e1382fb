// CPU kernels of the selection family (see ops/select.h for the math and conventions).
//
// Every input is contiguous. A selection over `dim` sees x as [outer, r, inner]; gather and
// scatter see index as [O, K, I] (the dims before dim, dim, the dims after), and map an
// index position (o, k, i) to x through x's own strides, since index may be smaller than x
// in every dim but dim.
//
// Threads: read-only kernels (selection, gather, index_select) split over output rows.
// Scatter kernels (scatter_add, index_add, the max backward) split only over (o, chunk of i):
// positions with different o or i always land on different output elements, and all the
// k that can collide on one element are summed by one thread in increasing k, so results
// are deterministic and independent of the thread count.
#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "ops/dispatch.h"
#include "ops/select.h"
#include "ops/select_cpu.h"

namespace tg::ops::cpu {

namespace {

constexpr int64_t kChunk = 256;  // columns of `inner` one scatter/selection job owns

// parallel_for grain for jobs of `work` elements each (empty jobs count as one element).
int64_t grain_for(int64_t work) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(work, 1)); }

template <class T> bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// The value a masked-out position takes in the vectorised pass: it never wins.
template <class T, bool IsMax> constexpr T never_wins() {
  if constexpr (std::is_floating_point_v<T>)
    return IsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  else
    return IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
}

// Extreme of x[0..n) (under mask m when Masked), NaN if an (unmasked) element is NaN.
// Masked positions read as never_wins(). An OpenMP simd max/min reduction (exact for
// numbers; NaN handled by its own flag) vectorises where a plain `b > a ? b : a` loop does
// not: GCC may not reorder it without -ffinite-math-only, and the mask defeats lane tricks.
template <class T, bool IsMax, bool Masked> T extreme_run_impl(const T* x, const uint8_t* m, int64_t n) {
  constexpr T none = never_wins<T, IsMax>();
  T best = none;
  int nan = 0;
  if constexpr (IsMax) {
#pragma omp simd reduction(max : best) reduction(| : nan)
    for (int64_t i = 0; i < n; ++i) {
      T v = (!Masked || m[i]) ? x[i] : none;
      nan |= is_nan(v);
      best = v > best ? v : best;
    }
  } else {
#pragma omp simd reduction(min : best) reduction(| : nan)
    for (int64_t i = 0; i < n; ++i) {
      T v = (!Masked || m[i]) ? x[i] : none;
      nan |= is_nan(v);
      best = v < best ? v : best;
    }
  }
  if constexpr (std::is_floating_point_v<T>)
    if (nan) return std::numeric_limits<T>::quiet_NaN();
  return best;
}

template <class T, bool IsMax> T extreme_run(const T* x, const uint8_t* m, int64_t n) {
  return m ? extreme_run_impl<T, IsMax, true>(x, m, n) : extreme_run_impl<T, IsMax, false>(x, nullptr, n);
}

// One row: the extreme value (vectorised pass), then the first unmasked position holding it.
// The search tests the value first: equality is rare, so the branch predicts well even on a
// random mask. A row where nothing is unmasked finds no position: value 0, index -1.
template <class T, bool IsMax> void extreme_row(const T* x, const uint8_t* m, int64_t r, T* value, int64_t* index) {
  const T best = extreme_run<T, IsMax>(x, m, r);
  const bool want_nan = is_nan(best);
  int64_t at = -1;
  for (int64_t k = 0; k < r; ++k) {
    const bool hit = want_nan ? is_nan(x[k]) : x[k] == best;
    if (hit && (!m || m[k])) {
      at = k;
      break;
    }
  }
  if (value) *value = at < 0 ? T(0) : best;
  *index = at;
}

// Columns (inner > 1): keep a running best per column of a chunk, reading rows of `inner`
// contiguously. The first extreme wins (strict comparison); a NaN wins over any number and
// then stays. Masked is a template flag so the unmasked loop carries no mask test.
template <class T, bool IsMax, bool Masked>
void extreme_columns(const T* x, const uint8_t* m, int64_t outer, int64_t r, int64_t inner, T* values,
                     int64_t* indices) {
  const int64_t chunks = (inner + kChunk - 1) / kChunk;
  parallel_for(outer * chunks, grain_for(r * std::min(inner, kChunk)),
               [&](int64_t b, int64_t e) {
    T best[kChunk];
    int64_t at[kChunk];
    for (int64_t job = b; job < e; ++job) {
      const int64_t o = job / chunks, c0 = (job % chunks) * kChunk, w = std::min(inner, c0 + kChunk) - c0;
      for (int64_t i = 0; i < w; ++i) {
        best[i] = T(0);
        at[i] = -1;
      }
      for (int64_t k = 0; k < r; ++k) {
        const int64_t base = (o * r + k) * inner + c0;
        const T* row = x + base;
        const uint8_t* mrow = Masked ? m + base : nullptr;
        for (int64_t i = 0; i < w; ++i) {
          T v = row[i];
          // Bitwise & and | (no short-circuit branches), so the masked loop vectorises too.
          bool better = IsMax ? v > best[i] : v < best[i];
          if constexpr (std::is_floating_point_v<T>) better = better | (is_nan(v) & !is_nan(best[i]));
          const bool open = Masked ? mrow[i] != 0 : true;
          const bool take = open & ((at[i] < 0) | better);
          best[i] = take ? v : best[i];
          at[i] = take ? k : at[i];
        }
      }
      const int64_t out0 = o * inner + c0;
      for (int64_t i = 0; i < w; ++i) {
        if (values) values[out0 + i] = at[i] < 0 ? T(0) : best[i];
        indices[out0 + i] = at[i];
      }
    }
  });
}

template <class T, bool IsMax>
void extreme_dim_typed(const T* x, const uint8_t* m, int64_t outer, int64_t r, int64_t inner, T* values,
                       int64_t* indices) {
  if (inner == 1) {
    parallel_for(outer, grain_for(r), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o)
        extreme_row<T, IsMax>(x + o * r, m ? m + o * r : nullptr, r, values ? values + o : nullptr, indices + o);
    });
    return;
  }
  if (m) extreme_columns<T, IsMax, true>(x, m, outer, r, inner, values, indices);
  else extreme_columns<T, IsMax, false>(x, nullptr, outer, r, inner, values, indices);
}

// Offsets into a contiguous tensor of shape `full` of the positions of a (smaller or equal)
// block of shape `part` over dims [d0, d1), row-major. Empty when the block is the whole
// of those dims, i.e. offset(i) == i * stride(d1 - 1): the caller then uses i directly.
std::vector<int64_t> block_offsets(const Shape& part, const Shape& full, int d0, int d1) {
  bool same = true;
  for (int d = d0; d < d1; ++d) same = same && part[d] == full[d];
  if (same) return {};
  Shape st = contiguous_strides(full);
  int64_t n = 1;
  for (int d = d0; d < d1; ++d) n *= part[d];
  std::vector<int64_t> offs(static_cast<size_t>(n));
  for (int64_t p = 0; p < n; ++p) {
    int64_t rem = p, off = 0;
    for (int d = d1 - 1; d >= d0; --d) {
      off += (rem % part[d]) * st[d];
      rem /= part[d];
    }
    offs[static_cast<size_t>(p)] = off;
  }
  return offs;
}

// How index positions [O, K, I] (dims before dim, dim, dims after) map onto a contiguous
// tensor of shape `full`: element (o, v, i) of it, v the coordinate along dim, is at
// outer(o) + v * dim_stride + inner(i).
struct IndexMap {
  std::vector<int64_t> outer_offs, inner_offs;  // empty: dense (see block_offsets)
  int64_t outer_stride = 0, dim_stride = 0;
  int64_t outer(int64_t o) const { return outer_offs.empty() ? o * outer_stride : outer_offs[o]; }
  int64_t inner(int64_t i) const { return inner_offs.empty() ? i : inner_offs[i]; }
};

IndexMap index_map(const Shape& index_shape, const Shape& full, int dim) {
  IndexMap map;
  map.outer_offs = block_offsets(index_shape, full, 0, dim);
  map.inner_offs = block_offsets(index_shape, full, dim + 1, full.size());
  Shape st = contiguous_strides(full);
  map.dim_stride = st[dim];
  map.outer_stride = full[dim] * st[dim];
  return map;
}

struct Okis {
  int64_t O = 1, K = 1, I = 1;
};
Okis split_at(const Shape& s, int dim) {
  Okis p;
  for (int d = 0; d < dim; ++d) p.O *= s[d];
  p.K = s[dim];
  for (int d = dim + 1; d < s.size(); ++d) p.I *= s[d];
  return p;
}

template <class T, class Idx>
void gather_typed(const T* x, const IndexMap& xm, const Idx* index, Okis p, T* out) {
  if (p.I == 1) {  // gather along the last dim: per outer row, one flat loop over k
    parallel_for(p.O, grain_for(p.K), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const T* xo = x + xm.outer(o);
        const Idx* ix = index + o * p.K;
        T* dst = out + o * p.K;
        for (int64_t k = 0; k < p.K; ++k) dst[k] = xo[ix[k] * xm.dim_stride];
      }
    });
    return;
  }
  // Rows (o, k) of I elements each; every output element is written once, so any split works.
  parallel_for(p.O * p.K, grain_for(p.I), [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      const T* xo = x + xm.outer(row / p.K);
      const Idx* ix = index + row * p.I;
      T* dst = out + row * p.I;
      if (xm.inner_offs.empty()) {
        for (int64_t i = 0; i < p.I; ++i) dst[i] = xo[ix[i] * xm.dim_stride + i];
      } else {
        for (int64_t i = 0; i < p.I; ++i) dst[i] = xo[ix[i] * xm.dim_stride + xm.inner_offs[i]];
      }
    }
  });
}

template <class T, class Idx>
void scatter_add_typed(T* out, const IndexMap& om, const Idx* index, Okis p, const T* src, const IndexMap& sm) {
  const int64_t chunks = (p.I + kChunk - 1) / kChunk;
  const int64_t grain = grain_for(p.K * std::min(p.I, kChunk));
  parallel_for(p.O * chunks, grain, [&](int64_t b, int64_t e) {
    for (int64_t job = b; job < e; ++job) {
      const int64_t o = job / chunks, c0 = (job % chunks) * kChunk, c1 = std::min(p.I, c0 + kChunk);
      T* oo = out + om.outer(o);
      const T* so = src + sm.outer(o);
      const bool dense = om.inner_offs.empty() && sm.inner_offs.empty();
      if (p.I == 1) {  // scatter along the last dim: one flat loop over k
        const Idx* ix = index + o * p.K;
        for (int64_t k = 0; k < p.K; ++k) oo[ix[k] * om.dim_stride] += so[k * sm.dim_stride];
        continue;
      }
      for (int64_t k = 0; k < p.K; ++k) {
        const Idx* ix = index + (o * p.K + k) * p.I;
        const T* sk = so + k * sm.dim_stride;
        if (dense) {
          for (int64_t i = c0; i < c1; ++i) oo[ix[i] * om.dim_stride + i] += sk[i];
        } else {
          for (int64_t i = c0; i < c1; ++i) oo[ix[i] * om.dim_stride + om.inner(i)] += sk[sm.inner(i)];
        }
      }
    }
  });
}

template <class F> decltype(auto) dispatch_index(DType t, F&& f) {
  switch (t) {
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Int32: return f.template operator()<int32_t>();
    default: fail("index: needs an int64 or int32 index tensor, got {}", t);
  }
}

}  // namespace

void extreme_all_forward(const Tensor& x, bool is_max, const Tensor& out) {
  dispatch_numeric(x.dtype(), is_max ? "max" : "min", [&]<class T>() {
    const T* p = x.data<T>();
    const int64_t n = x.numel();
    auto run = [is_max](const T* q, int64_t len) {
      return is_max ? extreme_run<T, true>(q, nullptr, len) : extreme_run<T, false>(q, nullptr, len);
    };
    // Partial extremes per chunk, then the extreme of those (max/min are exact in any order).
    const int64_t nchunks = std::max<int64_t>(1, std::min<int64_t>(num_threads(), n / kParallelGrain));
    std::vector<T> part(static_cast<size_t>(nchunks));
    parallel_for(nchunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        const int64_t lo = n * c / nchunks, hi = n * (c + 1) / nchunks;
        part[c] = run(p + lo, hi - lo);
      }
    });
    *out.data<T>() = run(part.data(), nchunks);
  });
}

void extreme_dim_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t r, int64_t inner, bool is_max,
                         const Tensor& values, const Tensor& indices) {
  dispatch_numeric(x.dtype(), is_max ? "max" : "min", [&]<class T>() {
    const uint8_t* m = mask.defined() ? mask.data<uint8_t>() : nullptr;
    T* v = values.defined() ? values.data<T>() : nullptr;
    if (is_max) extreme_dim_typed<T, true>(x.data<T>(), m, outer, r, inner, v, indices.data<int64_t>());
    else extreme_dim_typed<T, false>(x.data<T>(), m, outer, r, inner, v, indices.data<int64_t>());
  });
}

void extreme_dim_backward(const Tensor& g, const Tensor& indices, int64_t outer, int64_t r, int64_t inner,
                          const Tensor& dx) {
  dispatch_floating(g.dtype(), "max backward", [&]<class T>() {
    const T* gp = g.data<T>();
    const int64_t* ip = indices.data<int64_t>();
    T* d = dx.data<T>();
    // Each (o, column chunk) zeroes its own block of dx and writes its own columns: no overlap.
    const int64_t cw = inner == 1 ? 1 : kChunk;
    const int64_t chunks = (inner + cw - 1) / cw;
    parallel_for(outer * chunks, grain_for(r * std::min(inner, cw)),
                 [&](int64_t b, int64_t e) {
      for (int64_t job = b; job < e; ++job) {
        const int64_t o = job / chunks, c0 = (job % chunks) * cw, c1 = std::min(inner, c0 + cw);
        T* block = d + o * r * inner;
        for (int64_t k = 0; k < r; ++k) std::fill(block + k * inner + c0, block + k * inner + c1, T(0));
        for (int64_t i = c0; i < c1; ++i) {
          const int64_t k = ip[o * inner + i];
          if (k >= 0) block[k * inner + i] = gp[o * inner + i];
        }
      }
    });
  });
}

int64_t first_out_of_range(const Tensor& index, int64_t size) {
  return dispatch_index(index.dtype(), [&]<class Idx>() -> int64_t {
    const Idx* p = index.data<Idx>();
    const int64_t n = index.numel();
    const auto limit = static_cast<uint64_t>(size);
    // Blocks with a branch-free test (vectorises); only a bad block is searched.
    constexpr int64_t kBlock = 1024;
    for (int64_t b = 0; b < n; b += kBlock) {
      const int64_t e = std::min(n, b + kBlock);
      bool bad = false;
      for (int64_t i = b; i < e; ++i) bad |= static_cast<uint64_t>(static_cast<int64_t>(p[i])) >= limit;
      if (bad)
        for (int64_t i = b; i < e; ++i)
          if (static_cast<uint64_t>(static_cast<int64_t>(p[i])) >= limit) return i;
    }
    return -1;
  });
}

void gather_forward(const Tensor& x, int dim, const Tensor& index, const Tensor& out) {
  const IndexMap xm = index_map(index.shape(), x.shape(), dim);
  const Okis p = split_at(index.shape(), dim);
  dispatch_all(x.dtype(), [&]<class T>() {
    gather_typed<T, int64_t>(x.data<T>(), xm, index.data<int64_t>(), p, out.data<T>());
  });
}

void scatter_add_forward(const Tensor& out, int dim, const Tensor& index, const Tensor& src) {
  const IndexMap om = index_map(index.shape(), out.shape(), dim);
  const IndexMap sm = index_map(index.shape(), src.shape(), dim);
  const Okis p = split_at(index.shape(), dim);
  dispatch_numeric(out.dtype(), "scatter_add", [&]<class T>() {
    scatter_add_typed<T, int64_t>(out.data<T>(), om, index.data<int64_t>(), p, src.data<T>(), sm);
  });
}

void index_select_forward(const Tensor& x, int dim, const Tensor& index, const Tensor& out) {
  const Okis px = split_at(x.shape(), dim);
  const int64_t J = index.numel(), R = px.K, I = px.I;
  dispatch_all(x.dtype(), [&]<class T>() {
    dispatch_index(index.dtype(), [&]<class Idx>() {
      const T* xp = x.data<T>();
      const Idx* ix = index.data<Idx>();
      T* op = out.data<T>();
      parallel_for(px.O * J, grain_for(I), [&](int64_t b, int64_t e) {
        if (I == 1) {
          for (int64_t row = b; row < e; ++row) op[row] = xp[(row / J) * R + ix[row % J]];
          return;
        }
        for (int64_t row = b; row < e; ++row) {
          const int64_t o = row / J, j = row % J;
          std::memcpy(op + row * I, xp + (o * R + static_cast<int64_t>(ix[j])) * I, static_cast<size_t>(I) * sizeof(T));
        }
      });
    });
  });
}

void index_select_backward(const Tensor& g, int dim, const Tensor& index, const Tensor& dx) {
  const Okis px = split_at(dx.shape(), dim);
  const int64_t J = index.numel(), R = px.K, I = px.I;
  dispatch_floating(g.dtype(), "index_select backward", [&]<class T>() {
    dispatch_index(index.dtype(), [&]<class Idx>() {
      const T* gp = g.data<T>();
      const Idx* ix = index.data<Idx>();
      T* d = dx.data<T>();
      // Jobs own (o, column chunk); the j that may hit the same row are added in order.
      const int64_t chunks = (I + kChunk - 1) / kChunk;
      parallel_for(px.O * chunks, grain_for(J * std::min(I, kChunk)),
                   [&](int64_t b, int64_t e) {
        for (int64_t job = b; job < e; ++job) {
          const int64_t o = job / chunks, c0 = (job % chunks) * kChunk, c1 = std::min(I, c0 + kChunk);
          for (int64_t j = 0; j < J; ++j) {
            T* drow = d + (o * R + static_cast<int64_t>(ix[j])) * I;
            const T* grow = gp + (o * J + j) * I;
            for (int64_t i = c0; i < c1; ++i) drow[i] += grow[i];
          }
        }
      });
    });
  });
}

}  // namespace tg::ops::cpu
