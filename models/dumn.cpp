#include "models/dumn.h"
#include "models/item_sequence.h"

#include <fmt/format.h>

#include "core/autograd.h"
#include "core/error.h"
#include "nn/layers/init.h"
#include "nn/losses/losses.h"
#include "ops/ops.h"

namespace tg::models {

namespace {
constexpr const char* kBranch[] = {"c", "u", "l", "d"};
constexpr int kOpposite[] = {1, 0, 3, 2};

std::vector<std::string> group_fields(const FieldEmbedding& e, const data::Schema& schema, data::FieldGroup g) {
  std::vector<std::string> out;
  for (const auto& f : e.fields())
    if (schema.field(f).group == g) out.push_back(f);
  return out;
}

// a - (a.b / (|b|^2 + eps)) b, per row.
Tensor orthogonal(const Tensor& a, const Tensor& b) {
  Tensor ab = ops::sum(ops::mul(a, b), 1, true);
  Tensor eps = scalar_tensor(1e-8, {.dtype = b.dtype(), .device = b.device()});
  Tensor bb = ops::add(ops::sum(ops::mul(b, b), 1, true), eps);
  return ops::sub(a, ops::mul(ops::div(ab, bb), b));
}

// models.md's cosine, cos(a, b) = a.b / (|a| |b| + 1e-8), as the PyTorch reference computes it
// (../shared/bench/torch_ref_seq.py). ops::pairwise_cosine clamps each norm on its own
// instead; the two differ by ~1e-8 / (|a| |b|), which at init is ~1e-4 relative for the
// triplet's candidates (1e-4-scale embeddings times P) and shows in the gradients.
constexpr double kCosEps = 1e-8;

// keys [B, Z] against the memory slots [m, Z] -> [B, m].
Tensor address(const Tensor& keys, const Tensor& memory) {
  Tensor norms = ops::mul(ops::l2_norm(keys, 1, true), ops::l2_norm(memory, 1).unsqueeze(0));
  return ops::div(ops::matmul(keys, memory.t()), ops::add(norms, kCosEps));
}

// The triplet's candidates of one sequence, s = E_item(ids) P [B, T, Z], with their norms
// [B, T] (a padded candidate is a zero row: norm 0, whose gradient ops::l2_norm takes as 0).
// Each sequence is the positive side of one memory and the negative side of another, so they
// are computed once per sequence.
struct Candidates {
  Tensor s, norm, mask;  // mask: bool [B, T], true = a real item
};

// 1 - cos(anchor [B, Z], candidates) -> [B, T].
Tensor distances(const Tensor& anchor, const Candidates& c) {
  Tensor dot = ops::bmm(c.s, anchor.unsqueeze(2)).squeeze(2);
  Tensor norms = ops::mul(ops::l2_norm(anchor, 1, true), c.norm);
  return ops::rsub(1.0, ops::div(dot, ops::add(norms, kCosEps)));
}

// Hardest-triplet hinge (models.md 4.3) with that cosine: the farthest valid positive and the
// closest valid negative of each sample, mean over the samples that have both.
Tensor triplet_hardest(const Tensor& anchor, const Candidates& pos, const Candidates& neg, double margin) {
  ops::MaxResult p = ops::max(distances(anchor, pos), 1, false, pos.mask);
  ops::MaxResult n = ops::min(distances(anchor, neg), 1, false, neg.mask);
  Tensor valid = ops::logical_and(ops::ge(p.indices, 0.0), ops::ge(n.indices, 0.0)).to(anchor.dtype());
  Tensor hinge = ops::mul(ops::relu(ops::add(ops::sub(p.values, n.values), margin)), valid);
  return ops::div(ops::sum(hinge), ops::clamp_min(ops::sum(valid), 1.0));
}
}  // namespace

DumnConfig DumnConfig::from_args(ModelArgs& a, DumnConfig d) {
  DumnConfig c = d;
  c.dim = a.get_int("dim", d.dim, "embedding size E");
  c.init_std = a.get_double("init_std", d.init_std, "std of the normal init of embedding tables");
  c.sequences = a.get_strings("sequences", d.sequences, "the click, unclick, like and dislike sequence fields");
  c.user_fields = a.get_strings("user_fields", d.user_fields, "fields of e_user (default: the user group)");
  c.item_fields = a.get_strings("item_fields", d.item_fields, "fields of e_item (default: the item group)");
  c.item_field = a.get_string("item_field", d.item_field, "the table of sequence elements");
  c.heads = a.get_int("heads", d.heads, "self-attention heads (E / heads each)");
  c.mhsa_scale = a.get_string("mhsa_scale", d.mhsa_scale, "seq_len (paper: 1/sqrt(T)) | head_dim");
  c.slots = a.get_int("slots", d.slots, "memory slots m");
  c.memory_dim = a.get_int("memory_dim", d.memory_dim, "memory width Z");
  c.controller = a.get_int("controller", d.controller, "controller width");
  c.use_fp = a.get_bool("use_fp", d.use_fp, "orthogonal projection (false: DUMN-FP)");
  c.use_umn = a.get_bool("use_umn", d.use_umn, "user memory network (false: DUMN-UMN)");
  c.use_triplet = a.get_bool("use_triplet", d.use_triplet, "triplet loss (false: DUMN-TL)");
  c.triplet_sampling = a.get_string("triplet_sampling", d.triplet_sampling, "hard | random (DUMN_RS)");
  c.margin = a.get_double("margin", d.margin, "triplet margin");
  c.fusion = a.get_string("fusion", d.fusion, "gate (PAIR) | concat");
  c.mlp = a.get_ints("mlp", d.mlp, "hidden widths of the output FFN");
  check(c.sequences.size() == 4, "{}: sequences needs 4 fields (click, unclick, like, dislike)", c.name);
  check(c.mhsa_scale == "seq_len" || c.mhsa_scale == "head_dim", "{}: mhsa_scale must be seq_len or head_dim", c.name);
  check(c.triplet_sampling == "hard" || c.triplet_sampling == "random", "{}: triplet_sampling must be hard or random",
        c.name);
  check(c.fusion == "gate" || c.fusion == "concat", "{}: fusion must be gate or concat", c.name);
  check(c.dim % c.heads == 0, "{}: dim {} is not divisible by heads {}", c.name, c.dim, c.heads);
  return c;
}

DumnBranch::DumnBranch(int64_t dim, int64_t user_width, int64_t item_width, const DumnConfig& c)
    : mhsa(add<nn::TransformerSelfAttention>(
          "mhsa", dim,
          nn::TransformerSelfAttentionOptions{.heads = c.heads,
                                              .head_dim = dim / c.heads,
                                              .split_input = true,
                                              .scale = c.mhsa_scale == "seq_len"
                                                           ? nn::TransformerSelfAttentionOptions::Scale::SeqLen
                                                           : nn::TransformerSelfAttentionOptions::Scale::HeadDim})),
      target(add<nn::TargetAttention>("target", user_width + item_width, dim,
                                      nn::TargetAttentionOptions{.score = nn::TargetAttentionOptions::Score::Concat,
                                                                 .weights = nn::TargetAttentionOptions::Weights::Softmax})) {
  if (c.fusion == "gate") {
    gate_s = add_param("gate_s", zeros({dim, dim}));
    nn::init::xavier_normal_(gate_s);
  }
  if (!c.use_umn) return;
  controller = &add<nn::Linear>("controller", dim + user_width, c.controller);
  read_key = &add<nn::Linear>("read_key", c.controller, c.memory_dim);
  write_key = &add<nn::Linear>("write_key", c.controller, c.memory_dim);
  erase = &add<nn::Linear>("erase", c.controller, c.memory_dim);
  add_head = &add<nn::Linear>("add", c.controller, c.memory_dim);
  if (c.fusion == "gate") {
    gate_r = add_param("gate_r", zeros({c.memory_dim, c.memory_dim}));
    nn::init::xavier_normal_(gate_r);
  }
  NoGradGuard no_grad;
  memory = add_buffer("memory", ops::tanh(normal({c.slots, c.memory_dim}, 0.0, 0.5)));
}

Dumn::Dumn(const data::Dataset& meta, DumnConfig config)
    : config_(std::move(config)),
      embedding_(add<FieldEmbedding>("embedding", meta.schema, meta.vocabularies,
                                     FieldEmbeddingOptions{.dim = config_.dim,
                                                           .init_std = config_.init_std,
                                                           .sparse_grad = config_.sparse_grad})) {
  user_fields_ = config_.user_fields.empty() ? group_fields(embedding_, meta.schema, data::FieldGroup::User)
                                             : config_.user_fields;
  item_fields_ = config_.item_fields.empty() ? group_fields(embedding_, meta.schema, data::FieldGroup::Item)
                                             : config_.item_fields;
  check(!user_fields_.empty() && !item_fields_.empty(), "{}: needs user and item fields (groups in the schema)",
        config_.name);
  for (const auto& s : config_.sequences)
    check(meta.schema.has(s) && meta.schema.field(s).kind == data::FieldKind::Sequence,
          "{}: '{}' is not a sequence field of the data", config_.name, s);
  const int64_t E = config_.dim;
  const auto user_width = E * static_cast<int64_t>(user_fields_.size());
  int64_t item_width = 0;
  for (const auto& f : item_fields_) (void)f, item_width += E;
  for (int x = 0; x < 4; ++x) branches_[static_cast<size_t>(x)] = &add<DumnBranch>(kBranch[x], E, user_width, item_width, config_);
  if (config_.use_umn) {  // (DUMN-TL keeps P, untrained, so that its parameter count equals DUMN's)
    projection_ = add_param("projection", zeros({E, config_.memory_dim}));
    nn::init::xavier_normal_(projection_);
  }
  const int64_t fused = config_.use_umn ? E + config_.memory_dim : E;
  nn::MLP::Sizes sizes = {user_width + item_width + 4 * fused};
  sizes.insert(sizes.end(), config_.mlp.begin(), config_.mlp.end());
  sizes.push_back(1);
  head_ = &add<nn::MLP>("head", sizes);
}

const Tensor& Dumn::memory(size_t x) const {
  check(x < 4 && branches_[x]->memory.defined(), "{}: no memory {}", config_.name, x);
  return branches_[x]->memory;
}

Tensor Dumn::forward(const data::Batch& batch) {
  Tensor e_user = embed_flat(embedding_, batch, user_fields_);
  Tensor e_item = embed_flat(embedding_, batch, item_fields_);
  Tensor query = ops::concat({e_user, e_item}, 1);
  std::array<Tensor, 4> f;
  for (size_t x = 0; x < 4; ++x) {
    const std::string& seq = config_.sequences[x];
    nn::ModuleScope scope(*branches_[x]);  // the branch's ops carry its path (graph, trace, anomalies)
    Tensor e = embedding_.embed(config_.item_field, batch[seq]);  // [B, T, E]
    Tensor mask = batch.mask(seq).to(e.dtype());
    Tensor o = branches_[x]->mhsa(e, mask);
    f[x] = branches_[x]->target(query, o, mask);
  }
  std::array<Tensor, 4> s = f;
  if (config_.use_fp) {
    s[0] = orthogonal(f[0], f[3]);  // click against dislike
    s[1] = orthogonal(f[1], f[2]);  // unclick against like
  }
  const bool write = is_training();
  std::vector<Tensor> fused = {e_user, e_item};
  for (size_t x = 0; x < 4; ++x) {
    DumnBranch& br = *branches_[x];
    nn::ModuleScope scope(br);
    Tensor gated_s = config_.fusion == "gate" ? ops::mul(s[x], ops::sigmoid(ops::matmul(s[x], br.gate_s))) : s[x];
    if (!config_.use_umn) {
      fused.push_back(gated_s);
      continue;
    }
    Tensor g = ops::relu((*br.controller)(ops::concat({s[x], e_user}, 1)));
    const TensorOptions like_g{.dtype = g.dtype(), .device = g.device()};  // for the constants
    Tensor memory = br.memory.to(g.dtype()).detach();  // read: a constant
    Tensor w_read = ops::softmax(ops::mul(address((*br.read_key)(g), memory),
                                          scalar_tensor(config_.beta, like_g)), 1);
    Tensor r = ops::matmul(w_read, memory);  // [B, Z]
    if (write) {
      // M' = (1 - mean_b w (x) erase) * M + mean_b w (x) add, as two [m, Z] products.
      Tensor w = ops::softmax(address((*br.write_key)(g), memory), 1);  // [B, m]
      Tensor inv_b = scalar_tensor(1.0 / static_cast<double>(w.size(0)), like_g);
      Tensor erase = ops::mul(ops::matmul(w.t(), ops::sigmoid((*br.erase)(g))), inv_b);
      Tensor add = ops::mul(ops::matmul(w.t(), ops::tanh((*br.add_head)(g))), inv_b);
      written_[x] = ops::add(ops::mul(ops::sub(scalar_tensor(1.0, like_g), erase), memory), add);
      anchors_[x] = ops::matmul(w, written_[x]);  // the anchor of the triplet loss, from M'
    }
    Tensor gated_r = config_.fusion == "gate" ? ops::mul(r, ops::sigmoid(ops::matmul(r, br.gate_r))) : r;
    fused.push_back(gated_s);
    fused.push_back(gated_r);
  }
  return (*head_)(ops::concat(fused, 1)).squeeze(1);
}

nn::LossTerms Dumn::loss(const data::Batch& batch, const Tensor& logits) {
  nn::LossTerms terms = nn::CtrModel::loss(batch, logits);
  if (!config_.use_umn || !config_.use_triplet || !is_training() || !anchors_[0].defined()) return terms;
  std::array<Candidates, 4> cand;
  for (size_t k = 0; k < 4; ++k) {
    const std::string& seq = config_.sequences[k];
    cand[k].s = ops::matmul(embedding_.embed(config_.item_field, batch[seq]), projection_);
    cand[k].norm = ops::l2_norm(cand[k].s, 2);
    cand[k].mask = ops::ne(batch.mask(seq), 0.0);
  }
  Tensor triplet;
  for (size_t x = 0; x < 4; ++x) {
    const Candidates &pos = cand[x], &neg = cand[static_cast<size_t>(kOpposite[x])];
    nn::TripletOptions opt{.margin = config_.margin};
    Tensor lx = config_.triplet_sampling == "hard"
                    ? triplet_hardest(anchors_[x], pos, neg, config_.margin)
                    : nn::triplet_loss_random(anchors_[x], pos.s, pos.mask, neg.s, neg.mask, nullptr, opt).loss;
    triplet = triplet.defined() ? ops::add(triplet, lx) : lx;
  }
  terms.total = ops::add(terms.total, triplet);
  terms.extra.push_back({"triplet", triplet});
  return terms;
}

void Dumn::after_step() {
  if (!config_.use_umn) return;
  NoGradGuard no_grad;
  for (size_t x = 0; x < 4; ++x) {
    if (!written_[x].defined()) continue;
    branches_[x]->memory.copy_(written_[x].detach());  // M <- detach(M')
    written_[x] = Tensor();
    anchors_[x] = Tensor();
  }
}

std::string Dumn::describe() const {
  return fmt::format("{}(E={}, m={}x{}, fp={}, umn={}, triplet={}/{}, fusion={})", config_.name, config_.dim,
                     config_.slots, config_.memory_dim, config_.use_fp, config_.use_umn, config_.use_triplet,
                     config_.triplet_sampling, config_.fusion);
}

}  // namespace tg::models
