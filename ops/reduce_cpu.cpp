#include "ops/reduce_cpu.h"

#include <limits>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "ops/dispatch.h"

namespace tg::ops::cpu {

namespace {

// Floats sum in blocks: 16 float lanes within a block of 128 elements (vectorised, each
// lane adds only 8 values, so its rounding error stays ~8 eps), blocks added in double. A float32 loss over a large batch
// stays accurate to float precision at memory speed.
template <class T> using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

constexpr int64_t kSumBlock = 128;

template <class T> Acc<T> sum_row_acc(const T* x, int64_t n) {
  Acc<T> wide[16] = {};  // per-lane block totals, added lane-wise (no serial chain)
  int64_t b = 0;
  for (; b + kSumBlock <= n; b += kSumBlock) {
    T lane[16] = {};
    for (int64_t i = b; i < b + kSumBlock; i += 16)
      for (int j = 0; j < 16; ++j) lane[j] += x[i + j];
    for (int j = 0; j < 16; ++j) wide[j] += lane[j];
  }
  Acc<T> s = 0;
  for (int64_t i = b; i < n; ++i) s += x[i];
  for (int j = 0; j < 16; ++j) s += wide[j];
  return s;
}

template <class T> T sum_row(const T* x, int64_t n) { return static_cast<T>(sum_row_acc(x, n)); }

// One long row (a full reduction): fixed-size chunks summed in parallel, partials combined
// in chunk order, so the result does not depend on the thread count.
template <class T> T sum_long_row(const T* x, int64_t n) {
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<Acc<T>> partial(static_cast<size_t>(chunks));
  parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) partial[c] = sum_row_acc(x + c * kChunk, std::min(kChunk, n - c * kChunk));
  });
  Acc<T> total = 0;
  for (Acc<T> p : partial) total += p;
  return static_cast<T>(total);
}

template <class T, bool IsMax> T extreme_row(const T* x, int64_t n) {
  T best = x[0];
  for (int64_t i = 1; i < n; ++i) {
    T v = x[i];
    if (v != v) return v;  // NaN propagates, as in PyTorch
    if (IsMax ? v > best : v < best) best = v;
  }
  return best;
}

template <class T> void reduce_typed(Reduce kind, const T* in, int64_t outer, int64_t r, int64_t inner, T* out) {
  if (inner == 1 && kind == Reduce::Sum && outer < num_threads() && r > kParallelGrain) {
    for (int64_t o = 0; o < outer; ++o) out[o] = sum_long_row(in + o * r, r);
    return;
  }
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(r, 1)), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const T* row = in + o * r;
        switch (kind) {
          case Reduce::Sum: out[o] = sum_row(row, r); break;
          case Reduce::Max: out[o] = extreme_row<T, true>(row, r); break;
          case Reduce::Min: out[o] = extreme_row<T, false>(row, r); break;
        }
      }
    });
    return;
  }
  // inner > 1: accumulate whole rows of length `inner` (contiguous, vectorised), split
  // over (outer x inner-chunks) so a [1, B, D] column sum still uses both cores.
  constexpr int64_t kChunk = 256;
  int64_t chunks = (inner + kChunk - 1) / kChunk;
  parallel_for(outer * chunks, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(r * kChunk, 1)),
               [&](int64_t b, int64_t e) {
    for (int64_t job = b; job < e; ++job) {
      int64_t o = job / chunks, c0 = (job % chunks) * kChunk, c1 = std::min(inner, c0 + kChunk);
      T* dst = out + o * inner;
      const T* src = in + o * r * inner;
      const int64_t w = c1 - c0;
      if (kind == Reduce::Sum) {
        // Column sums accumulate in double, like sum_row: a [4096, D] batch sum keeps
        // float precision instead of drifting by ~r * eps.
        Acc<T> acc[kChunk];
        for (int64_t i = 0; i < w; ++i) acc[i] = src[c0 + i];
        for (int64_t k = 1; k < r; ++k) {
          const T* row = src + k * inner + c0;
          for (int64_t i = 0; i < w; ++i) acc[i] += row[i];
        }
        for (int64_t i = 0; i < w; ++i) dst[c0 + i] = static_cast<T>(acc[i]);
        continue;
      }
      for (int64_t i = c0; i < c1; ++i) dst[i] = src[i];
      for (int64_t k = 1; k < r; ++k) {
        const T* row = src + k * inner;
        if (kind == Reduce::Max) {
          for (int64_t i = c0; i < c1; ++i) dst[i] = (row[i] > dst[i] || row[i] != row[i]) ? row[i] : dst[i];
        } else {
          for (int64_t i = c0; i < c1; ++i) dst[i] = (row[i] < dst[i] || row[i] != row[i]) ? row[i] : dst[i];
        }
      }
    }
  });
}

}  // namespace

void reduce_forward(Reduce kind, const Tensor& in, int64_t outer, int64_t r, int64_t inner, const Tensor& out) {
  dispatch_numeric(in.dtype(), "reduce", [&]<class T>() {
    if (r == 0) {  // empty reduction: sum is 0; max/min of nothing is refused by the caller
      T* o = out.data<T>();
      for (int64_t i = 0; i < outer * inner; ++i) o[i] = T(0);
      return;
    }
    reduce_typed<T>(kind, in.data<T>(), outer, r, inner, out.data<T>());
  });
}

}  // namespace tg::ops::cpu
