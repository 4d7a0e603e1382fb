// Launcher of the reduction kernel (ops/cuda/reduce.cu): a contiguous input viewed as
// [outer, r, inner] -> a contiguous out[outer, inner], on `stream`.
#pragma once
#include "ops/cuda/elem_type.h"
#include "ops/cuda/reduce_math.h"

namespace tg::ops::cuda {

void launch_reduce(Reduce kind, ElemType t, const void* in, int64_t outer, int64_t r, int64_t inner, void* out,
                   void* stream);

// max/min over r with the winner's index (ops/cuda/extreme_math.h); mask and values may be
// null. The backward writes g into a zeroed dx at each line's index (-1: nowhere).
void launch_extreme(ElemType t, const void* x, const uint8_t* mask, int64_t outer, int64_t r, int64_t inner,
                    bool is_max, void* values, int64_t* indices, void* stream);
void launch_extreme_backward(ElemType t, const void* g, const int64_t* indices, int64_t outer, int64_t r,
                             int64_t inner, void* dx, void* stream);

}  // namespace tg::ops::cuda
