// Softmax on the GPU: one thread per line (outer x inner lines of n elements, stride
// inner), the line functions of ops/cuda/softmax_math.h. Neighbouring threads take
// neighbouring columns, so reads coalesce when inner > 1 (attention over a middle dim);
// for inner == 1 each thread walks its own contiguous row.
#include <cuda_runtime.h>

#include "ops/cuda/launch.h"
#include "ops/cuda/softmax_kernels.h"
#include "ops/cuda/softmax_math.h"

namespace tg::ops::cuda {

namespace {

__device__ inline int64_t line_start(int64_t line, int64_t n, int64_t inner) {
  return (line / inner) * n * inner + line % inner;
}

template <class T>
__global__ void softmax_kernel(const T* x, const uint8_t* m, int64_t outer, int64_t n, int64_t inner, bool log, T* y) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(outer * inner, tid, total, [&](int64_t line) {
    const int64_t at = line_start(line, n, inner);
    softmax_line(x + at, m ? m + at : nullptr, n, inner, log, y + at);
  });
}

template <class T>
__global__ void softmax_backward_kernel(const T* y, const T* g, const uint8_t* m, int64_t outer, int64_t n,
                                        int64_t inner, bool log, T* dx) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(outer * inner, tid, total, [&](int64_t line) {
    const int64_t at = line_start(line, n, inner);
    softmax_backward_line(y + at, g + at, m ? m + at : nullptr, n, inner, log, dx + at);
  });
}

}  // namespace

void launch_softmax_forward(ElemType t, const void* x, const uint8_t* mask, int64_t outer, int64_t n, int64_t inner,
                            bool log, void* y, void* stream) {
  const Launch l = launch_for(outer * inner);
  dispatch_float(t, [&]<class T>() {
    softmax_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(x), mask, outer, n, inner, log, static_cast<T*>(y));
  });
}

void launch_softmax_backward(ElemType t, const void* y, const void* g, const uint8_t* mask, int64_t outer, int64_t n,
                             int64_t inner, bool log, void* dx, void* stream) {
  const Launch l = launch_for(outer * inner);
  dispatch_float(t, [&]<class T>() {
    softmax_backward_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(y), static_cast<const T*>(g), mask, outer, n, inner, log, static_cast<T*>(dx));
  });
}

}  // namespace tg::ops::cuda
