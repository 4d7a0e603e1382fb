#include "models/baselines.h"

#include <fmt/format.h>

#include "core/error.h"
#include "ops/ops.h"

namespace tg::models {

FmConfig FmConfig::from_args(ModelArgs& a, FmConfig d) {
  FmConfig c = d;
  c.init_std = a.get_double("init_std", d.init_std, "std of the normal init of embedding tables");
  if (d.use_fm) c.dim = a.get_int("dim", d.dim, "embedding size d per field");
  if (!d.dnn.empty()) {
    c.dnn = a.get_ints("dnn", d.dnn, "hidden widths of the deep part");
    c.dropout = a.get_double("dropout", d.dropout, "dropout in the deep part");
  }
  return c;
}

FactorizationMachine::FactorizationMachine(const data::Dataset& meta, FmConfig config)
    : config_(std::move(config)),
      linear_(add<FieldEmbedding>("linear", meta.schema, meta.vocabularies,
                                  FieldEmbeddingOptions{.dim = 1, .init_std = config_.init_std})),
      bias_(add_param("bias", zeros({1}))) {
  if (config_.use_fm || !config_.dnn.empty()) {
    embedding_ = &add<FieldEmbedding>("embedding", meta.schema, meta.vocabularies,
                                      FieldEmbeddingOptions{.dim = config_.dim, .init_std = config_.init_std});
  }
  if (!config_.dnn.empty()) {
    nn::MLP::Sizes sizes = {embedding_->num_fields() * config_.dim};
    sizes.insert(sizes.end(), config_.dnn.begin(), config_.dnn.end());
    sizes.push_back(1);
    mlp_ = &add<nn::MLP>("mlp", sizes, nn::MLPOptions{.dropout = config_.dropout});
  }
}

Tensor FactorizationMachine::forward(const data::Batch& batch) {
  Tensor z = ops::add(ops::sum(linear_(batch), {1, 2}), bias_);  // [B]
  if (!embedding_) return z;
  Tensor e = (*embedding_)(batch);  // [B, M, d]
  if (config_.use_fm) {
    Tensor s = ops::sum(e, 1);                       // [B, d]
    Tensor sq = ops::sum(ops::mul(e, e), 1);         // [B, d]
    Tensor pair = ops::sum(ops::sub(ops::mul(s, s), sq), 1);
    z = ops::add(z, ops::mul(pair, scalar_tensor(0.5, {.dtype = pair.dtype(), .device = pair.device()})));
  }
  if (mlp_) z = ops::add(z, (*mlp_)(e.flatten(1)).squeeze(1));
  return z;
}

std::string FactorizationMachine::describe() const {
  return fmt::format("{}(fields={}, d={}, fm={}, dnn=[{}])", config_.name, linear_.num_fields(), config_.dim,
                     config_.use_fm, fmt::join(config_.dnn, ","));
}

}  // namespace tg::models
