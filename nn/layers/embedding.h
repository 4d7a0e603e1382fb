// Embedding tables, pooled multi-valued fields, and masked mean pooling.
//
//   Embedding(V, D): "weight" [V, D], ParamRole::Embedding.  y[i..., :] = W[ids[i...], :]
//     ids: int64 or int32 of any shape -> [ids.shape..., D].
//   EmbeddingBag(V, D): the same table, ids [..., L] holding one bag of L ids per leading
//     index: y[b, :] = s_b * sum_{l : ids[b,l] != padding_idx} W[ids[b,l], :], s_b = 1 (Sum) or
//     1 / max(count_b, 1) (Mean) -> [ids.shape[:-1]..., D]; an all-padding bag gives zeros.
//     Embedding::bag() does the same with an Embedding's own table (one table shared by a
//     single-valued and a multi-valued use, e.g. a target's genres and its history's genres).
//   masked_mean(x [..., T, d], mask [..., T]) = sum_t m_t x_t / max(sum_t m_t, 1)  -> [..., d]
//     (models.md §6); a row with no valid position gives zeros, its gradient is zero.
//
// Conventions (models.md §0): padding_idx = 0 by default: that row starts at zero and never
// gets a gradient, so it stays zero (-1: no padding row). Tables start at normal(0, init_std)
// with init_std = 1e-4 (FuxiCTR; IARM/AutoInt use 0.01). sparse_grad = true by default: the
// table's gradient holds only the touched rows (ops/sparse.h), so an optimizer step costs
// O(rows touched), not O(V); it equals the dense gradient on those rows.
#pragma once
#include <cstdint>
#include <string>

#include "core/rng.h"
#include "nn/module.h"
#include "ops/embedding.h"

namespace tg::nn {

using BagMode = ops::EmbeddingBagOptions::Mode;  // BagMode::Mean, BagMode::Sum

struct EmbeddingOptions {
  int64_t padding_idx = 0;  // -1: none
  bool sparse_grad = true;
  double init_std = 1e-4;
  Generator* gen = nullptr;  // for the initial values (null: the global generator)
};

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t dim, EmbeddingOptions options = {});

  Tensor operator()(const Tensor& ids) const;
  // Pooled lookup of bags of ids [..., L] from this table (see the header comment).
  Tensor bag(const Tensor& ids, BagMode mode = BagMode::Mean) const;
  void reset_parameters(Generator* gen = nullptr);  // normal(0, init_std), padding row zero

  int64_t num_embeddings() const { return num_; }
  int64_t dim() const { return dim_; }
  const EmbeddingOptions& options() const { return options_; }
  std::string describe() const override;  // "Embedding(100, 16)"

  Tensor weight;  // [num_embeddings, dim]

 private:
  int64_t num_, dim_;
  EmbeddingOptions options_;
};

struct EmbeddingBagOptions {
  BagMode mode = BagMode::Mean;
  int64_t padding_idx = 0;
  bool sparse_grad = true;
  double init_std = 1e-4;
  Generator* gen = nullptr;
};

class EmbeddingBag : public Module {
 public:
  EmbeddingBag(int64_t num_embeddings, int64_t dim, EmbeddingBagOptions options = {});

  Tensor operator()(const Tensor& ids) const;  // ids [..., L] -> [..., dim]
  void reset_parameters(Generator* gen = nullptr);

  int64_t num_embeddings() const { return num_; }
  int64_t dim() const { return dim_; }
  std::string describe() const override;  // "EmbeddingBag(100, 16, mean)"

  Tensor weight;  // [num_embeddings, dim]

 private:
  int64_t num_, dim_;
  EmbeddingBagOptions options_;
};

// x [..., T, d] and mask [..., T] (bool, uint8 or {0, 1} of any numeric dtype) -> [..., d].
Tensor masked_mean(const Tensor& x, const Tensor& mask);

}  // namespace tg::nn
