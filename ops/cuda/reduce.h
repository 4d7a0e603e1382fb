// CUDA kernel of the reduction family, called from ops/reduce.cpp's device switch; the
// same contract as ops/reduce_cpu.h (contiguous in viewed as [outer, r, inner]).
#pragma once
#include "core/tensor.h"
#include "ops/reduce_cpu.h"

namespace tg::ops::cuda {

void reduce_forward(cpu::Reduce kind, const Tensor& in, int64_t outer, int64_t r, int64_t inner, const Tensor& out,
                    const char* op);

// max/min over a dim with indices, as ops/select_cpu.h's extreme_dim_forward/backward
// (mask contiguous of x's shape or undefined; values may be undefined; dx is zeroed here).
void extreme_dim_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t r, int64_t inner, bool is_max,
                         const Tensor& values, const Tensor& indices, const char* op);
void extreme_dim_backward(const Tensor& g, const Tensor& indices, int64_t outer, int64_t r, int64_t inner,
                          const Tensor& dx, const char* op);

}  // namespace tg::ops::cuda
