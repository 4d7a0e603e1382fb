#include "data/encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace tg::data {

Encoder::Encoder(Schema schema) : schema_(std::move(schema)) {
  const auto n = schema_.fields.size();
  owners_.resize(n);
  lo_.assign(n, std::numeric_limits<float>::infinity());
  hi_.assign(n, -std::numeric_limits<float>::infinity());
  label_index_ = static_cast<size_t>(schema_.index_of(schema_.label()));
  for (size_t i = 0; i < n; ++i) {
    const FieldSpec& f = schema_.fields[i];
    if (!f.has_ids()) continue;
    std::string o = f.name;
    for (int hops = 0; !schema_.field(o).vocab_from.empty(); ++hops) {
      check(hops < 8, "encoder: vocab_from of '{}' forms a cycle", f.name);
      o = schema_.field(o).vocab_from;
    }
    owners_[i] = o;
    if (!vocabularies_.has(o)) {
      const FieldSpec& of = schema_.field(o);
      vocabularies_.by_field.emplace(o, Vocabulary(of.min_count, of.hash_buckets));
    }
  }
}

double Encoder::parse_number(std::string_view text, std::string_view field) {
  double v = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  while (begin < end && *begin == ' ') ++begin;
  while (end > begin && (end[-1] == ' ' || end[-1] == '\r')) --end;
  auto [p, ec] = std::from_chars(begin, end, v);
  check(ec == std::errc() && p == end && begin != end && std::isfinite(v), "field '{}': expected a number, got '{}'",
        field, text);
  return v;
}

std::string Encoder::log_square_key(double v) {
  // Formatted from the double, never cast to an integer: a value like -4e49 must not overflow.
  if (v > 2) return fmt::format("{:.0f}", std::floor(std::log(v) * std::log(v)));
  return fmt::format("{:.0f}", std::floor(v) == 0 ? 0.0 : std::floor(v));
}

