// Linear algebra: matrix products through OpenBLAS GEMM (cblas_sgemm / cblas_dgemm).
//
// Math, with torch.matmul's shape rules:
//   matmul(a, b)   [K]·[K] -> [] (dot); [M,K]x[K,N] -> [M,N]; a 1-D operand is promoted to a
//                  matrix ([K] -> [1,K] on the left, [K,1] on the right) and the added dim is
//                  removed from the result; N-D operands are stacks of matrices whose batch
//                  dims (all but the last two) broadcast: [B,1,M,K] x [H,K,N] -> [B,H,M,N].
//   bmm(a, b)      [B,M,K] x [B,K,N] -> [B,M,N], no broadcasting.
//   linear(x, W, b)  y = x W^T + b, x [..., in], W [out, in] (PyTorch's layout), b [out].
//   outer(a, b)    [M] x [N] -> [M,N], a_i b_j.
//   bilinear(x1, x2, W, b)  y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o].
// Gradients (g = dL/dy): dA = g B^T, dB = A^T g, each summed over the batch dims its operand
// was broadcast along (ops::sum_to); linear: dx = g W, dW = g^T x over all rows, db = sum of g
// over rows. Both operands must have the same floating dtype and device.
//
// No copies for strided operands: a matrix whose last dim has stride 1 goes to GEMM as
// row-major (ld = row stride), one whose second-to-last dim has stride 1 as a transposed
// matrix (CblasTrans, ld = column stride). So x.t(), transpose(-1,-2) and permuted batches
// cost nothing; only other layouts (a step in both dims, stride-0 expanded matrices) are
// copied with contiguous() first.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
// bias may be undefined (no bias).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
Tensor outer(const Tensor& a, const Tensor& b);
// x1 [..., in1] and x2 [..., in2] with the same leading dims, weight [out, in1, in2], bias [out]
// or undefined; result [..., out]. Composed of matmuls (its gradient comes from theirs).
Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace tg::ops
