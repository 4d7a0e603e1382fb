// CUDA kernels of the nnfunc family that exist so far (softmax, layer_norm, dropout), called from
// ops/nnfunc.cpp's device switches with the contracts of ops/nnfunc_cpu.h.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops::cuda {

// x viewed as [outer, n, inner], softmax over n; mask contiguous of x's shape, or undefined.
void softmax_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t n, int64_t inner, bool log,
                     const Tensor& out);
void softmax_backward(const Tensor& y, const Tensor& g, const Tensor& mask, int64_t outer, int64_t n, int64_t inner,
                      bool log, const Tensor& dx);

// x viewed as [rows, n]; weight/bias contiguous [n] or undefined; writes out, mean, rstd.
void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t rows, int64_t n,
                        double eps, const Tensor& out, const Tensor& mean, const Tensor& rstd);
// Any of dx, dweight, dbias may be undefined (not wanted).
void layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& mean,
                         const Tensor& rstd, int64_t rows, int64_t n, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias);

void dropout_forward(const Tensor& x, double p, uint64_t seed, uint64_t offset, const Tensor& out,
                     const Tensor& keep_mask);
void dropout_backward(const Tensor& g, const Tensor& keep_mask, double scale, const Tensor& dx);

}  // namespace tg::ops::cuda
