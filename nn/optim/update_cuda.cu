// The optimizer update on the GPU: one thread per element (grid-stride), the rule from
// nn/optim/update_rule.h (the CPU loops' arithmetic, host-tested in tests/cuda).
#include <cuda_runtime.h>

#include "nn/optim/update_kernels.h"
#include "ops/cuda/launch.h"

namespace tg::nn {

namespace {

template <class T>
__global__ void update_kernel(UpdateRule rule, T* p, const T* g, T* s0, T* s1, T* s2, const int64_t* index,
                              int64_t rows, int64_t width) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  ops::cuda::for_each_index(rows * width, tid, total, [&](int64_t j) {
    const int64_t row = j / width, col = j % width;
    const int64_t at = (index ? index[row] : row) * width + col;
    apply_update(rule, p + at, g[j], s0 ? s0 + at : nullptr, s1 ? s1 + at : nullptr, s2 ? s2 + at : nullptr);
  });
}

}  // namespace

void launch_update(const UpdateRule& rule, ops::cuda::ElemType t, void* param, const void* grad, void* s0, void* s1,
                   void* s2, const int64_t* index, int64_t rows, int64_t width, void* stream) {
  const ops::cuda::Launch l = ops::cuda::launch_for(rows * width);
  ops::cuda::dispatch_float(t, [&]<class T>() {
    update_kernel<T><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(
        rule, static_cast<T*>(param), static_cast<const T*>(grad), static_cast<T*>(s0), static_cast<T*>(s1),
        static_cast<T*>(s2), index, rows, width);
  });
}

}  // namespace tg::nn
