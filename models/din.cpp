#include "models/din.h"

#include <fmt/format.h>

#include "ops/ops.h"

namespace tg::models {

DinConfig DinConfig::from_args(ModelArgs& a, DinConfig d) {
  DinConfig c = d;
  c.dim = a.get_int("dim", d.dim, "embedding size per field");
  c.init_std = a.get_double("init_std", d.init_std, "std of the normal init of embedding tables");
  read_item_args(a, c.items, c.context);
  c.attention_hidden = a.get_ints("attention_hidden", d.attention_hidden, "hidden widths of the activation unit");
  c.mlp = a.get_ints("mlp", d.mlp, "hidden widths of the output MLP");
  return c;
}

Din::Din(const data::Dataset& meta, DinConfig config)
    : config_(std::move(config)),
      embedding_(add<FieldEmbedding>("embedding", meta.schema, meta.vocabularies,
                                     FieldEmbeddingOptions{.dim = config_.dim, .init_std = config_.init_std})) {
  config_.items = resolve_item_fields(config_.items, meta.schema, config_.name);
  context_ = config_.context.empty() ? context_fields(embedding_, config_.items) : config_.context;
  const int64_t item_width = config_.dim * static_cast<int64_t>(1 + config_.items.attributes.size());
  attention_ = &add<nn::TargetAttention>(
      "attention", item_width, item_width,
      nn::TargetAttentionOptions{.score = nn::TargetAttentionOptions::Score::DinMLP,
                                 .weights = nn::TargetAttentionOptions::Weights::Raw,
                                 .mlp_hidden = config_.attention_hidden});
  nn::MLP::Sizes sizes = {config_.dim * static_cast<int64_t>(context_.size()) + 2 * item_width};
  sizes.insert(sizes.end(), config_.mlp.begin(), config_.mlp.end());
  sizes.push_back(1);
  mlp_ = &add<nn::MLP>("mlp", sizes, nn::MLPOptions{.activation = nn::Activation::PRelu});
}

Tensor Din::forward(const data::Batch& batch) {
  ItemSequence items = embed_items(embedding_, batch, config_.items);
  Tensor pooled = (*attention_)(items.target, items.history, items.mask);
  return (*mlp_)(ops::concat({embed_flat(embedding_, batch, context_), items.target, pooled}, 1)).squeeze(1);
}

std::string Din::describe() const {
  return fmt::format("{}(context={}, d={}, mlp=[{}])", config_.name, context_.size(), config_.dim,
                     fmt::join(config_.mlp, ","));
}

}  // namespace tg::models
