#include "data/encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace tg::data {

// ---- rows: text only, or text / key lists ------------------------------------------------

namespace {

struct TextRow {
  std::span<const std::string_view> r;
  std::string_view text(size_t i) const { return r[i]; }
  bool is_list(size_t) const { return false; }
  std::span<const std::string_view> keys(size_t) const { return {}; }
};
struct RawRow {
  std::span<const RawField> r;
  std::string_view text(size_t i) const { return r[i].text; }
  bool is_list(size_t i) const { return r[i].is_list; }
  std::span<const std::string_view> keys(size_t i) const { return r[i].keys; }
};

// Calls f(key) for every non-empty key of field i (split by `sep` when given as text).
template <class Row, class F>
void for_each_key(const Row& row, size_t i, char sep, F&& f) {
  if (row.is_list(i)) {
    for (std::string_view k : row.keys(i))
      if (!k.empty()) f(k);
    return;
  }
  std::string_view text = row.text(i);
  while (!text.empty()) {
    const size_t s = text.find(sep);
    std::string_view key = text.substr(0, s);
    if (!key.empty()) f(key);
    if (s == std::string_view::npos) break;
    text.remove_prefix(s + 1);
  }
}

std::string_view trim(std::string_view t) {
  while (!t.empty() && (t.front() == ' ')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r')) t.remove_suffix(1);
  return t;
}

}  // namespace

// ---- EncoderState ------------------------------------------------------------------------

nlohmann::json EncoderState::to_json() const {
  nlohmann::json voc = nlohmann::json::object(), rng = nlohmann::json::object();
  for (const auto& [name, v] : vocabularies.by_field) voc[name] = v.to_json();
  for (const auto& [name, r] : ranges) rng[name] = {{"min", r.first}, {"max", r.second}};
  return {{"vocabularies", voc}, {"ranges", rng}};
}

EncoderState EncoderState::from_json(const nlohmann::json& j, std::string_view source) {
  check(j.is_object() && j.contains("vocabularies") && j["vocabularies"].is_object(),
        "{}: an encoder state is an object with \"vocabularies\" (and \"ranges\")", source);
  EncoderState s;
  for (const auto& [name, v] : j["vocabularies"].items())
    s.vocabularies.by_field.emplace(name, Vocabulary::from_json(v, fmt::format("{}: field '{}'", source, name)));
  if (j.contains("ranges")) {
    check(j["ranges"].is_object(), "{}: \"ranges\" must be an object of fields", source);
    for (const auto& [name, r] : j["ranges"].items()) {
      try {
        s.ranges.emplace(name, std::pair{r.at("min").get<float>(), r.at("max").get<float>()});
      } catch (const nlohmann::json::exception& e) {
        fail("{}: field '{}': a range needs numbers \"min\" and \"max\": {}", source, name, e.what());
      }
    }
  }
  return s;
}

void EncoderState::save(const std::string& path) const { write_file_atomically(path, to_json().dump() + "\n"); }

EncoderState EncoderState::load(const std::string& path) {
  std::ifstream in(path);
  check(in.good(), "cannot open encoder state file '{}'", path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path, e.what());
  }
  return from_json(j, path);
}

// ---- Encoder -----------------------------------------------------------------------------

