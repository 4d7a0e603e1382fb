// The numerics of the CUDA reductions (ops/cuda/reduce.cu), shared with the host tests.
//
// Input viewed as [outer, r, inner] (as the CPU kernel sees it, ops/reduce_cpu.h):
//   inner == 1: one block per row. Thread t accumulates elements t, t + B, t + 2B, ... of
//     the row (row_partial; coalesced), then the B partials are combined pairwise in
//     shared memory, halving the active threads each step (tree_step).
//   inner > 1: one thread per output column, accumulating down the r rows (column_reduce;
//     neighbouring threads read neighbouring addresses).
// Sums accumulate in double for floating types and int64 for integers, as on the CPU; the
// order differs from the CPU's blocked order, so float32 sums agree to a few ulps of the
// double result, not bit for bit. Max/min propagate NaN as the CPU does.
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

enum class Reduce { Sum, Max, Min };  // mirrors cpu::Reduce

template <class T> using ReduceAcc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// The value a reduction starts from: 0, or the lowest/highest value so any element wins.
template <class T> TG_HD inline ReduceAcc<T> reduce_identity(Reduce kind) {
  using A = ReduceAcc<T>;
  if (kind == Reduce::Sum) return A(0);
  if constexpr (std::is_floating_point_v<T>) {
    return kind == Reduce::Max ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
  } else {
    return kind == Reduce::Max ? A(std::numeric_limits<T>::lowest()) : A(std::numeric_limits<T>::max());
  }
}

template <class A> TG_HD inline bool reduce_is_nan(A v) {
  if constexpr (std::is_floating_point_v<A>) return v != v;
  else return false;
}

// acc (+) v; for max/min a NaN on either side wins and stays (as on the CPU).
template <class A> TG_HD inline A reduce_combine(Reduce kind, A acc, A v) {
  switch (kind) {
    case Reduce::Sum: return acc + v;
    case Reduce::Max:
      if (reduce_is_nan(acc)) return acc;
      return reduce_is_nan(v) || v > acc ? v : acc;
    case Reduce::Min:
      if (reduce_is_nan(acc)) return acc;
      return reduce_is_nan(v) || v < acc ? v : acc;
  }
  return acc;
}

// Thread t's partial over a contiguous row of r elements, with `threads` threads per row.
template <class T>
TG_HD inline ReduceAcc<T> row_partial(Reduce kind, const T* row, int64_t r, int64_t t, int64_t threads) {
  ReduceAcc<T> acc = reduce_identity<T>(kind);
  for (int64_t k = t; k < r; k += threads) acc = reduce_combine(kind, acc, static_cast<ReduceAcc<T>>(row[k]));
  return acc;
}

// One step of the shared-memory tree: thread t < half folds partial t + half into t.
template <class A> TG_HD inline void tree_step(Reduce kind, A* partials, int64_t t, int64_t half) {
  if (t < half) partials[t] = reduce_combine(kind, partials[t], partials[t + half]);
}

// Column i of one [r, inner] slice starting at `col` (= slice + i): reduce down the rows.
template <class T> TG_HD inline T column_reduce(Reduce kind, const T* col, int64_t r, int64_t inner) {
  ReduceAcc<T> acc = reduce_identity<T>(kind);
  for (int64_t k = 0; k < r; ++k) acc = reduce_combine(kind, acc, static_cast<ReduceAcc<T>>(col[k * inner]));
  return static_cast<T>(acc);
}

}  // namespace tg::ops::cuda
