// The planted dataset and the tiny model instances on it (see planted.h).
#include "models/planted.h"

#include <cmath>

#include "core/autograd.h"
#include "core/rng.h"
#include "models/registry.h"
#include "nn/layers/convert.h"
#include "ops/ops.h"

namespace tg::models {

namespace {

data::Vocabulary counted_vocab(int64_t keys) {
  data::Vocabulary v;
  for (int64_t k = 0; k < keys; ++k) v.count(std::to_string(k));
  v.finalize();
  return v;
}

}  // namespace

data::Dataset planted_dataset(int64_t rows, uint64_t seed, uint64_t teacher_seed) {
  using namespace data;
  Dataset d;
  d.schema.fields = {
      FieldSpec{.name = "u1", .kind = FieldKind::Categorical, .group = FieldGroup::User},
      FieldSpec{.name = "u2", .kind = FieldKind::Categorical, .group = FieldGroup::User},
      FieldSpec{.name = "i1", .kind = FieldKind::Categorical, .group = FieldGroup::Item},
      FieldSpec{.name = "c1", .kind = FieldKind::Categorical, .group = FieldGroup::Context},
      FieldSpec{.name = "tags", .kind = FieldKind::MultiValued, .group = FieldGroup::Item, .max_len = 3},
      FieldSpec{.name = "x", .kind = FieldKind::Numerical, .group = FieldGroup::Context},
      FieldSpec{.name = "hist", .kind = FieldKind::Sequence, .group = FieldGroup::User, .vocab_from = "i1",
                .max_len = 5, .item_attributes = {"tags"}},
      FieldSpec{.name = "unc", .kind = FieldKind::Sequence, .vocab_from = "i1", .max_len = 4},
      FieldSpec{.name = "lik", .kind = FieldKind::Sequence, .vocab_from = "i1", .max_len = 4},
      FieldSpec{.name = "dis", .kind = FieldKind::Sequence, .vocab_from = "i1", .max_len = 4},
      FieldSpec{.name = "label", .kind = FieldKind::Label}};
  const int64_t n_u1 = 20, n_u2 = 6, n_i1 = 30, n_c1 = 5, n_tags = 10;
  d.vocabularies.by_field.emplace("u1", counted_vocab(n_u1));
  d.vocabularies.by_field.emplace("u2", counted_vocab(n_u2));
  d.vocabularies.by_field.emplace("i1", counted_vocab(n_i1));
  d.vocabularies.by_field.emplace("c1", counted_vocab(n_c1));
  d.vocabularies.by_field.emplace("tags", counted_vocab(n_tags));
  Generator teacher(teacher_seed), gen(seed);
  const int k = 4;
  std::vector<double> a(static_cast<size_t>(n_u1 * k)), b(static_cast<size_t>(n_i1 * k)), bias_c(n_c1);
  for (auto& v : a) v = teacher.next_double() * 2 - 1;
  for (auto& v : b) v = teacher.next_double() * 2 - 1;
  for (auto& v : bias_c) v = (teacher.next_double() * 2 - 1) * 0.3;
  Column u1{.name = "u1"}, u2{.name = "u2"}, i1{.name = "i1"}, c1{.name = "c1"},
      tags{.name = "tags", .kind = FieldKind::MultiValued, .width = 3}, x{.name = "x", .kind = FieldKind::Numerical},
      hist{.name = "hist", .kind = FieldKind::Sequence, .width = 5};
  // Feedback sequences for DUMN: random items, 0..4 of them (so some rows have none).
  Column feedback[3] = {{.name = "unc", .kind = FieldKind::Sequence, .width = 4},
                        {.name = "lik", .kind = FieldKind::Sequence, .width = 4},
                        {.name = "dis", .kind = FieldKind::Sequence, .width = 4}};
  // The tags of every item (by i1 vocabulary id), for the history's "hist.tags".
  ItemTable items{.key_field = "i1"};
  Column item_tags{.name = "tags", .kind = FieldKind::MultiValued, .width = 3};
  item_tags.ids.assign(static_cast<size_t>((n_i1 + 2) * 3), 0);
  for (int64_t vi = 0; vi < n_i1; ++vi)
    for (int64_t t = 0; t < 1 + vi % 3; ++t) item_tags.ids[static_cast<size_t>((vi + 2) * 3 + t)] = static_cast<int32_t>(2 + (vi + t) % n_tags);
  items.attributes.emplace("tags", item_tags);
  d.item_tables.emplace("i1", items);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t vu = gen.next_below(n_u1), vi = gen.next_below(n_i1), vc = gen.next_below(n_c1);
    u1.ids.push_back(static_cast<int32_t>(vu + 2));
    u2.ids.push_back(static_cast<int32_t>(vu % n_u2 + 2));  // a coarse user attribute
    i1.ids.push_back(static_cast<int32_t>(vi + 2));
    c1.ids.push_back(static_cast<int32_t>(vc + 2));
    const int64_t ntag = 1 + vi % 3;
    for (int64_t t = 0; t < 3; ++t) tags.ids.push_back(t < ntag ? static_cast<int32_t>(2 + (vi + t) % n_tags) : 0);
    const double xv = gen.next_double() * 2 - 1;
    x.values.push_back(static_cast<float>(xv));
    double dot = 0;
    for (int j = 0; j < k; ++j) dot += a[static_cast<size_t>(vu * k + j)] * b[static_cast<size_t>(vi * k + j)];
    // A history of 0..5 items; +1 to the logit when most of them share the target's group (vi % 3).
    const int64_t len = gen.next_below(6);
    int64_t same = 0;
    for (int64_t p = 0; p < 5; ++p) {
      if (p < 5 - len) {
        hist.ids.push_back(0);
        continue;
      }
      const int64_t h = gen.next_below(n_i1);
      same += h % 3 == vi % 3;
      hist.ids.push_back(static_cast<int32_t>(h + 2));
    }
    for (auto& col : feedback) {
      const int64_t n = gen.next_below(5);
      for (int64_t p = 0; p < 4; ++p) col.ids.push_back(p < 4 - n ? 0 : static_cast<int32_t>(2 + gen.next_below(n_i1)));
    }
    const double logit = 3.0 * dot + 0.5 * xv + bias_c[static_cast<size_t>(vc)] + (2 * same > len ? 1.0 : 0.0);
    d.labels.push_back(gen.next_double() < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  d.columns = {u1, u2, i1, c1, tags, x, hist, feedback[0], feedback[1], feedback[2]};
  return d;
}

std::map<std::string, std::string> planted_field_knobs(const std::string& model) {
  std::map<std::string, std::string> kv;
  if (model == "qin" || model == "din" || model == "eain") {
    kv["item_field"] = "i1";
    kv["item_attributes"] = "tags";
    kv["history"] = "hist";
  }
  if (model == "dumn") {
    kv["sequences"] = "hist,unc,lik,dis";
    kv["item_field"] = "i1";
  }
  return kv;
}

std::map<std::string, std::string> tiny_model_knobs(const std::string& model) {
  std::map<std::string, std::string> kv = planted_field_knobs(model);
  kv["init_std"] = "0.3";
  kv["dim"] = "2";
  if (model == "iarm" || model == "autoint") {
    kv["heads"] = "2";
    kv["head_dim"] = "2";
    kv["layers"] = "2";
    if (model == "iarm") kv["interest"] = "3,2";
  }
  if (model == "deepfm") kv["dnn"] = "3";
  if (model == "qin") {
    kv["attention_dim"] = "3";
    kv["num_layers"] = "2";
    kv["num_row"] = "2";
    kv["dropout"] = "0";
  }
  if (model == "eain") {
    kv["attention_dim"] = "3";
    kv["mask_width"] = "4";
    kv["mlp"] = "3";
    kv["paim_layers"] = "1";
    kv["l2"] = "0.01";  // the regulariser's gradient is checked too
  }
  if (model == "dumn") {
    kv["heads"] = "1";
    kv["slots"] = "3";
    kv["memory_dim"] = "2";
    kv["controller"] = "3";
    kv["mlp"] = "3";
    kv["margin"] = "2.0";  // every hinge active: no kink at 0
  }
  if (model == "din") {
    kv["attention_hidden"] = "3";
    kv["mlp"] = "4";
  }
  // Keep only the knobs this model declares (the registry refuses unknown ones).
  ModelArgs probe;
  find_model(model).declare(probe);
  std::map<std::string, std::string> known;
  for (const auto& k : probe.known())
    if (kv.count(k.name)) known[k.name] = kv[k.name];
  return known;
}

TinyModel tiny_model(const std::string& model, uint64_t seed) {
  constexpr int64_t kRows = 6;
  TinyModel t;
  t.data = planted_dataset(kRows, seed);
  std::vector<int64_t> all(static_cast<size_t>(kRows));
  for (int64_t i = 0; i < kRows; ++i) all[static_cast<size_t>(i)] = i;
  t.batch = data::make_batch(t.data, all);
  manual_seed(seed);
  t.model = make_model(model, t.data, ModelArgs(tiny_model_knobs(model)));
  nn::to_dtype(*t.model, kFloat64);
  NoGradGuard no_grad;
  Generator gen(seed + 1);
  for (auto& p : t.model->parameters())
    if (p.dim() == 1) p.copy_(uniform(p.shape(), 0.1, 0.5, {.dtype = kFloat64}, &gen));
  return t;
}

}  // namespace tg::models
