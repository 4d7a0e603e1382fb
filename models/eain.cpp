#include "models/eain.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "nn/layers/init.h"
#include "nn/losses/losses.h"
#include "ops/ops.h"

namespace tg::models {

EainConfig EainConfig::from_args(ModelArgs& a, EainConfig d) {
  EainConfig c = d;
  c.dim = a.get_int("dim", d.dim, "embedding size per field");
  c.init_std = a.get_double("init_std", d.init_std, "std of the normal init of embedding tables");
  read_item_args(a, c.items, c.context);
  c.use_din = a.get_bool("use_din", d.use_din, "additive target attention (false: masked mean)");
  c.pos_in_din = a.get_bool("pos_in_din", d.pos_in_din, "recency positional encoding on the attention keys");
  c.attention_dim = a.get_int("attention_dim", d.attention_dim, "width a of the additive attention");
  c.use_senet = a.get_bool("use_senet", d.use_senet, "SENet field re-weighting");
  c.se_act = a.get_string("se_act", d.se_act, "sigmoid | relu: the SENet output activation");
  c.use_maskblock = a.get_bool("use_maskblock", d.use_maskblock, "MaskBlock with instance-guided mask");
  c.mask_width = a.get_int("mask_width", d.mask_width, "MaskBlock output width q");
  c.use_paim = a.get_bool("use_paim", d.use_paim, "PAIM outer-product interactions + positional information");
  c.paim_layers = a.get_int("paim_layers", d.paim_layers, "PAIM layers");
  c.mlp = a.get_ints("mlp", d.mlp, "hidden widths of the prediction head");
  c.l2 = a.get_double("l2", d.l2, "L2 over all parameters, (lambda/2)||theta||^2");
  check(c.se_act == "sigmoid" || c.se_act == "relu", "{}: se_act must be sigmoid or relu", c.name);
  return c;
}

Tensor sinusoidal_table(int64_t rows, int64_t dim) {
  Tensor pe = zeros({rows, dim});
  float* p = pe.data<float>();
  for (int64_t t = 0; t < rows; ++t)
    for (int64_t k = 0; 2 * k < dim; ++k) {
      const double angle = static_cast<double>(t) / std::pow(10000.0, 2.0 * static_cast<double>(k) / static_cast<double>(dim));
      p[t * dim + 2 * k] = static_cast<float>(std::sin(angle));
      if (2 * k + 1 < dim) p[t * dim + 2 * k + 1] = static_cast<float>(std::cos(angle));
    }
  return pe;
}

Eain::Eain(const data::Dataset& meta, EainConfig config)
    : config_(std::move(config)),
      embedding_(add<FieldEmbedding>("embedding", meta.schema, meta.vocabularies,
                                     FieldEmbeddingOptions{.dim = config_.dim,
                                                           .init_std = config_.init_std,
                                                           .sparse_grad = config_.sparse_grad})) {
  config_.items = resolve_item_fields(config_.items, meta.schema, config_.name);
  context_ = config_.context.empty() ? context_fields(embedding_, config_.items) : config_.context;
  const int64_t parts = static_cast<int64_t>(1 + config_.items.attributes.size());
  item_width_ = config_.dim * parts;
  seq_len_ = meta.schema.field(config_.items.history).max_len;
  pe_ = sinusoidal_table(seq_len_ + 1, item_width_);
  if (config_.use_din)
    attention_ = &add<nn::TargetAttention>(
        "attention", item_width_, item_width_,
        nn::TargetAttentionOptions{.score = nn::TargetAttentionOptions::Score::Additive,
                                   .weights = nn::TargetAttentionOptions::Weights::Softmax,
                                   .attention_dim = config_.attention_dim});
  fields_ = static_cast<int64_t>(context_.size()) + 2 * parts;
  const int64_t flat = fields_ * config_.dim;
  if (config_.use_senet) {
    const int64_t reduced = std::max<int64_t>(1, fields_ / 3);
    se_a_ = add_param("se_a", zeros({fields_, reduced}));
    se_b_ = add_param("se_b", zeros({reduced, fields_}));
    nn::init::xavier_normal_(se_a_);
    nn::init::xavier_normal_(se_b_);
  }
  int64_t head_in = flat;
  if (config_.use_maskblock) {
    mask_d1_ = &add<nn::Linear>("mask_d1", flat, config_.mask_ratio * flat);
    mask_d2_ = &add<nn::Linear>("mask_d2", config_.mask_ratio * flat, flat);
    field_ln_weight_ = add_param("field_ln_weight", ones({fields_, config_.dim}));
    field_ln_bias_ = add_param("field_ln_bias", zeros({fields_, config_.dim}));
    mask_h_ = &add<nn::Linear>("mask_h", flat, config_.mask_width, /*bias=*/false);
    mask_ln_ = &add<nn::LayerNorm>("mask_ln", config_.mask_width);
    head_in = config_.mask_width;
  }
  if (config_.use_paim) {
    paim_ = &add<nn::ModuleList>("paim");
    for (int64_t l = 0; l < config_.paim_layers; ++l) paim_->emplace_back<nn::Linear>(item_width_ * item_width_, item_width_);
    head_in += 2 * item_width_;
  }
  nn::MLP::Sizes sizes = {head_in};
  sizes.insert(sizes.end(), config_.mlp.begin(), config_.mlp.end());
  sizes.push_back(1);
  head_ = &add<nn::MLP>("head", sizes);
}

Tensor Eain::forward(const data::Batch& batch) {
  ItemSequence items = embed_items(embedding_, batch, config_.items);
  const int64_t B = items.target.size(0), T = items.history.size(1), d = config_.dim;
  check(T <= seq_len_, "{}: the history has {} positions, the model was built for {}", config_.name, T, seq_len_);
  Tensor h_u;
  if (attention_) {
    Tensor keys = items.history;
    if (config_.pos_in_din) {
      // Recency: slot j (most recent last) has t = T - 1 - j.
      Tensor pe = pe_.narrow(0, 0, T).to(keys.device()).to(keys.dtype());  // pe_ is built on the cpu
      Tensor reversed = ops::index_select(pe, 0, arange(T - 1, -1, -1).to(keys.device()));
      keys = ops::add(keys, reversed.unsqueeze(0));
    }
    h_u = (*attention_)(items.target, keys, items.mask, items.history);
  } else {
    h_u = nn::masked_mean(items.history, items.mask);
  }
  // F = [context ; target parts ; h_u parts] as N fields of width d.
  Tensor f = ops::concat({embed_flat(embedding_, batch, context_), items.target, h_u}, 1).reshape({B, fields_, d});
  if (config_.use_senet) {
    Tensor z = ops::mean(f, 2);  // [B, N]
    Tensor s = ops::matmul(ops::relu(ops::matmul(z, se_a_)), se_b_);
    s = config_.se_act == "sigmoid" ? ops::sigmoid(s) : ops::relu(s);
    f = ops::mul(f, s.unsqueeze(2));
  }
  Tensor v = f.flatten(1);  // [B, N d]
  Tensor head_in = v;
  if (config_.use_maskblock) {
    Tensor v_mask = (*mask_d2_)(ops::relu((*mask_d1_)(v)));
    Tensor ln = ops::add(ops::mul(ops::layer_norm(f, {d}), field_ln_weight_), field_ln_bias_).flatten(1);
    head_in = ops::relu((*mask_ln_)((*mask_h_)(ops::mul(v_mask, ln))));
  }
  if (paim_) {
    Tensor x = h_u;
    for (size_t l = 0; l < paim_->size(); ++l)
      x = ops::relu(paim_->at<nn::Linear>(l)(ops::mul(x.unsqueeze(2), x.unsqueeze(1)).flatten(1)));  // batched outer product
    // PE of the number of valid history items.
    Tensor n_valid = ops::sum(items.mask, 1).to(kInt64);
    Tensor pos = ops::index_select(pe_.to(x.device()).to(x.dtype()), 0, n_valid);
    head_in = ops::concat({head_in, x, pos}, 1);
  }
  return (*head_)(head_in).squeeze(1);
}

nn::LossTerms Eain::loss(const data::Batch& batch, const Tensor& logits) {
  nn::LossTerms terms = nn::CtrModel::loss(batch, logits);
  if (config_.l2 > 0) {
    Tensor reg = nn::l2_penalty(*this, config_.l2, nn::L2Scope::All);
    terms.total = ops::add(terms.total, reg);
    terms.extra.push_back({"l2", reg});
  }
  return terms;
}

std::string Eain::describe() const {
  return fmt::format("{}(fields={}, d={}, din={}, senet={}, maskblock={}, paim={})", config_.name, fields_, config_.dim,
                     config_.use_din, config_.use_senet, config_.use_maskblock, config_.use_paim);
}

}  // namespace tg::models
