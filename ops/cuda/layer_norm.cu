// layer_norm on the GPU: one thread per row (forward, dx), one per column (dweight,
// dbias), the arithmetic of ops/cuda/layer_norm_math.h.
#include <cuda_runtime.h>

#include "ops/cuda/launch.h"
#include "ops/cuda/layer_norm_kernels.h"
#include "ops/cuda/layer_norm_math.h"

namespace tg::ops::cuda {

namespace {

__device__ inline int64_t thread_id() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t thread_count() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

template <class T>
__global__ void forward_kernel(const T* x, const T* w, const T* b, int64_t rows, int64_t n, double eps, T* y, T* mean,
                               T* rstd) {
  for_each_index(rows, thread_id(), thread_count(),
                 [&](int64_t r) { layer_norm_row(x + r * n, w, b, n, eps, y + r * n, mean + r, rstd + r); });
}

template <class T>
__global__ void dx_kernel(const T* g, const T* x, const T* w, const T* mean, const T* rstd, int64_t rows, int64_t n,
                          T* dx) {
  for_each_index(rows, thread_id(), thread_count(), [&](int64_t r) {
    layer_norm_backward_row(g + r * n, x + r * n, w, mean[r], rstd[r], n, dx + r * n);
  });
}

template <class T>
__global__ void param_kernel(const T* g, const T* x, const T* mean, const T* rstd, int64_t rows, int64_t n, T* dw,
                             T* db) {
  for_each_index(n, thread_id(), thread_count(), [&](int64_t i) {
    layer_norm_param_column(g, x, mean, rstd, rows, n, i, dw ? dw + i : nullptr, db ? db + i : nullptr);
  });
}

}  // namespace

void launch_layer_norm_forward(ElemType t, const void* x, const void* w, const void* b, int64_t rows, int64_t n,
                               double eps, void* y, void* mean, void* rstd, void* stream) {
  const Launch l = launch_for(rows);
  dispatch_float(t, [&]<class T>() {
    forward_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(b), rows, n, eps, static_cast<T*>(y),
        static_cast<T*>(mean), static_cast<T*>(rstd));
  });
}

void launch_layer_norm_backward(ElemType t, const void* g, const void* x, const void* w, const void* mean,
                                const void* rstd, int64_t rows, int64_t n, void* dx, void* dw, void* db,
                                void* stream) {
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  dispatch_float(t, [&]<class T>() {
    if (dx) {
      const Launch l = launch_for(rows);
      dx_kernel<T><<<l.blocks, l.threads, 0, s>>>(static_cast<const T*>(g), static_cast<const T*>(x),
                                                  static_cast<const T*>(w), static_cast<const T*>(mean),
                                                  static_cast<const T*>(rstd), rows, n, static_cast<T*>(dx));
    }
    if (dw || db) {
      const Launch l = launch_for(n);
      param_kernel<T><<<l.blocks, l.threads, 0, s>>>(static_cast<const T*>(g), static_cast<const T*>(x),
                                                     static_cast<const T*>(mean), static_cast<const T*>(rstd), rows, n,
                                                     static_cast<T*>(dw), static_cast<T*>(db));
    }
  });
}

}  // namespace tg::ops::cuda
