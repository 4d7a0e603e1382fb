#include "models/iarm.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "ops/ops.h"

namespace tg::models {

IarmConfig IarmConfig::from_args(ModelArgs& a, IarmConfig d) {
  IarmConfig c;
  c.dim = a.get_int("dim", d.dim, "embedding size d per field");
  c.init_std = a.get_double("init_std", d.init_std, "std of the normal init of embedding tables");
  c.heads = a.get_int("heads", d.heads, "attention heads H per interacting layer");
  c.head_dim = a.get_int("head_dim", d.head_dim, "size d' of each head");
  c.layers = a.get_int("layers", d.layers, "interacting layers L (0..4; 0: E_L = E0)");
  c.interest = a.get_ints("interest", d.interest, "widths of the interest MLP over the user fields");
  c.user_fields = a.get_strings("user_fields", d.user_fields, "fields read by the interest MLP (default: user group)");
  c.use_interest = a.get_bool("use_interest", d.use_interest, "false: IARM* (no interest layer)");
  c.use_attention = a.get_bool("use_attention", d.use_attention, "false: IRM (E_l = ReLU(E_{l-1} W_res))");
  c.use_residual = a.get_bool("use_residual", d.use_residual, "false: IARM- (no residual projection)");
  c.merge = a.get_string("merge", d.merge, "three: [E_L; U; E0] into the output; two: [E_L; U]");
  c.qkv_relu = a.get_bool("qkv_relu", d.qkv_relu, "AutoInt code: ReLU dense Q/K/V with bias");
  c.use_scale = a.get_bool("use_scale", d.use_scale, "AutoInt code: scale scores by 1/sqrt(d')");
  c.attn_dropout = a.get_double("attn_dropout", d.attn_dropout, "dropout on the attention weights");
  c.layer_norm = a.get_bool("layer_norm", d.layer_norm, "AutoInt code: LayerNorm after each layer");
  c.padding = d.padding;
  c.sparse_grad = d.sparse_grad;
  c.name = d.name;
  check(c.merge == "three" || c.merge == "two", "{}: merge must be 'three' or 'two', got '{}'", c.name, c.merge);
  check(c.layers >= 0, "{}: layers must be >= 0, got {}", c.name, c.layers);
  return c;
}

namespace {
FieldEmbeddingOptions embedding_options(const IarmConfig& c) {
  return {.dim = c.dim, .init_std = c.init_std, .sparse_grad = c.sparse_grad, .padding = c.padding};
}
}  // namespace

Iarm::Iarm(const data::Dataset& meta, IarmConfig config)
    : config_(std::move(config)),
      embedding_(add<FieldEmbedding>("embedding", meta.schema, meta.vocabularies, embedding_options(config_))),
      interact_(add<nn::ModuleList>("interact")) {
  const auto& fields = embedding_.fields();
  const int64_t m = embedding_.num_fields();
  check(m > 0, "{}: the dataset has no categorical, multi-valued or numerical field", config_.name);
  std::vector<std::string> users = config_.user_fields;
  if (users.empty()) {
    for (const auto& f : fields)
      if (meta.schema.field(f).group == data::FieldGroup::User) users.push_back(f);
    if (users.empty()) users = fields;  // anonymous fields (Criteo): all of them (models.md §1.1)
  }
  for (const auto& u : users) {
    auto it = std::find(fields.begin(), fields.end(), u);
    check(it != fields.end(), "{}: user field '{}' is not an embedded field (fields: {})", config_.name, u,
          fmt::join(fields, ", "));
    user_index_.push_back(it - fields.begin());
  }
  int64_t width = 0;  // of the merged vector
  if (config_.use_interest) {
    nn::MLP::Sizes sizes = {static_cast<int64_t>(users.size()) * config_.dim};
    sizes.insert(sizes.end(), config_.interest.begin(), config_.interest.end());
    check(sizes.size() >= 2, "{}: the interest MLP needs at least one layer", config_.name);
    interest_ = &add<nn::MLP>("interest", sizes, nn::MLPOptions{.final_activation = true});
    width += sizes.back();
  }
  int64_t d_in = config_.dim;
  for (int64_t l = 0; l < config_.layers; ++l) {
    auto& layer = interact_.emplace_back<nn::MultiHeadSelfAttention>(
        d_in, nn::MultiHeadSelfAttentionOptions{.heads = config_.heads,
                                                .head_dim = config_.head_dim,
                                                .use_scale = config_.use_scale,
                                                .use_attention = config_.use_attention,
                                                .use_residual = config_.use_residual,
                                                .qkv_relu = config_.qkv_relu,
                                                .qkv_bias = config_.qkv_relu,
                                                .attn_dropout = config_.attn_dropout,
                                                .layer_norm = config_.layer_norm});
    d_in = layer.output_dim();
  }
  width += m * d_in;
  if (config_.merge == "three") width += m * config_.dim;
  output_ = &add<nn::Linear>("output", width, 1);
}

Tensor Iarm::forward(const data::Batch& batch) {
  Tensor e0 = embedding_(batch);  // [B, M, d]
  std::vector<Tensor> merged;
  Tensor x = e0;
  for (size_t l = 0; l < interact_.size(); ++l) x = interact_.at<nn::MultiHeadSelfAttention>(l)(x);
  merged.push_back(x.flatten(1));
  if (interest_) {
    Tensor ids = from_vector(user_index_, {static_cast<int64_t>(user_index_.size())}).to(e0.device());
    Tensor u = ops::index_select(e0, 1, ids).flatten(1);  // [B, n*d]
    merged.push_back((*interest_)(u));
  }
  if (config_.merge == "three") merged.push_back(e0.flatten(1));
  return (*output_)(merged.size() == 1 ? merged[0] : ops::concat(merged, 1)).squeeze(1);
}

std::string Iarm::describe() const {
  return fmt::format("{}(fields={}, d={}, heads={}x{}, layers={}, interest={}, merge={})", config_.name,
                     embedding_.num_fields(), config_.dim, config_.heads, config_.head_dim, config_.layers,
                     config_.use_interest, config_.merge);
}

}  // namespace tg::models
