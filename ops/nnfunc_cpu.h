// CPU kernels of the nnfunc family (ops/nnfunc_cpu.cpp), internal to ops/.
#pragma once
#include "ops/nnfunc.h"

// Raw CPU kernels (no autograd, no checks): contiguous inputs, outputs allocated by the
// caller. Masks are contiguous uint8/bool tensors of the same shape as x, or undefined.
namespace tg::ops::cpu {

// softmax, layer_norm, dropout: the contract every backend implements.
#include "ops/nnfunc_kernels.inc"

// x viewed as [batch, channels, spatial]: per-channel mean and biased variance.
void batch_norm_stats(const Tensor& x, int64_t batch, int64_t channels, int64_t spatial, const Tensor& mean,
                      const Tensor& var);
void batch_norm_forward(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                        const Tensor& bias, int64_t batch, int64_t channels, int64_t spatial, const Tensor& out);
// training: the statistics were the batch's own (full gradient through mean and var).
void batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t batch, int64_t channels, int64_t spatial, bool training,
                         const Tensor& dx, const Tensor& dweight, const Tensor& dbias);

}  // namespace tg::ops::cpu