Encoder::Encoder(Schema schema) : schema_(std::move(schema)) {
  const auto n = schema_.fields.size();
  owners_.resize(n);
  plans_.resize(n);
  lo_.assign(n, std::numeric_limits<float>::infinity());
  hi_.assign(n, -std::numeric_limits<float>::infinity());
  label_index_ = static_cast<size_t>(schema_.index_of(schema_.label()));
  for (size_t i = 0; i < n; ++i) {
    const FieldSpec& f = schema_.fields[i];
    Plan& p = plans_[i];
    p.width = f.width();
    switch (f.kind) {
      case FieldKind::Label: p.op = Op::Label; break;
      case FieldKind::Numerical:
        p.op = f.transform == NumericTransform::LogSquare ? Op::LogSquare
               : f.transform == NumericTransform::MinMax  ? Op::MinMax
                                                          : Op::Value;
        break;
      case FieldKind::MultiValued: p.op = Op::Multi; break;
      case FieldKind::Sequence: p.op = Op::Seq; break;
      default: p.op = Op::Id; break;
    }
    if (f.kind == FieldKind::MultiValued || f.kind == FieldKind::Sequence)
      check(f.max_len > 0, "encoder: field '{}': a {} field needs max_len > 0", f.name, to_string(f.kind));
    if (!f.has_ids()) continue;
    std::string o = f.name;
    for (int hops = 0; !schema_.field(o).vocab_from.empty(); ++hops) {
      check(hops < 16, "encoder: vocab_from of '{}' forms a cycle", f.name);
      o = schema_.field(o).vocab_from;
    }
    owners_[i] = o;
    if (!vocabularies_.has(o)) {
      const FieldSpec& of = schema_.field(o);
      vocabularies_.by_field.emplace(o, Vocabulary(of.min_count, of.hash_buckets));
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (!owners_[i].empty()) plans_[i].vocab = &vocabularies_.by_field.find(owners_[i])->second;
}

double Encoder::parse_number(std::string_view text, std::string_view field) {
  const std::string_view t = trim(text);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  check(ec == std::errc() && p == t.data() + t.size() && !t.empty() && std::isfinite(v),
        "field '{}': expected a number, got '{}'", field, text.substr(0, 64));
  return v;
}

std::string_view Encoder::log_square_key(double v, std::span<char, 400> buf) {
  double b = v > 2 ? std::floor(std::log(v) * std::log(v)) : std::floor(v);
  if (b == 0) b = 0.0;  // -0 -> "0"
  // |b| < 1.8e308: at most 310 characters.
  auto r = fmt::format_to_n(buf.data(), buf.size(), "{:.0f}", b);
  return {buf.data(), r.size};
}

std::string Encoder::log_square_key(double v) {
  char buf[400];
  return std::string(log_square_key(v, std::span<char, 400>(buf)));
}

float Encoder::parse_label(std::string_view text) const {
  const std::string_view t = trim(text);
  if (t == "1" || t == "1.0") return 1.0f;
  if (t == "0" || t == "0.0") return 0.0f;
  fail("field '{}': label must be 0 or 1, got '{}'", schema_.fields[label_index_].name, text.substr(0, 64));
}

template <class Row>
void Encoder::fit_row(const Row& row, size_t n) {
  check(!finalized_, "encoder: fit() after finalize()");
  check(n == schema_.fields.size(), "encoder: {} fields in a row, the schema has {}", n, schema_.fields.size());
  // Parse everything before counting, so that a bad row adds nothing.
  parse_label(row.text(label_index_));
  thread_local std::vector<double> numbers;
  numbers.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const Op op = plans_[i].op;
    if ((op == Op::Value || op == Op::MinMax || op == Op::LogSquare) && !row.text(i).empty())
      numbers[i] = parse_number(row.text(i), schema_.fields[i].name);
  }
  char buf[400];
  for (size_t i = 0; i < n; ++i) {
    const Plan& p = plans_[i];
    switch (p.op) {
      case Op::Label:
      case Op::Value: break;
      case Op::MinMax:
        if (!row.text(i).empty()) {
          lo_[i] = std::min(lo_[i], static_cast<float>(numbers[i]));
          hi_[i] = std::max(hi_[i], static_cast<float>(numbers[i]));
        }
        break;
      case Op::LogSquare:
        if (!row.text(i).empty()) p.vocab->count(log_square_key(numbers[i], std::span<char, 400>(buf)));
        break;
      case Op::Id: p.vocab->count(row.text(i)); break;
      case Op::Multi:
      case Op::Seq: for_each_key(row, i, schema_.fields[i].separator, [&](std::string_view k) { p.vocab->count(k); });
    }
  }
}

void Encoder::fit(std::span<const std::string_view> row) { fit_row(TextRow{row}, row.size()); }
void Encoder::fit(std::span<const RawField> row) { fit_row(RawRow{row}, row.size()); }

void Encoder::finalize() {
  check(!finalized_, "encoder: finalize() called twice");
  for (auto& [name, v] : vocabularies_.by_field) v.finalize();
  finalized_ = true;
}

EncoderState Encoder::state() const {
  check(finalized_, "encoder: state() before finalize()");
  EncoderState s;
  s.vocabularies = vocabularies_;
  for (size_t i = 0; i < plans_.size(); ++i)
    if (plans_[i].op == Op::MinMax)  // no value seen: (0, 0), which encodes every value as 0 as before
      s.ranges.emplace(schema_.fields[i].name, lo_[i] <= hi_[i] ? std::pair{lo_[i], hi_[i]} : std::pair{0.0f, 0.0f});
  return s;
}

void Encoder::set_state(EncoderState state) {
  for (const auto& [name, voc] : vocabularies_.by_field) {
    check(state.vocabularies.has(name), "encoder: the given state has no vocabulary for field '{}'", name);
    const Vocabulary& given = state.vocabularies.at(name);
    check(given.finalized(), "encoder: the given vocabulary of field '{}' is not finalized", name);
  }
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (plans_[i].op != Op::MinMax) continue;
    auto it = state.ranges.find(schema_.fields[i].name);
    check(it != state.ranges.end(), "encoder: the given state has no min/max range for field '{}'",
          schema_.fields[i].name);
    lo_[i] = it->second.first;
    hi_[i] = it->second.second;
  }
  // Keep only the vocabularies this schema uses, in the nodes the plans point at.
  for (auto& [name, voc] : vocabularies_.by_field) voc = std::move(state.vocabularies.by_field.find(name)->second);
  finalized_ = true;
}

