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
