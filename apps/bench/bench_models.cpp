#include "apps/bench/bench_models.h"

#include <cmath>

#include <fmt/format.h>

#include "core/autograd.h"
#include "core/error.h"
#include "core/rng.h"
#include "models/dumn.h"
#include "models/eain.h"
#include "models/iarm.h"
#include "models/qin.h"
#include "nn/layers/layers.h"
#include "ops/ops.h"

namespace tg::bench {

namespace {

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

// A field of V ids (a hashing vocabulary has exactly V rows: V - 2 buckets + padding + OOV;
// only its size matters here, the ids come ready-made).
void add_categorical(data::Dataset& d, const std::string& name, int64_t rows, data::FieldGroup group) {
  check(rows >= 3, "tapegrad-bench: the table of '{}' needs at least 3 rows, got {}", name, rows);
  d.schema.fields.push_back({.name = name, .kind = data::FieldKind::Categorical, .group = group});
  data::Vocabulary v(1, rows - 2);
  v.finalize();
  d.vocabularies.by_field.emplace(name, std::move(v));
}

void add_sequence(data::Dataset& d, const std::string& name, const std::string& item, int64_t len,
                  std::vector<std::string> attributes = {}) {
  d.schema.fields.push_back({.name = name,
                             .kind = data::FieldKind::Sequence,
                             .vocab_from = item,
                             .max_len = len,
                             .item_attributes = std::move(attributes)});
}

// PyTorch's default init of a Linear (kaiming_uniform with a = sqrt(5)): weight and bias
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)). `in_first`: the weight is stored [in, out].
void torch_linear_init(const Tensor& w, bool in_first, const Tensor& b = Tensor()) {
  const int64_t fan_in = in_first ? w.size(0) : w.size(1);
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  nn::init::uniform_(w, -bound, bound);
  if (b.defined()) nn::init::uniform_(b, -bound, bound);
}

void torch_default_init(nn::Module& model) {
  NoGradGuard no_grad;
  for (auto& [name, module] : model.named_modules()) {
    if (auto* lin = dynamic_cast<nn::Linear*>(module)) torch_linear_init(lin->weight, false, lin->bias);
    if (auto* att = dynamic_cast<nn::MultiHeadSelfAttention*>(module))
      for (const Tensor& w : {att->w_query, att->w_key, att->w_value, att->w_res})
        if (w.defined()) torch_linear_init(w, true);
    if (auto* ta = dynamic_cast<nn::TargetAttention*>(module))
      for (const Tensor& w : {ta->w_query, ta->w_key, ta->w_value})
        if (w.defined()) torch_linear_init(w, true);
  }
}

// Forward matmul FLOPs per sample (2 x MACs), as the reference's matmul_flops_per_sample.
double forward_flops(const std::string& name, int64_t T) {
  double macs = 0;
  if (name == "iarm") {
    const double F = 39, d = 16;
    macs = 128.0 * 256 + 256.0 * 128 + 128.0 * 64 + 64.0 * 16;
    double d_in = d;
    for (int l = 0; l < 3; ++l) {
      macs += 4 * F * d_in * 64 + 2 * 2 * F * F * 32;
      d_in = 64;
    }
    return 2 * (macs + F * 64 + 16);
  }
  const auto t = static_cast<double>(T);
  if (name == "qin") {
    const double di = 64, da = 64, D = 288;
    macs = di * da + 2 * t * di * da + 2 * t * da + 4 * D * D * 4 + D;
    return 2 * macs;
  }
  if (name == "eain") {
    const double C = 32, a = 64, N = 10, r = 3, Nd = 160;
    macs = t * C * a + C * a + t * a + t * C + 2 * N * r + 2 * Nd * 2 * Nd + Nd * 256 + 2 * (C * C + C * C * C);
    macs += 320.0 * 256 + 256.0 * 128;
    return 2 * (macs + 128);
  }
  const double E = 16, H = 2, Z = 64, m = 256, ffn = 512, Du = 64, Di = 32;
  double per = 3 * t * E * (E / H) + 2 * t * t * E + t * E * E;
  per += t * E + Du + Di + t * E;
  per += (E + Du) * ffn + 4 * ffn * Z;
  per += 3 * m * Z + 3 * m * Z;
  per += E * E + Z * Z;
  per += t * E * Z + 2 * t * Z;
  macs = 4 * per + 416.0 * 200 + 200.0 * 80;
  return 2 * (macs + 80);
}

const std::vector<std::string> kDumnSequences = {"click", "unclick", "like", "dislike"};

}  // namespace