Dataset Encoder::make_dataset() const {
  check(finalized_, "encoder: make_dataset() before finalize()");
  Dataset d;
  d.schema = schema_;
  d.vocabularies = vocabularies_;
  for (const FieldSpec& f : schema_.fields) {
    if (f.kind == FieldKind::Label) continue;
    d.columns.push_back(Column{.name = f.name, .kind = f.kind, .width = f.width()});
  }
  return d;
}

template <class Row>
void Encoder::encode_row(const Row& row, size_t n, Dataset& out) const {
  check(finalized_, "encoder: encode() before finalize()");
  check(n == schema_.fields.size(), "encoder: {} fields in a row, the schema has {}", n, schema_.fields.size());
  check(out.columns.size() + 1 == n, "encoder: the dataset has {} columns, the schema {} non-label fields (make "
        "the dataset with make_dataset())", out.columns.size(), n - 1);
  const float label = parse_label(row.text(label_index_));
  // Everything is parsed into these before the dataset is touched (a bad row changes nothing).
  thread_local std::vector<int32_t> ids;
  thread_local std::vector<float> values;
  thread_local std::vector<int32_t> keys;
  ids.clear();
  values.clear();
  char buf[400];
  for (size_t i = 0; i < n; ++i) {
    const Plan& p = plans_[i];
    switch (p.op) {
      case Op::Label: break;
      case Op::Value: values.push_back(row.text(i).empty() ? 0.0f
                                       : static_cast<float>(parse_number(row.text(i), schema_.fields[i].name)));
        break;
      case Op::MinMax: {
        double v = row.text(i).empty() ? 0.0 : parse_number(row.text(i), schema_.fields[i].name);
        const double span = static_cast<double>(hi_[i]) - lo_[i];
        values.push_back(span > 0 ? static_cast<float>(std::clamp((v - lo_[i]) / span, 0.0, 1.0)) : 0.0f);
        break;
      }
      case Op::LogSquare:
        ids.push_back(row.text(i).empty()
                          ? Vocabulary::kOOV
                          : p.vocab->id(log_square_key(parse_number(row.text(i), schema_.fields[i].name),
                                                       std::span<char, 400>(buf))));
        break;
      case Op::Id: ids.push_back(p.vocab->id(row.text(i))); break;
      case Op::Multi:
      case Op::Seq: {
        keys.clear();
        for_each_key(row, i, schema_.fields[i].separator, [&](std::string_view k) { keys.push_back(p.vocab->id(k)); });
        const auto w = static_cast<size_t>(p.width);
        if (p.op == Op::Multi) {  // the first w, right-padded
          const size_t m = std::min(w, keys.size());
          ids.insert(ids.end(), keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(m));
          ids.insert(ids.end(), w - m, 0);
        } else {  // the last w, left-padded, most recent last
          const size_t m = std::min(w, keys.size());
          ids.insert(ids.end(), w - m, 0);
          ids.insert(ids.end(), keys.end() - static_cast<std::ptrdiff_t>(m), keys.end());
        }
        break;
      }
    }
  }
  out.labels.push_back(label);
  const int32_t* id = ids.data();
  const float* value = values.data();
  size_t c = 0;
  for (size_t i = 0; i < n; ++i) {
    const Plan& p = plans_[i];
    if (p.op == Op::Label) continue;
    Column& col = out.columns[c++];
    if (p.op == Op::Value || p.op == Op::MinMax) {
      col.values.push_back(*value++);
    } else {
      col.ids.insert(col.ids.end(), id, id + p.width);
      id += p.width;
    }
  }
}

void Encoder::encode(std::span<const std::string_view> row, Dataset& out) const {
  encode_row(TextRow{row}, row.size(), out);
}
void Encoder::encode(std::span<const RawField> row, Dataset& out) const { encode_row(RawRow{row}, row.size(), out); }

}  // namespace tg::data
