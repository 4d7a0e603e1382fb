// Launchers of the softmax kernels (ops/cuda/softmax.cu): contiguous x/y/g/dx viewed as
// [outer, n, inner], softmax over n; mask (uint8, same shape) or null.
#pragma once
#include <cstdint>

#include "ops/cuda/elem_type.h"

namespace tg::ops::cuda {

void launch_softmax_forward(ElemType t, const void* x, const uint8_t* mask, int64_t outer, int64_t n, int64_t inner,
                            bool log, void* y, void* stream);
void launch_softmax_backward(ElemType t, const void* y, const void* g, const uint8_t* mask, int64_t outer, int64_t n,
                             int64_t inner, bool log, void* dx, void* stream);

}  // namespace tg::ops::cuda
