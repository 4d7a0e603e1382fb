// Launchers of the dropout kernels (ops/cuda/dropout.cu); contiguous tensors.
#pragma once
#include <cstdint>

#include "ops/cuda/elem_type.h"

namespace tg::ops::cuda {

void launch_dropout_forward(ElemType t, const void* x, int64_t n, double p, uint64_t seed, uint64_t offset, void* out,
                            uint8_t* keep, void* stream);
void launch_dropout_backward(ElemType t, const void* g, const uint8_t* keep, int64_t n, double scale, void* dx,
                             void* stream);

}  // namespace tg::ops::cuda
