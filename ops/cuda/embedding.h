// CUDA kernels of the embedding family, called from ops/embedding.cpp's device switches
// (shapes as ops/embedding_cpu.h says).
#pragma once
#include "core/tensor.h"

namespace tg::ops::cuda {

// out[b, :] = (scaled) sum of the bag's rows; a plain lookup is bag_size 1 with no padding.
// Returns the first position of an id outside [0, V), or -1: reading it back makes this
// the one host synchronisation of the lookup.
int64_t embedding_bag_forward(const Tensor& table, const Tensor& ids, int64_t bag_size, int64_t padding_idx,
                              bool mean, const Tensor& out, const Tensor& bag_scale);

// The table's gradient from dout [n_bags, D]: dense [V, D], or row-sparse with unique
// ascending rows (already summed), deterministic (sort + segments, no float atomics).
Tensor embedding_backward(const Tensor& dout, const Tensor& ids, int64_t bag_size, const Tensor& bag_scale,
                          int64_t padding_idx, const Shape& table_shape, bool sparse);

}  // namespace tg::ops::cuda
