// CPU kernels of the select family (ops/select_cpu.cpp), internal to ops/.
#pragma once
#include "ops/select.h"

// ---- CPU kernels (ops/select_cpu.cpp), called by ops/select.cpp after its checks. All
// tensors are contiguous, on the CPU, with matching dtypes; index values are in range.
namespace tg::ops::cpu {

// out (scalar) = max or min of the contiguous x (numel > 0); NaN propagates.
void extreme_all_forward(const Tensor& x, bool is_max, const Tensor& out);
// x viewed as [outer, r, inner] (r > 0); mask (uint8/bool, x's numel) or undefined.
// values [outer*inner] (may be undefined: argmax) and indices [outer*inner] int64.
void extreme_dim_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t r, int64_t inner, bool is_max,
                         const Tensor& values, const Tensor& indices);
// dx [outer, r, inner] = 0 except dx[o, indices[o,i], i] = g[o,i] (indices of -1 skipped).
void extreme_dim_backward(const Tensor& g, const Tensor& indices, int64_t outer, int64_t r, int64_t inner,
                          const Tensor& dx);
// The position of the first index value outside [0, size), or -1 (int64 or int32 index).
int64_t first_out_of_range(const Tensor& index, int64_t size);
// out (index's shape) = x gathered along dim.
void gather_forward(const Tensor& x, int dim, const Tensor& index, const Tensor& out);
// out (x's shape, holding x) += src scattered along dim at index (src may be larger than index).
void scatter_add_forward(const Tensor& out, int dim, const Tensor& index, const Tensor& src);
// out = x with dim replaced by the index[j] rows (index 1-D int64/int32).
void index_select_forward(const Tensor& x, int dim, const Tensor& index, const Tensor& out);
// dx (zeros, x's shape) += g's rows added at index along dim.
void index_select_backward(const Tensor& g, int dim, const Tensor& index, const Tensor& dx);

}  // namespace tg::ops::cpu
