// CUDA kernels of the nnfunc family (softmax, layer_norm, dropout), called from ops/nnfunc.cpp's
// device switches; the contract is ops/nnfunc_kernels.inc, shared with the CPU. batch_norm has
// no kernel of its own on the GPU: it is composed from device ops (autograd gives its gradient).
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops::cuda {
#include "ops/nnfunc_kernels.inc"
}  // namespace tg::ops::cuda
