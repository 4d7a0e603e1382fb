// The one elementwise kernel template behind the families whose kernels are "out = f(ins)"
// over a broadcast plan (activation, loss): each thread takes indices of the grid-stride
// loop, turns them into operand offsets (Strided<N>) and stores f(offsets). Only for
// nvcc-compiled files.
#pragma once
#include <cuda_runtime.h>

#include "ops/cuda/launch.h"
#include "ops/cuda/strided.h"

namespace tg::ops::cuda {

template <int N, class T, class F> __global__ void map_kernel(Strided<N> ix, T* out, F f) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t total = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for_each_index(ix.numel, tid, total, [&](int64_t i) {
    int64_t off[N];
    ix.offsets(i, off);
    out[off[0]] = f(off);
  });
}

template <int N, class T, class F> void launch_map(const Strided<N>& ix, void* out, void* stream, F f) {
  Launch l = launch_for(ix.numel);
  map_kernel<N, T, F><<<l.blocks, l.threads, 0, static_cast<cudaStream_t>(stream)>>>(ix, static_cast<T*>(out), f);
}

}  // namespace tg::ops::cuda
