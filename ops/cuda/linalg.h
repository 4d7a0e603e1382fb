// CUDA kernels of the linalg family (cuBLAS), called from ops/linalg.cpp's device switch;
// the same contracts as ops/linalg_cpu.h.
#pragma once
#include "core/tensor.h"

namespace tg::ops::cuda {

// out[i] = a[i] x b[i] (+= when accumulate) over out's batch; a/b batch dims broadcast.
void matmul_forward(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate, const char* op);
// out [R, O] = x [R, in] W^T + bias (bias contiguous [O] or undefined).
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& out);

}  // namespace tg::ops::cuda