const std::vector<std::string>& bench_model_names() {
  static const std::vector<std::string> names = {"iarm", "qin", "eain", "dumn"};
  return names;
}

int64_t reference_params(const std::string& name) {
  if (name == "iarm") return 4274801;
  if (name == "qin") return 3584293;
  if (name == "eain") return 1465757;
  if (name == "dumn") return 1628201;
  fail("tapegrad-bench: unknown model '{}' (iarm, qin, eain, dumn)", name);
}

int64_t default_seq_len(const std::string& name) { return name == "dumn" ? 100 : 50; }

BenchModel build_bench_model(const std::string& name, BenchSizes sizes, bool sparse_grad, uint64_t seed) {
  reference_params(name);  // rejects unknown names
  if (sizes.seq_len <= 0) sizes.seq_len = default_seq_len(name);
  check(name != "iarm" || sizes.seq_len == 50, "tapegrad-bench: iarm has no sequence (seq_len {})", sizes.seq_len);
  BenchModel m;
  m.name = name;
  m.sizes = sizes;
  m.forward_flops = forward_flops(name, sizes.seq_len);
  data::Dataset& d = m.meta;
  d.schema.fields.push_back({.name = "label", .kind = data::FieldKind::Label});
  const int64_t V = sizes.vocab, T = sizes.seq_len;
  manual_seed(seed);
  if (name == "iarm") {
    for (const auto& f : numbered("I", 13)) d.schema.fields.push_back({.name = f, .kind = data::FieldKind::Numerical});
    for (const auto& f : numbered("C", 26)) add_categorical(d, f, V, data::FieldGroup::None);
    models::IarmConfig c;
    c.init_std = 0.05;
    c.interest = {256, 128, 64, 16};
    c.user_fields = numbered("C", 8);
    c.merge = "two";
    c.padding = false;
    c.sparse_grad = sparse_grad;
    m.model = std::make_unique<models::Iarm>(d, c);
    torch_default_init(*m.model);
  } else if (name == "qin") {
    for (const auto& f : numbered("o", 10)) add_categorical(d, f, V, data::FieldGroup::Context);
    add_categorical(d, "item", V, data::FieldGroup::Item);
    for (const auto& f : numbered("a", 3)) add_categorical(d, f, V, data::FieldGroup::Item);
    add_sequence(d, "history", "item", T, numbered("a", 3));
    models::QinConfig c;
    c.init_std = 0.05;
    c.items = {.item = "item", .attributes = numbered("a", 3), .history = "history"};
    c.context = numbered("o", 10);
    c.attention_dim = 64;
    c.num_layers = 4;
    c.num_row = 4;
    c.dropout = 0;
    c.batch_norm = false;
    c.emb_l2 = 0;
    c.asta_out = false;
    c.use_mask = false;
    c.x0_order = "pooled_target";
    c.padding = false;
    c.sparse_grad = sparse_grad;
    m.model = std::make_unique<models::Qin>(d, c);
    torch_default_init(*m.model);
  } else if (name == "eain") {
    for (const auto& f : numbered("u", 6)) add_categorical(d, f, V, data::FieldGroup::User);
    add_categorical(d, "item", V, data::FieldGroup::Item);
    add_categorical(d, "cate", sizes.small_vocab, data::FieldGroup::Item);
    add_sequence(d, "history", "item", T, {"cate"});
    models::EainConfig c;
    c.items = {.item = "item", .attributes = {"cate"}, .history = "history"};
    c.context = numbered("u", 6);
    c.sparse_grad = sparse_grad;
    m.model = std::make_unique<models::Eain>(d, c);
  } else {
    for (const auto& f : numbered("u", 4)) add_categorical(d, f, V, data::FieldGroup::User);
    add_categorical(d, "item", V, data::FieldGroup::Item);
    add_categorical(d, "brand", sizes.small_vocab, data::FieldGroup::Item);
    for (const auto& s : kDumnSequences) add_sequence(d, s, "item", T);
    models::DumnConfig c;
    c.sequences = kDumnSequences;
    c.user_fields = numbered("u", 4);
    c.item_fields = {"item", "brand"};
    c.item_field = "item";
    c.sparse_grad = sparse_grad;
    m.model = std::make_unique<models::Dumn>(d, c);
  }
  return m;
}

