// Shape ops that join, cut and tile tensors (PyTorch semantics). All are differentiable.
//
//   concat(xs, d)       y = [x0 | x1 | ...] along d; every x has y's sizes except in d.
//                       dy/dxi = the narrow of g that xi was copied into.
//   stack(xs, d)        concat of the xs each unsqueezed at d (all the same shape).
//   split(x, n, d)      views of n elements along d (the last may be shorter);
//   split(x, sizes, d)  views of the given sizes (they must add up to x.size(d));
//   chunk(x, k, d)      split(x, ceil(x.size(d) / k), d): at most k views.
//   repeat(x, r)        torch.Tensor.repeat: x (left-padded with 1s to r.size() dims) tiled
//                       r[i] times along dim i; out[..., j, ...] = x[..., j mod x.size(i), ...].
//                       Gradient: g summed over the tiles.
// split/chunk return views (narrow) that share x's storage: no copy, and their gradients
// flow back through the view. concat/stack/repeat allocate one output and fill it with one
// strided copy per input.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tg::ops {

Tensor concat(const TensorList& xs, int64_t dim);
Tensor stack(const TensorList& xs, int64_t dim);
TensorList split(const Tensor& x, int64_t split_size, int64_t dim);
// A one-element braced list, split(x, {2}, d), picks the split_size overload above; write
// split(x, std::vector<int64_t>{2}, d) for one size.
TensorList split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim);
TensorList chunk(const Tensor& x, int64_t chunks, int64_t dim);
// repeats.size() >= x.dim() (and <= kMaxDims); every repeat count >= 0.
Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats);

}  // namespace tg::ops
