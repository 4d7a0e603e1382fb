#include "models/qin.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/losses/losses.h"
#include "ops/ops.h"

namespace tg::models {

QinConfig QinConfig::from_args(ModelArgs& a, QinConfig d) {
  QinConfig c = d;
  c.dim = a.get_int("dim", d.dim, "embedding size per field");
  c.init_std = a.get_double("init_std", d.init_std, "std of the normal init of embedding tables");
  read_item_args(a, c.items, c.context);
  c.seq_pool = a.get_string("seq_pool", d.seq_pool, "asta | mean (QIN w/o ASTA)");
  c.asta_act = a.get_string("asta_act", d.asta_act, "relu | softmax (ASTA w/ SoftMax)");
  c.attention_dim = a.get_int("attention_dim", d.attention_dim, "ASTA width d_a (0: twice the item vector)");
  c.asta_dropout = a.get_double("asta_dropout", d.asta_dropout, "dropout on the ASTA weights");
  c.interaction = a.get_string("interaction", d.interaction, "qnn | mlp (QIN w/o QNN)");
  c.num_layers = a.get_int("num_layers", d.num_layers, "QNN layers L");
  c.num_row = a.get_int("num_row", d.num_row, "Khatri-Rao rows R per QNN layer");
  c.dropout = a.get_double("dropout", d.dropout, "dropout inside the QNN (and the w/o-QNN MLP)");
  c.qnn_act = a.get_string("qnn_act", d.qnn_act, "prelu | relu (QNN w/o PReLU)");
  c.batch_norm = a.get_bool("batch_norm", d.batch_norm, "BatchNorm in the QNN layers");
  c.mlp = a.get_ints("mlp", d.mlp, "hidden widths of the w/o-QNN MLP");
  c.emb_l2 = a.get_double("emb_l2", d.emb_l2, "L2 on the embedding tables, (lambda/2)||W||^2");
  c.asta_out = a.get_bool("asta_out", d.asta_out, "output projection W_o after ASTA (false: QIN eq. 3 literally)");
  c.use_mask = a.get_bool("use_mask", d.use_mask, "mask padded history slots (false: every slot attends)");
  c.x0_order = a.get_string("x0_order", d.x0_order, "target_pooled: [context; x_t; o] | pooled_target: [context; o; x_t]");
  check(c.x0_order == "target_pooled" || c.x0_order == "pooled_target",
        "{}: x0_order must be target_pooled or pooled_target, got '{}'", c.name, c.x0_order);
  check(c.seq_pool == "asta" || c.seq_pool == "mean", "{}: seq_pool must be asta or mean, got '{}'", c.name, c.seq_pool);
  check(c.asta_act == "relu" || c.asta_act == "softmax", "{}: asta_act must be relu or softmax", c.name);
  check(c.interaction == "qnn" || c.interaction == "mlp", "{}: interaction must be qnn or mlp", c.name);
  check(c.qnn_act == "prelu" || c.qnn_act == "relu", "{}: qnn_act must be prelu or relu", c.name);
  check(c.num_row >= 1 && c.num_layers >= 0, "{}: num_row >= 1 and num_layers >= 0", c.name);
  return c;
}

QnnLayer::QnnLayer(int64_t width, int64_t rows, double dropout, bool batch_norm, bool prelu)
    : width_(width), rows_(rows), dropout_(dropout), linear_(add<nn::Linear>("linear", width, rows * width)) {
  if (batch_norm) norm_ = &add<nn::BatchNorm1d>("norm", width);
  if (prelu) act_ = &add<nn::PReLU>("act");
}

Tensor QnnLayer::operator()(const Tensor& x) const {
  nn::ModuleScope scope(*this);
  Tensor h = ops::dropout(linear_(x), dropout_, is_training());            // [B, R*D]
  Tensor hsum = ops::sum(h.reshape({x.size(0), rows_, width_}), 1);        // sum over the R rows
  Tensor y = ops::mul(x, hsum);                                            // Khatri-Rao step
  if (norm_) y = (*norm_)(y);
  y = act_ ? (*act_)(y) : ops::relu(y);
  return scope.output(ops::add(ops::dropout(y, dropout_, is_training()), x));
}

std::string QnnLayer::describe() const { return fmt::format("QnnLayer({}, R={})", width_, rows_); }

Qin::Qin(const data::Dataset& meta, QinConfig config)
    : config_(std::move(config)),
      embedding_(add<FieldEmbedding>("embedding", meta.schema, meta.vocabularies,
                                     FieldEmbeddingOptions{.dim = config_.dim,
                                                           .init_std = config_.init_std,
                                                           .sparse_grad = config_.sparse_grad,
                                                           .padding = config_.padding})) {
  config_.items = resolve_item_fields(config_.items, meta.schema, config_.name);
  context_ = config_.context.empty() ? context_fields(embedding_, config_.items) : config_.context;
  const int64_t item_width = config_.dim * static_cast<int64_t>(1 + config_.items.attributes.size());
  check(meta.schema.has(config_.items.history), "{}: the data has no sequence field '{}'", config_.name,
        config_.items.history);
  if (config_.seq_pool == "asta") {
    asta_ = &add<nn::TargetAttention>(
        "asta", item_width, item_width,
        nn::TargetAttentionOptions{.score = nn::TargetAttentionOptions::Score::Dot,
                                   .weights = config_.asta_act == "relu" ? nn::TargetAttentionOptions::Weights::Relu
                                                                         : nn::TargetAttentionOptions::Weights::Softmax,
                                   .proj_dim = config_.attention_dim > 0 ? config_.attention_dim : 2 * item_width,
                                   .out_dim = config_.asta_out ? item_width : 0,
                                   .residual = true,
                                   .dropout = config_.asta_dropout});
  }
  const int64_t width = config_.dim * static_cast<int64_t>(context_.size()) + 2 * item_width;
  if (config_.interaction == "qnn") {
    qnn_ = &add<nn::ModuleList>("qnn");
    for (int64_t l = 0; l < config_.num_layers; ++l)
      qnn_->emplace_back<QnnLayer>(width, config_.num_row, config_.dropout, config_.batch_norm, config_.qnn_act == "prelu");
    output_ = &add<nn::Linear>("output", width, 1);
  } else {
    nn::MLP::Sizes sizes = {width};
    sizes.insert(sizes.end(), config_.mlp.begin(), config_.mlp.end());
    sizes.push_back(1);
    mlp_ = &add<nn::MLP>("mlp", sizes, nn::MLPOptions{.dropout = config_.dropout});
  }
}

Tensor Qin::forward(const data::Batch& batch) {
  ItemSequence items = embed_items(embedding_, batch, config_.items);
  const Tensor& mask = items.mask;
  Tensor pooled = asta_ ? (*asta_)(items.target, items.history, config_.use_mask ? mask : Tensor())
                        : nn::masked_mean(items.history, config_.use_mask ? mask : ones_like(mask));
  Tensor context = embed_flat(embedding_, batch, context_);
  Tensor x = config_.x0_order == "target_pooled" ? ops::concat({context, items.target, pooled}, 1)
                                                 : ops::concat({context, pooled, items.target}, 1);
  if (mlp_) return (*mlp_)(x).squeeze(1);
  for (size_t l = 0; l < qnn_->size(); ++l) x = qnn_->at<QnnLayer>(l)(x);
  return (*output_)(x).squeeze(1);
}

nn::LossTerms Qin::loss(const data::Batch& batch, const Tensor& logits) {
  nn::LossTerms terms = nn::CtrModel::loss(batch, logits);
  if (config_.emb_l2 > 0) {
    Tensor reg = nn::l2_penalty(embedding_, config_.emb_l2, nn::L2Scope::Embeddings);
    terms.total = ops::add(terms.total, reg);
    terms.extra.push_back({"l2", reg});
  }
  return terms;
}

std::string Qin::describe() const {
  return fmt::format("{}(context={}, d={}, pool={}/{}, interaction={} L={} R={})", config_.name, context_.size(),
                     config_.dim, config_.seq_pool, config_.asta_act, config_.interaction, config_.num_layers,
                     config_.num_row);
}

}  // namespace tg::models
