#pragma once
// FieldEmbedding: a Batch's input fields as one embedding matrix E0 [B, M, d]
// (IARM eqs. 2-4; FuxiCTR's FeatureEmbedding), shared by every model:
//   categorical field f      e_f = W_f[id]                      one table [V_f, d] per field
//   multi-valued field f     e_f = masked mean of W_f[ids]      padding 0 left out; empty -> 0
//   numerical field m        e_m = v_m * x_m                    v_m a learned [d] vector
// Row 0 of every table is padding: zero and never updated (padding_idx 0, design/models.md
// §0), unless options.padding is false. Tables are keyed by vocabulary owner, so a sequence field whose vocabulary comes from
// "movie_id" (FieldSpec::vocab_from) is looked up in movie_id's table by embed().
// Parameters are named "<field>" (tables, ParamRole::Embedding) and "<field>" for numeric
// vectors, under wherever this module is added (e.g. "embedding.gender").
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/schema.h"
#include "data/vocabulary.h"
#include "nn/module.h"

namespace tg::models {

struct FieldEmbeddingOptions {
  int64_t dim = 16;
  double init_std = 1e-4;             // normal(0, std); IARM/AutoInt use 0.01
  std::vector<std::string> fields = {};    // empty: every categorical, multi-valued and numerical field
  std::vector<std::string> extra_tables = {};  // vocabularies to hold tables for without embedding
                                          // them in E0 (e.g. a target item's history table)
  bool sparse_grad = true;            // row-sparse table gradients
  // false: id 0 is an ordinary id (random row, trained), as in the PyTorch benchmark
  // reference of IARM and QIN (../shared/bench), whose ids are 0..V-1 with no padding.
  // Masks that read id 0 as padding (Batch::mask) then do not apply to such fields.
  bool padding = true;
};

class FieldEmbedding : public nn::Module {
 public:
  FieldEmbedding(const data::Schema& schema, const data::Vocabularies& vocabularies,
                 FieldEmbeddingOptions options = {});

  // E0 [B, M, d] over fields() in order.
  Tensor operator()(const data::Batch& batch) const;
  // One field's embedding [B, d].
  Tensor field(const data::Batch& batch, const std::string& name) const;
  // Looks ids (any shape) up in the table of `field`'s vocabulary owner -> [..., d]; ids
  // with a trailing bag dimension use embed_bag.
  Tensor embed(const std::string& field, const Tensor& ids) const;
  // Masked mean over the last id dimension -> [..., d].
  Tensor embed_bag(const std::string& field, const Tensor& ids) const;

  const std::vector<std::string>& fields() const { return fields_; }
  int64_t num_fields() const { return static_cast<int64_t>(fields_.size()); }
  int64_t dim() const { return options_.dim; }
  std::string describe() const override;

 private:
  const Tensor& table_of(const std::string& field) const;

  FieldEmbeddingOptions options_;
  std::vector<std::string> fields_;
  std::map<std::string, data::FieldKind> kinds_;
  std::map<std::string, std::string> owner_;  // field -> vocabulary owner
  std::map<std::string, Tensor> tables_;      // by owner
  std::map<std::string, Tensor> numeric_;     // by field
};

}  // namespace tg::models