std::vector<TorchName> torch_names(const BenchModel& m) {
  std::vector<TorchName> out;
  auto linear = [&](const std::string& torch, const std::string& ours, bool bias = true) {
    out.push_back({torch + ".weight", ours + ".weight"});
    if (bias) out.push_back({torch + ".bias", ours + ".bias"});
  };
  auto head = [&](const std::string& torch, const std::string& ours, int layers) {  // Sequential(Linear, ReLU, ...)
    for (int i = 0; i < layers; ++i) linear(fmt::format("{}.{}", torch, 2 * i), fmt::format("{}.{}", ours, i));
  };
  if (m.name == "iarm") {
    for (int f = 0; f < 13; ++f) out.push_back({"num_emb", fmt::format("embedding.I{}", f + 1), false, f});
    for (int f = 0; f < 26; ++f) out.push_back({"cat_emb.weight", fmt::format("embedding.C{}", f + 1), false, f});
    head("interest", "interest", 4);
    for (int l = 0; l < 3; ++l)
      for (auto [t, o] : {std::pair{"W_q", "w_query"}, {"W_k", "w_key"}, {"W_v", "w_value"}, {"W_res", "w_res"}})
        out.push_back({fmt::format("inter.{}.{}.weight", l, t), fmt::format("interact.{}.{}", l, o), true});
    linear("out", "output");
  } else if (m.name == "qin") {
    for (int f = 0; f < 10; ++f) out.push_back({"other_emb.weight", fmt::format("embedding.o{}", f + 1), false, f});
    out.push_back({"item_emb.weight", "embedding.item", false, 0});
    for (int f = 1; f < 4; ++f) out.push_back({"item_emb.weight", fmt::format("embedding.a{}", f), false, f});
    for (auto [t, o] : {std::pair{"W_q", "w_query"}, {"W_k", "w_key"}, {"W_v", "w_value"}})
      out.push_back({fmt::format("{}.weight", t), fmt::format("asta.{}", o), true});
    for (int l = 0; l < 4; ++l) {
      linear(fmt::format("qnn.{}.linear", l), fmt::format("qnn.{}.linear", l));
      out.push_back({fmt::format("act.{}.weight", l), fmt::format("qnn.{}.act.weight", l)});
    }
    linear("fc", "output");
  } else if (m.name == "eain") {
    for (int f = 0; f < 6; ++f) out.push_back({fmt::format("user_emb.{}.weight", f), fmt::format("embedding.u{}", f + 1)});
    out.push_back({"item_emb.weight", "embedding.item"});
    out.push_back({"cate_emb.weight", "embedding.cate"});
    out.push_back({"W1.weight", "attention.w_key", true});
    out.push_back({"W2.weight", "attention.w_query", true});
    out.push_back({"W2.bias", "attention.bias"});
    out.push_back({"v.weight", "attention.v"});  // [1, a] -> [a]
    out.push_back({"se_a.weight", "se_a", true});
    out.push_back({"se_b.weight", "se_b", true});
    linear("mask_d1", "mask_d1");
    linear("mask_d2", "mask_d2");
    out.push_back({"ln_emb_w", "field_ln_weight"});
    out.push_back({"ln_emb_b", "field_ln_bias"});
    linear("mask_h", "mask_h", false);
    linear("mask_ln", "mask_ln");
    linear("paim.0", "paim.0");
    linear("paim.1", "paim.1");
    head("head", "head", 3);
  } else {
    for (int f = 0; f < 4; ++f) out.push_back({fmt::format("user_emb.{}.weight", f), fmt::format("embedding.u{}", f + 1)});
    out.push_back({"item_emb.weight", "embedding.item"});
    out.push_back({"brand_emb.weight", "embedding.brand"});
    const char* branch[] = {"c", "u", "l", "d"};
    for (int x = 0; x < 4; ++x) {
      const std::string t = fmt::format("branches.{}", x), o = branch[x];
      out.push_back({t + ".W_q", o + ".mhsa.w_query"});
      out.push_back({t + ".W_k", o + ".mhsa.w_key"});
      out.push_back({t + ".W_v", o + ".mhsa.w_value"});
      out.push_back({t + ".W_F.weight", o + ".mhsa.w_out", true});
      out.push_back({t + ".W_att.weight", o + ".target.w_score", true});
      linear(t + ".ctrl", o + ".controller");
      linear(t + ".k_read", o + ".read_key");
      linear(t + ".k_write", o + ".write_key");
      linear(t + ".erase", o + ".erase");
      linear(t + ".add", o + ".add");
      out.push_back({t + ".G1.weight", o + ".gate_s", true});
      out.push_back({t + ".G2.weight", o + ".gate_r", true});
      out.push_back({t + ".mem", o + ".memory", false, -1, true});
    }
    out.push_back({"P", "projection"});
    head("head", "head", 3);
  }
  return out;
}