template <class F>
void Encoder::for_each_key(std::string_view text, const FieldSpec& spec, F&& f) const {
  if (spec.kind != FieldKind::MultiValued && spec.kind != FieldKind::Sequence) {
    f(text);
    return;
  }
  if (text.empty()) return;
  size_t start = 0;
  while (true) {
    size_t sep = text.find(spec.separator, start);
    std::string_view key = text.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    if (!key.empty()) f(key);
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
}

void Encoder::fit(std::span<const std::string_view> row) {
  check(!finalized_, "encoder: fit() after finalize()");
  check(row.size() == schema_.fields.size(), "encoder: {} fields in a row, the schema has {}", row.size(),
        schema_.fields.size());
  for (size_t i = 0; i < row.size(); ++i) {
    const FieldSpec& f = schema_.fields[i];
    if (f.kind == FieldKind::Numerical) {
      if (row[i].empty()) continue;
      const double v = parse_number(row[i], f.name);
      if (f.transform == NumericTransform::LogSquare) {
        vocabularies_.by_field.find(owners_[i])->second.count(log_square_key(v));
      } else {
        lo_[i] = std::min(lo_[i], static_cast<float>(v));
        hi_[i] = std::max(hi_[i], static_cast<float>(v));
      }
      continue;
    }
    if (owners_[i].empty()) continue;
    Vocabulary& v = vocabularies_.by_field.find(owners_[i])->second;
    for_each_key(row[i], f, [&](std::string_view key) { v.count(key); });
  }
}

void Encoder::finalize() {
  check(!finalized_, "encoder: finalize() called twice");
  for (auto& [name, v] : vocabularies_.by_field) v.finalize();
  finalized_ = true;
}

void Encoder::set_vocabularies(Vocabularies v, std::vector<float> lo, std::vector<float> hi) {
  for (const auto& [name, voc] : vocabularies_.by_field)
    check(v.has(name), "encoder: the given vocabularies lack field '{}'", name);
  vocabularies_ = std::move(v);
  if (!lo.empty()) lo_ = std::move(lo), hi_ = std::move(hi);
  finalized_ = true;
}

Dataset Encoder::make_dataset() const {
  check(finalized_, "encoder: make_dataset() before finalize()");
  Dataset d;
  d.schema = schema_;
  d.vocabularies = vocabularies_;
  for (size_t i = 0; i < schema_.fields.size(); ++i) {
    const FieldSpec& f = schema_.fields[i];
    if (f.kind == FieldKind::Label) continue;
    d.columns.push_back(Column{.name = f.name, .kind = f.kind, .width = f.width()});
  }
  return d;
}

void Encoder::encode(std::span<const std::string_view> row, Dataset& out) const {
  check(finalized_, "encoder: encode() before finalize()");
  check(row.size() == schema_.fields.size(), "encoder: {} fields in a row, the schema has {}", row.size(),
        schema_.fields.size());
  // Parse everything first so that a bad field leaves `out` unchanged (skip_bad_lines).
  std::string_view label_text = row[label_index_];
  while (!label_text.empty() && (label_text.back() == '\r' || label_text.back() == ' ')) label_text.remove_suffix(1);
  float label;
  if (label_text == "1" || label_text == "1.0") {
    label = 1.0f;
  } else if (label_text == "0" || label_text == "0.0") {
    label = 0.0f;
  } else {
    fail("field '{}': label must be 0 or 1, got '{}'", schema_.fields[label_index_].name, row[label_index_]);
  }
  thread_local std::vector<int32_t> ids;
  thread_local std::vector<float> values;
  thread_local std::vector<int32_t> keys;
  ids.clear();
  values.clear();
  for (size_t i = 0; i < row.size(); ++i) {
    const FieldSpec& f = schema_.fields[i];
    if (f.kind == FieldKind::Label) continue;
    if (f.kind == FieldKind::Numerical && f.transform != NumericTransform::LogSquare) {
      double v = row[i].empty() ? 0.0 : parse_number(row[i], f.name);
      if (f.transform == NumericTransform::MinMax) {
        const float span = hi_[i] - lo_[i];
        v = span > 0 ? std::clamp((v - lo_[i]) / span, 0.0, 1.0) : 0.0;
      }
      values.push_back(static_cast<float>(v));
      continue;
    }
    const Vocabulary& voc = vocabularies_.at(owners_[i]);
    if (f.kind == FieldKind::Numerical) {  // LogSquare
      ids.push_back(row[i].empty() ? Vocabulary::kOOV : voc.id(log_square_key(parse_number(row[i], f.name))));
      continue;
    }
    if (f.kind != FieldKind::MultiValued && f.kind != FieldKind::Sequence) {
      ids.push_back(voc.id(row[i]));
      continue;
    }
    keys.clear();
    for_each_key(row[i], f, [&](std::string_view key) { keys.push_back(voc.id(key)); });
    const auto w = static_cast<size_t>(f.max_len);
    if (f.kind == FieldKind::MultiValued) {  // first w, right-padded
      for (size_t k = 0; k < w; ++k) ids.push_back(k < keys.size() ? keys[k] : 0);
    } else {  // last w, left-padded, most recent last
      const size_t n = std::min(w, keys.size());
      for (size_t k = 0; k < w - n; ++k) ids.push_back(0);
      for (size_t k = keys.size() - n; k < keys.size(); ++k) ids.push_back(keys[k]);
    }
  }
  out.labels.push_back(label);
  size_t id_at = 0, value_at = 0;
  for (auto& c : out.columns) {
    if (c.kind == FieldKind::Numerical && schema_.field(c.name).transform != NumericTransform::LogSquare) {
      c.values.push_back(values[value_at++]);
    } else {
      c.ids.insert(c.ids.end(), ids.begin() + static_cast<int64_t>(id_at), ids.begin() + static_cast<int64_t>(id_at + c.width));
      id_at += static_cast<size_t>(c.width);
    }
  }
}

}  // namespace tg::data
