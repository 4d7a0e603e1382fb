// CUDA kernel of the reduction family, called from ops/reduce.cpp's device switch; the
// same contract as ops/reduce_cpu.h (contiguous in viewed as [outer, r, inner]).
#pragma once
#include "core/tensor.h"
#include "ops/reduce_cpu.h"

namespace tg::ops::cuda {

void reduce_forward(cpu::Reduce kind, const Tensor& in, int64_t outer, int64_t r, int64_t inner, const Tensor& out,
                    const char* op);

}  // namespace tg::ops::cuda