namespace {

Tensor column(const Tensor& x, int64_t dim, int64_t index) { return x.select(dim, index).contiguous(); }

void check_input(const BenchModel& m, const std::vector<Tensor>& in, size_t i, DType dtype, const Shape& shape) {
  check(i < in.size() && in[i].defined(), "tapegrad-bench: {} needs input {} ({} {})", m.name, i, dtype, shape);
  check(in[i].dtype() == dtype && in[i].shape() == shape, "tapegrad-bench: {} input {} must be {} {}, got {}", m.name,
        i, dtype, shape, in[i].describe());
}

// The reference's mask must be what our Batch derives from the ids (id 0 = padding).
void check_mask(const BenchModel& m, const Tensor& ids, const Tensor& mask, const std::string& what) {
  Tensor c = ids.contiguous(), k = mask.contiguous();
  const int64_t* id = c.data<int64_t>();
  const float* mk = k.data<float>();
  for (int64_t i = 0; i < c.numel(); ++i)
    check((id[i] != 0) == (mk[i] != 0.0f),
          "tapegrad-bench: {}: the mask of {} is {} at flat position {} where the id is {}; masks must be exactly "
          "id != 0 (padding id 0)",
          m.name, what, mk[i], i, id[i]);
}

}  // namespace

data::Batch batch_from_inputs(const BenchModel& m, const std::vector<Tensor>& in, const Tensor& y) {
  NoGradGuard no_grad;
  check(y.defined() && y.dim() == 1 && y.dtype() == kFloat32, "tapegrad-bench: labels y must be float32 [B], got {}",
        y.describe());
  const int64_t B = y.size(0), T = m.sizes.seq_len;
  data::Batch b;
  b.size = B;
  b.label = y.contiguous();
  auto put = [&](const std::string& name, const Tensor& t) { b.fields[name] = t; };
  if (m.name == "iarm") {
    check_input(m, in, 0, kFloat32, {B, 13});
    check_input(m, in, 1, kInt64, {B, 26});
    for (int f = 0; f < 13; ++f) put(fmt::format("I{}", f + 1), column(in[0], 1, f));
    for (int f = 0; f < 26; ++f) put(fmt::format("C{}", f + 1), column(in[1], 1, f));
  } else if (m.name == "qin") {
    check_input(m, in, 0, kInt64, {B, 10});
    check_input(m, in, 1, kInt64, {B, 4});
    check_input(m, in, 2, kInt64, {B, T, 4});
    for (int f = 0; f < 10; ++f) put(fmt::format("o{}", f + 1), column(in[0], 1, f));
    put("item", column(in[1], 1, 0));
    put("history", column(in[2], 2, 0));
    for (int f = 1; f < 4; ++f) {
      put(fmt::format("a{}", f), column(in[1], 1, f));
      put(fmt::format("history.a{}", f), column(in[2], 2, f));
    }
  } else if (m.name == "eain") {
    check_input(m, in, 0, kInt64, {B, 6});
    check_input(m, in, 1, kInt64, {B, 2});
    check_input(m, in, 2, kInt64, {B, T, 2});
    check_input(m, in, 3, kFloat32, {B, T});
    for (int f = 0; f < 6; ++f) put(fmt::format("u{}", f + 1), column(in[0], 1, f));
    put("item", column(in[1], 1, 0));
    put("cate", column(in[1], 1, 1));
    put("history", column(in[2], 2, 0));
    put("history.cate", column(in[2], 2, 1));
    check_mask(m, b["history"], in[3], "the history");
  } else {
    check_input(m, in, 0, kInt64, {B, 4});
    check_input(m, in, 1, kInt64, {B, 2});
    check_input(m, in, 2, kInt64, {B, 4, T});
    check_input(m, in, 3, kFloat32, {B, 4, T});
    for (int f = 0; f < 4; ++f) put(fmt::format("u{}", f + 1), column(in[0], 1, f));
    put("item", column(in[1], 1, 0));
    put("brand", column(in[1], 1, 1));
    for (int x = 0; x < 4; ++x) {
      put(kDumnSequences[static_cast<size_t>(x)], column(in[2], 1, x));
      check_mask(m, b[kDumnSequences[static_cast<size_t>(x)]], column(in[3], 1, x), kDumnSequences[static_cast<size_t>(x)]);
    }
  }
  return b;
}

}  // namespace tg::bench
