// CPU kernels of the embedding family (ops/embedding_cpu.cpp), internal to ops/.
#pragma once
#include "ops/embedding.h"

// Raw CPU kernels (ops/embedding_cpu.cpp), called by the ops above after their checks.
// Shapes: table [V, D] with unit column stride (any row stride); ids contiguous, read as
// n_bags bags of bag_size ids (embedding: bag_size 1); out/dout contiguous [n_bags, D];
// bag_scale [n_bags] of the table's dtype, or undefined for a scale of 1.
namespace tg::ops::cpu {

// out[i, :] = table[ids[i], :]. Returns the flat position of the first id outside [0, V),
// or -1 (the rows of bad ids are not written).
int64_t embedding_forward(const Tensor& table, const Tensor& ids, const Tensor& out);
// out[b, :] = s_b * sum of the bag's non-padding rows; writes s_b into bag_scale when mean.
// Returns the first bad position as embedding_forward.
int64_t embedding_bag_forward(const Tensor& table, const Tensor& ids, int64_t bag_size, int64_t padding_idx,
                              bool mean, const Tensor& out, const Tensor& bag_scale);
// dtable[ids[b, l], :] += s_b * dout[b, :] over non-padding ids; dtable contiguous [V, D].
// Ids must have been range-checked by the forward.
void embedding_backward(const Tensor& dout, const Tensor& ids, int64_t bag_size, const Tensor& bag_scale,
                        int64_t padding_idx, const Tensor& dtable);
// The same gradient as (values [n, D], rows [n] int64): one entry per non-padding id, in
// id order, repeats not yet summed (make_row_sparse does that).
void embedding_backward_rows(const Tensor& dout, const Tensor& ids, int64_t bag_size, const Tensor& bag_scale,
                             int64_t padding_idx, Tensor& values, Tensor& rows);

}  // namespace tg::ops::cpu
