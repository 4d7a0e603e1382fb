#include "models/field_embedding.h"

#include <fmt/format.h>

#include "core/autograd.h"
#include "core/error.h"
#include "core/rng.h"
#include "ops/ops.h"

namespace tg::models {

namespace {
std::string vocab_owner(const data::Schema& schema, const std::string& field) {
  std::string name = field;
  for (int hops = 0; hops < 8; ++hops) {
    const auto& spec = schema.field(name);
    if (spec.vocab_from.empty()) return name;
    name = spec.vocab_from;
  }
  fail("FieldEmbedding: vocab_from of '{}' forms a cycle", field);
}
}  // namespace

FieldEmbedding::FieldEmbedding(const data::Schema& schema, const data::Vocabularies& vocabularies,
                               FieldEmbeddingOptions options)
    : options_(std::move(options)) {
  check(options_.dim > 0, "FieldEmbedding: dim must be positive, got {}", options_.dim);
  fields_ = options_.fields;
  if (fields_.empty()) {
    for (const auto& f : schema.fields)
      if (f.kind == data::FieldKind::Categorical || f.kind == data::FieldKind::MultiValued ||
          f.kind == data::FieldKind::Numerical)
        fields_.push_back(f.name);
  }
  auto make_table = [&](const std::string& owner) {
    if (tables_.count(owner)) return;
    const int64_t rows = vocabularies.at(owner).size();
    Tensor table = normal({rows, options_.dim}, 0.0, options_.init_std);
    if (options_.padding) {
      NoGradGuard no_grad;
      table.narrow(0, 0, 1).fill_(0.0);  // the padding row starts (and stays) at zero
    }
    tables_[owner] = add_param(owner, table, nn::ParamRole::Embedding);
  };
  for (const auto& name : fields_) {
    const auto& spec = schema.field(name);
    kinds_[name] = spec.kind;
    if (spec.kind == data::FieldKind::Numerical && !spec.has_ids()) {
      numeric_[name] = add_param(name, normal({options_.dim}, 0.0, options_.init_std));
      continue;
    }
    check(spec.kind == data::FieldKind::Categorical || spec.kind == data::FieldKind::MultiValued ||
              spec.kind == data::FieldKind::Numerical,
          "FieldEmbedding: field '{}' is {}; E0 holds categorical, multi-valued and numerical fields", name,
          data::to_string(spec.kind));
    owner_[name] = vocab_owner(schema, name);
    make_table(owner_[name]);
  }
  for (const auto& name : options_.extra_tables) {
    owner_[name] = vocab_owner(schema, name);
    make_table(owner_[name]);
  }
}

const Tensor& FieldEmbedding::table_of(const std::string& field) const {
  auto it = owner_.find(field);
  check(it != owner_.end(), "FieldEmbedding: no table for field '{}' (not among its fields or extra_tables)", field);
  return tables_.at(it->second);
}

Tensor FieldEmbedding::embed(const std::string& field, const Tensor& ids) const {
  return ops::embedding(table_of(field), ids,
                        {.sparse_grad = options_.sparse_grad, .padding_idx = options_.padding ? 0 : -1});
}

Tensor FieldEmbedding::embed_bag(const std::string& field, const Tensor& ids) const {
  return ops::embedding_bag(table_of(field), ids,
                            {.mode = ops::EmbeddingBagOptions::Mode::Mean, .padding_idx = options_.padding ? 0 : -1,
                             .sparse_grad = options_.sparse_grad});
}

Tensor FieldEmbedding::field(const data::Batch& batch, const std::string& name) const {
  auto kind = kinds_.find(name);
  check(kind != kinds_.end(), "FieldEmbedding: '{}' is not one of its fields", name);
  auto num = numeric_.find(name);
  if (num != numeric_.end())  // [B,1] * [1,d]
    return ops::mul(batch[name].to(num->second.dtype()).unsqueeze(1), num->second.unsqueeze(0));
  if (kind->second == data::FieldKind::MultiValued) return embed_bag(name, batch[name]);
  return embed(name, batch[name]);
}

Tensor FieldEmbedding::operator()(const data::Batch& batch) const {
  nn::ModuleScope scope(*this);
  std::vector<Tensor> parts;
  parts.reserve(fields_.size());
  for (const auto& name : fields_) parts.push_back(field(batch, name));
  return scope.output(ops::stack(parts, 1));
}

std::string FieldEmbedding::describe() const {
  return fmt::format("FieldEmbedding({} fields, d={})", fields_.size(), options_.dim);
}

}  // namespace tg::models
