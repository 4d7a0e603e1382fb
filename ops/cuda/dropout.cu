// Dropout on the GPU: one thread per Philox block of four elements (as the CPU loop),
// the mask from ops/cuda/dropout_math.h.
#include <cuda_runtime.h>

#include "ops/cuda/dropout_kernels.h"
#include "ops/cuda/dropout_math.h"
#include "ops/cuda/launch.h"

namespace tg::ops::cuda {

namespace {

template <class T>
__global__ void dropout_forward_kernel(const T* x, int64_t n, double keep_prob, T scale, uint64_t seed,
                                       uint64_t offset, T* out, uint8_t* keep_mask) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index((n + 3) / 4, tid, total, [&](int64_t blk) {
    bool keep[4];
    dropout_keep4(seed, offset, blk, keep_prob, keep);
    for (int j = 0; j < 4; ++j) {
      const int64_t i = blk * 4 + j;
      if (i >= n) break;
      keep_mask[i] = keep[j] ? 1 : 0;
      out[i] = dropout_value(keep[j], x[i], scale);
    }
  });
}

template <class T> __global__ void dropout_backward_kernel(const T* g, const uint8_t* keep, int64_t n, T s, T* dx) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(n, tid, total, [&](int64_t i) { dx[i] = dropout_value(keep[i] != 0, g[i], s); });
}

}  // namespace

void launch_dropout_forward(ElemType t, const void* x, int64_t n, double p, uint64_t seed, uint64_t offset, void* out,
                            uint8_t* keep, void* stream) {
  const Launch l = launch_for((n + 3) / 4);
  const double keep_prob = 1.0 - p;
  dispatch_float(t, [&]<class T>() {
    dropout_forward_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(x), n, keep_prob, static_cast<T>(1.0 / keep_prob), seed, offset, static_cast<T*>(out),
        keep);
  });
}

void launch_dropout_backward(ElemType t, const void* g, const uint8_t* keep, int64_t n, double scale, void* dx,
                             void* stream) {
  const Launch l = launch_for(n);
  dispatch_float(t, [&]<class T>() {
    dropout_backward_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(g), keep, n, static_cast<T>(scale), static_cast<T*>(dx));
  });
}

}  // namespace tg::ops::cuda
