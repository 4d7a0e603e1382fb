// Launch geometry of the CUDA kernels, and the grid-stride loop they all iterate with.
//
// Every elementwise-style kernel runs a 1-D grid of kBlock threads, each thread visiting
// indices tid, tid + T, tid + 2T, ... below n (T = threads in the grid). Indices are int64,
// so tensors of more than 2^31 elements work; the grid is capped at kMaxBlocks blocks (far
// below the 2^31 - 1 limit of gridDim.x), so a huge tensor means more iterations per
// thread, never an invalid launch. Row kernels (reductions, softmax, layer_norm) use one
// block per row with a grid-stride loop over rows, under the same cap.
// Pure host arithmetic: tests/cuda checks it without a GPU.
#pragma once
#include <cstdint>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

inline constexpr uint32_t kBlock = 256;                // threads per block
inline constexpr int64_t kMaxBlocks = int64_t{1} << 16;  // 65536 blocks x 256 = 16.7M threads
inline constexpr int64_t kGridLimitX = 2147483647;     // gridDim.x limit since sm_30

struct Launch {
  uint32_t blocks;
  uint32_t threads;
};

// Enough blocks of `threads` to give each of `work` items a thread, capped at kMaxBlocks;
// at least one block, so a launch over zero items is still valid (and does nothing).
inline Launch launch_for(int64_t work, uint32_t threads = kBlock) {
  int64_t blocks = work <= 0 ? 1 : (work + threads - 1) / threads;
  if (blocks > kMaxBlocks) blocks = kMaxBlocks;
  return Launch{static_cast<uint32_t>(blocks), threads};
}

// Calls f(i) for the indices of [0, n) that belong to thread `tid` of a grid of `total`
// threads. The kernels call it with their own thread id; tests call it for every simulated
// thread to check that [0, n) is covered exactly once.
template <class F> TG_HD inline void for_each_index(int64_t n, int64_t tid, int64_t total, F&& f) {
  for (int64_t i = tid; i < n; i += total) f(i);
}

}  // namespace tg::ops::cuda
