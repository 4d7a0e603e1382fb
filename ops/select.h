// Selection: max/min (over all elements, or over a dim with an optional mask), argmax/argmin,
// gather, index_select and scatter_add.
//
// max/min over all elements -> a scalar. Tie rule (as torch.max() over all elements): the
//   gradient is split evenly among every element equal to the result, g / count; a NaN
//   result counts the NaN elements.
// max/min over `dim` -> {values, indices (int64)}, shapes as sum(x, dim, keepdim). Within a
//   row the FIRST extreme element wins (ties and all), NaN beats every number (as PyTorch:
//   NaN propagates, and its index is reported). The gradient of values goes to the selected
//   element only: dx = scatter of g into zeros at the index.
//   Optional mask (bool/uint8, broadcastable to x's shape): positions where it is false are
//   excluded from the selection. A row with no position left gives value 0, index -1 and no
//   gradient. This is hardest-triplet mining: the hardest positive is max over the mask of
//   positives, the hardest negative min over the mask of negatives.
// gather(x, dim, index)          out[..i..] = x[..index[..i..] at dim..]  (torch.gather):
//   index int64 with x's number of dims, index.size(d) <= x.size(d) for d != dim; out has
//   index's shape. dx = scatter-add of g into zeros of x's shape.
// index_select(x, dim, index)    out = x with dim replaced by the rows index[j]; index is 1-D
//   int64/int32. dx = index_add of g into zeros (repeated indices accumulate).
// scatter_add(x, dim, index, src) out = x, then out[..index[..i..] at dim..] += src[..i..]
//   for i over index's shape (index.size(d) <= src.size(d) for all d, <= x.size(d) for
//   d != dim). dx = g, dsrc = gather(g, dim, index) (zero where src is larger than index).
// Indices are never negative or wrapped: any index outside [0, size) is a tg::Error naming the
// op, the index, the dim and its size. Accumulations are sequential per output element, so
// results are deterministic whatever the thread count.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops {

struct MaxResult {
  Tensor values;
  Tensor indices;  // int64; -1 in rows where the mask left nothing
};

Tensor max(const Tensor& x);  // all elements -> scalar
Tensor min(const Tensor& x);
MaxResult max(const Tensor& x, int64_t dim, bool keepdim = false, const Tensor& mask = Tensor());
MaxResult min(const Tensor& x, int64_t dim, bool keepdim = false, const Tensor& mask = Tensor());
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false, const Tensor& mask = Tensor());
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false, const Tensor& mask = Tensor());

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);

}  // namespace tg::ops

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
