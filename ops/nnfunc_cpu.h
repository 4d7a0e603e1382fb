// CPU kernels of the nnfunc family (ops/nnfunc_cpu.cpp), internal to ops/.
#pragma once
#include "ops/nnfunc.h"

// Raw CPU kernels (no autograd, no checks): contiguous inputs, outputs allocated by the
// caller. Masks are contiguous uint8/bool tensors of the same shape as x, or undefined.
namespace tg::ops::cpu {

// x viewed as [outer, n, inner], softmax over n.
void softmax_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t n, int64_t inner, bool log,
                     const Tensor& out);
// y is softmax_forward's output (log-probabilities when log).
void softmax_backward(const Tensor& y, const Tensor& g, const Tensor& mask, int64_t outer, int64_t n, int64_t inner,
                      bool log, const Tensor& dx);

// x viewed as [rows, n]; writes out [rows, n], mean and rstd [rows]. weight/bias may be undefined.
void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t rows, int64_t n,
                        double eps, const Tensor& out, const Tensor& mean, const Tensor& rstd);
// Any of dx, dweight, dbias may be undefined (not wanted).
void layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& mean,
                         const Tensor& rstd, int64_t rows, int64_t n, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias);

// x viewed as [batch, channels, spatial]: per-channel mean and biased variance.
void batch_norm_stats(const Tensor& x, int64_t batch, int64_t channels, int64_t spatial, const Tensor& mean,
                      const Tensor& var);
void batch_norm_forward(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                        const Tensor& bias, int64_t batch, int64_t channels, int64_t spatial, const Tensor& out);
// training: the statistics were the batch's own (full gradient through mean and var).
void batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t batch, int64_t channels, int64_t spatial, bool training,
                         const Tensor& dx, const Tensor& dweight, const Tensor& dbias);

// keep_mask (uint8) and out from the Philox counters starting at `offset` (4 elements per block).
void dropout_forward(const Tensor& x, double p, uint64_t seed, uint64_t offset, const Tensor& out,
                     const Tensor& keep_mask);
void dropout_backward(const Tensor& g, const Tensor& keep_mask, double scale, const Tensor& dx);

}  // namespace tg::ops::cpu
