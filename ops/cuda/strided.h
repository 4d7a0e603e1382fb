// Where element i of a broadcast, strided loop lives in each operand: the index arithmetic
// of every CUDA elementwise kernel (ops/cuda/elementwise.cu).
//
// The host builds a Strided<N> from the CPU backend's LoopPlan (ops/cpu_loops.h): one
// common shape after dropping size-1 dims and merging dims contiguous in every operand,
// and for each operand (0 = the output) its strides in elements, 0 on broadcast dims. A
// thread turns its linear index into per-operand element offsets with offsets(); a plain
// contiguous loop is then one dim of stride 1. Host-tested against the CPU loops.
#pragma once
#include <cstdint>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

inline constexpr int kStridedDims = 8;  // = tg::kMaxDims (core/shape.h), which nvcc never sees

template <int N> struct Strided {
  int ndim = 0;
  int64_t numel = 0;
  int64_t sizes[kStridedDims] = {};
  int64_t strides[N][kStridedDims] = {};

  // off[k] = element offset in operand k of linear (row-major) position `linear`.
  TG_HD void offsets(int64_t linear, int64_t (&off)[N]) const {
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      const int64_t size = sizes[d];
      const int64_t i = linear % size;
      linear /= size;
      for (int k = 0; k < N; ++k) off[k] += i * strides[k][d];
    }
  }
};

}  // namespace tg::ops::cuda
