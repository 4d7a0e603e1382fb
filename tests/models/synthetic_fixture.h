#pragma once
// An in-memory dataset with planted structure for model tests: two user fields, an item
// field, a context field, a multi-valued tag field and a numeric field. The label is drawn
// from sigmoid(3 * <a[u1], b[i1]> + 0.5 * x + small field biases), a user-item interaction
// that a model over one field at a time (LR) cannot represent.
#include <cmath>
#include <string>

#include "core/rng.h"
#include "data/dataset.h"

namespace tg::testing {

inline data::Vocabulary counted_vocab(int64_t keys) {
  data::Vocabulary v;
  for (int64_t k = 0; k < keys; ++k) v.count(std::to_string(k));
  v.finalize();
  return v;
}

inline data::Dataset planted_dataset(int64_t rows, uint64_t seed, uint64_t teacher_seed = 99) {
  using namespace data;
  Dataset d;
  d.schema.fields = {
      FieldSpec{.name = "u1", .kind = FieldKind::Categorical, .group = FieldGroup::User},
      FieldSpec{.name = "u2", .kind = FieldKind::Categorical, .group = FieldGroup::User},
      FieldSpec{.name = "i1", .kind = FieldKind::Categorical, .group = FieldGroup::Item},
      FieldSpec{.name = "c1", .kind = FieldKind::Categorical, .group = FieldGroup::Context},
      FieldSpec{.name = "tags", .kind = FieldKind::MultiValued, .group = FieldGroup::Item, .max_len = 3},
      FieldSpec{.name = "x", .kind = FieldKind::Numerical, .group = FieldGroup::Context},
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
      tags{.name = "tags", .kind = FieldKind::MultiValued, .width = 3}, x{.name = "x", .kind = FieldKind::Numerical};
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
    const double logit = 3.0 * dot + 0.5 * xv + bias_c[static_cast<size_t>(vc)];
    d.labels.push_back(gen.next_double() < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  d.columns = {u1, u2, i1, c1, tags, x};
  return d;
}

}  // namespace tg::testing
