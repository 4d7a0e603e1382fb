// Launcher of the reduction kernel (ops/cuda/reduce.cu): a contiguous input viewed as
// [outer, r, inner] -> a contiguous out[outer, inner], on `stream`.
#pragma once
#include "ops/cuda/elem_type.h"
#include "ops/cuda/reduce_math.h"

namespace tg::ops::cuda {

void launch_reduce(Reduce kind, ElemType t, const void* in, int64_t outer, int64_t r, int64_t inner, void* out,
                   void* stream);

}  // namespace tg::ops::cuda
