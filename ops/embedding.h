// Embedding lookups: rows of a table W [V, D] (float32/float64) picked by integer ids
// (int64 or int32), with fused forward and backward kernels.
//
//   embedding(W, ids)      y[i..., :] = W[ids[i...], :]                      -> [ids.shape..., D]
//                          dW[v, :] = sum over {i : ids[i] = v} of g[i, :]   (scatter-add)
//   embedding_bag(W, ids)  ids [..., L] holds one bag of L ids per leading index b:
//                          y[b, :] = s_b * sum over {l : ids[b, l] != pad} of W[ids[b, l], :]
//                          with s_b = 1 (Sum) or 1 / count_b (Mean)         -> [ids.shape[:-1]..., D]
//                          dW[v, :] = sum over {(b, l) : ids[b, l] = v != pad} of s_b g[b, :]
//                          A bag of only padding ids gives a zero vector and no gradient.
//
// Conventions:
// - An id outside [0, V) is an error (tg::Error naming the op, the id, its position in ids
//   and V), never a read out of bounds.
// - padding_idx: ids equal to it get no gradient; embedding still returns that row of W
//   (as PyTorch), embedding_bag leaves it out of the sum and of the mean's count.
//   -1 means no padding id; any other value must be a row of the table.
// - Dense gradients are summed in id order, so they are bitwise reproducible whatever the
//   thread count. sparse_grad gives a row-sparse gradient (ops/sparse.h) holding only the
//   touched rows, unique and ascending, each summed over its occurrences: the engine adds
//   it into W.grad as rows, so an optimizer step costs O(rows touched), not O(V).
// - ids are not differentiable; the table gets the only gradient.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops {

struct EmbeddingOptions {
  bool sparse_grad = false;
  int64_t padding_idx = -1;  // -1: none
};

Tensor embedding(const Tensor& table, const Tensor& ids, EmbeddingOptions options = {});

struct EmbeddingBagOptions {
  enum class Mode { Sum, Mean };
  Mode mode = Mode::Mean;
  int64_t padding_idx = 0;  // the data pipeline's padding id; -1: none
  bool sparse_grad = false;
};

// ids [B, L] -> [B, D], [B, F, L] -> [B, F, D] (any number of leading dims).
Tensor embedding_bag(const Tensor& table, const Tensor& ids, EmbeddingBagOptions options = {});

}  // namespace tg::ops
