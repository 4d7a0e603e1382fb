// CPU kernels of the linalg family (ops/linalg_cpu.cpp), internal to ops/.
#pragma once
#include "ops/linalg.h"

// Raw CPU kernels (no autograd, no user-facing checks; linalg.cpp checks and prepares).
namespace tg::ops::cpu {

// How a [rows, cols] matrix with element strides (rs, cs) is handed to GEMM without a copy:
// row-major (trans = false, ld = rs) or as the transpose of a row-major [cols, rows] matrix
// (trans = true, ld = cs). False when neither fits: the caller copies it with contiguous().
bool gemm_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld);

// out[i] = a[i] x b[i] (out[i] += ... when accumulate) for every batch index i of out.
// out [batch..., M, N] is contiguous; a [..., M, K] and b [..., K, N] have batch dims that
// broadcast to out's (right-aligned, missing or size-1 dims repeat) and gemm_layout-able
// matrices.
void matmul_forward(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate);

// out [R, O] = x [R, in] W^T + bias: bias (contiguous [O], or undefined for none) is written
// into every row of out first and GEMM adds x W^T with beta = 1.
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& out);

}  // namespace tg::ops::cpu
