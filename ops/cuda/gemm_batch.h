// Whether a batch of GEMMs can be one cuBLAS strided-batched call (ops/cuda/linalg.cpp).
// Host arithmetic, tested in tests/cuda.
#pragma once
#include <cstdint>

namespace tg::ops::cuda {

// True when a batch of `n` dims (sizes, element strides; stride 0 = broadcast) has offsets
// in one arithmetic progression, offset(i) = i * *stride for the row-major batch index i
// (every contiguous batch, and a matrix broadcast over the whole batch with stride 0).
inline bool batch_is_strided(const int64_t* sizes, const int64_t* strides, int n, int64_t* stride) {
  *stride = n > 0 ? strides[n - 1] : 0;
  int64_t step = *stride;  // what dim d's stride must be: the stride x the sizes inside it
  for (int d = n - 1; d >= 0; --d) {
    if (strides[d] != step) return false;
    step *= sizes[d];
  }
  return true;
}

}  // namespace tg::ops::cuda
