// CUDA reduction kernels; the numerics (identity, combine, per-thread partial, tree step,
// column loop) are ops/cuda/reduce_math.h's, shared with the host tests.
#include <cuda_runtime.h>

#include "ops/cuda/extreme_math.h"
#include "ops/cuda/launch.h"
#include "ops/cuda/reduce_kernels.h"

namespace tg::ops::cuda {

namespace {

// inner == 1: block b handles rows b, b + gridDim.x, ...; kBlock threads per row.
template <class T> __global__ void reduce_rows_kernel(Reduce kind, const T* in, int64_t rows, int64_t r, T* out) {
  __shared__ ReduceAcc<T> partials[kBlock];
  const int64_t t = threadIdx.x;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    partials[t] = row_partial(kind, in + row * r, r, t, kBlock);
    __syncthreads();
    for (int64_t half = kBlock / 2; half > 0; half /= 2) {
      tree_step(kind, partials, t, half);
      __syncthreads();
    }
    if (t == 0) out[row] = static_cast<T>(partials[0]);
    __syncthreads();  // partials[0] is read before the next row overwrites it
  }
}

// inner > 1: one thread per output element (o, i).
template <class T>
__global__ void reduce_cols_kernel(Reduce kind, const T* in, int64_t outer, int64_t r, int64_t inner, T* out) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(outer * inner, tid, total, [&](int64_t j) {
    const int64_t o = j / inner, i = j % inner;
    out[j] = column_reduce(kind, in + o * r * inner + i, r, inner);
  });
}

// One thread per line (o, i) of the [outer, r, inner] input.
template <class T>
__global__ void extreme_kernel(const T* x, const uint8_t* m, int64_t outer, int64_t r, int64_t inner, bool is_max,
                               T* values, int64_t* indices) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(outer * inner, tid, total, [&](int64_t j) {
    const int64_t at = (j / inner) * r * inner + j % inner;
    extreme_line(x + at, m ? m + at : nullptr, r, inner, is_max, values ? values + j : nullptr, indices + j);
  });
}

template <class T>
__global__ void extreme_backward_kernel(const T* g, const int64_t* indices, int64_t outer, int64_t r, int64_t inner,
                                        T* dx) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(outer * inner, tid, total, [&](int64_t j) {
    const int64_t k = indices[j];
    if (k >= 0) dx[((j / inner) * r + k) * inner + j % inner] = g[j];  // one target per line: no races
  });
}

}  // namespace

void launch_extreme(ElemType t, const void* x, const uint8_t* mask, int64_t outer, int64_t r, int64_t inner,
                    bool is_max, void* values, int64_t* indices, void* stream) {
  const Launch l = launch_for(outer * inner);
  dispatch_elem(t, [&]<class T>() {
    if constexpr (!std::is_same_v<T, uint8_t>) {
      extreme_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
          static_cast<const T*>(x), mask, outer, r, inner, is_max, static_cast<T*>(values), indices);
    }
  });
}

void launch_extreme_backward(ElemType t, const void* g, const int64_t* indices, int64_t outer, int64_t r,
                             int64_t inner, void* dx, void* stream) {
  const Launch l = launch_for(outer * inner);
  dispatch_float(t, [&]<class T>() {
    extreme_backward_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(g), indices, outer, r, inner, static_cast<T*>(dx));
  });
}

void launch_reduce(Reduce kind, ElemType t, const void* in, int64_t outer, int64_t r, int64_t inner, void* out,
                   void* stream) {
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  dispatch_elem(t, [&]<class T>() {
    if constexpr (!std::is_same_v<T, uint8_t>) {  // masks are not reduced (reduce.cpp refuses them)
      const T* x = static_cast<const T*>(in);
      T* y = static_cast<T*>(out);
      if (inner == 1) {
        Launch l = launch_for(outer * kBlock);  // one block per row
        reduce_rows_kernel<T><<<l.blocks, kBlock, 0, s>>>(kind, x, outer, r, y);
      } else {
        Launch l = launch_for(outer * inner);
        reduce_cols_kernel<T><<<l.blocks, l.threads, 0, s>>>(kind, x, outer, r, inner, y);
      }
    }
  });
}

}  // namespace tg::ops::cuda
