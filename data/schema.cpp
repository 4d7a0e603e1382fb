#include "data/schema.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/atomic_file.h"

namespace tg::data {

namespace {
constexpr std::pair<FieldKind, const char*> kKinds[] = {
    {FieldKind::Label, "label"},           {FieldKind::Categorical, "categorical"},
    {FieldKind::Numerical, "numerical"},   {FieldKind::MultiValued, "multi_valued"},
    {FieldKind::Sequence, "sequence"},     {FieldKind::Meta, "meta"}};
constexpr std::pair<FieldGroup, const char*> kGroups[] = {
    {FieldGroup::None, "none"}, {FieldGroup::User, "user"}, {FieldGroup::Item, "item"}, {FieldGroup::Context, "context"}};
constexpr std::pair<NumericTransform, const char*> kTransforms[] = {
    {NumericTransform::None, "none"}, {NumericTransform::LogSquare, "log_square"}, {NumericTransform::MinMax, "min_max"}};

template <class E, size_t N>
const char* name_of(const std::pair<E, const char*> (&table)[N], E value) {
  for (auto& [v, n] : table)
    if (v == value) return n;
  return "?";
}
template <class E, size_t N>
E parse_enum(const std::pair<E, const char*> (&table)[N], const std::string& text, std::string_view source,
             const std::string& field, const char* what) {
  std::vector<std::string> names;
  for (auto& [v, n] : table) {
    if (text == n) return v;
    names.emplace_back(n);
  }
  fail("{}: field '{}': unknown {} '{}' (one of: {})", source, field, what, text, fmt::join(names, ", "));
}
}  // namespace

const char* to_string(FieldKind kind) { return name_of(kKinds, kind); }
const char* to_string(FieldGroup group) { return name_of(kGroups, group); }

bool Schema::has(std::string_view name) const { return index_of(name) >= 0; }

int64_t Schema::index_of(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int64_t>(i);
  return -1;
}

const FieldSpec& Schema::field(std::string_view name) const {
  int64_t i = index_of(name);
  if (i < 0) {
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(f.name);
    fail("schema: no field '{}' (fields: {})", name, fmt::join(names, ", "));
  }
  return fields[static_cast<size_t>(i)];
}

std::vector<std::string> Schema::names(FieldKind kind) const {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.kind == kind) out.push_back(f.name);
  return out;
}

std::vector<std::string> Schema::names(FieldGroup group) const {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.group == group && f.kind != FieldKind::Label) out.push_back(f.name);
  return out;
}

const std::string& Schema::label() const {
  const FieldSpec* found = nullptr;
  for (const auto& f : fields)
    if (f.kind == FieldKind::Label) {
      check(found == nullptr, "schema: two label fields, '{}' and '{}'", found ? found->name : "", f.name);
      found = &f;
    }
  check(found != nullptr, "schema: no label field");
  return found->name;
}

nlohmann::json Schema::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : fields) {
    nlohmann::json j = {{"name", f.name}, {"kind", to_string(f.kind)}};
    if (f.group != FieldGroup::None) j["group"] = to_string(f.group);
    if (f.min_count != 1) j["min_count"] = f.min_count;
    if (f.hash_buckets) j["hash_buckets"] = f.hash_buckets;
    if (!f.vocab_from.empty()) j["vocab_from"] = f.vocab_from;
    if (f.kind == FieldKind::MultiValued || f.kind == FieldKind::Sequence) {
      j["separator"] = std::string(1, f.separator);
      j["max_len"] = f.max_len;
    }
    if (!f.item_attributes.empty()) j["item_attributes"] = f.item_attributes;
    if (!f.item_index.empty()) j["item_index"] = f.item_index;
    if (f.transform != NumericTransform::None) j["transform"] = name_of(kTransforms, f.transform);
    list.push_back(j);
  }
  return {{"fields", list}};
}

Schema Schema::from_json(const nlohmann::json& j, std::string_view source) {
  check(j.is_object() && j.contains("fields") && j["fields"].is_array(),
        "{}: a schema is an object with a \"fields\" array", source);
  Schema s;
  int index = 0;
  for (const auto& jf : j["fields"]) {
    check(jf.is_object() && jf.contains("name") && jf["name"].is_string(), "{}: field #{} needs a \"name\" string",
          source, index);
    FieldSpec f;
    f.name = jf["name"].get<std::string>();
    check(!f.name.empty() && !s.has(f.name), "{}: field #{}: name '{}' is empty or repeated", source, index, f.name);
    try {
      f.kind = parse_enum(kKinds, jf.value("kind", std::string("categorical")), source, f.name, "kind");
      f.group = parse_enum(kGroups, jf.value("group", std::string("none")), source, f.name, "group");
      f.transform = parse_enum(kTransforms, jf.value("transform", std::string("none")), source, f.name, "transform");
      f.min_count = jf.value("min_count", int64_t{1});
      f.hash_buckets = jf.value("hash_buckets", int64_t{0});
      f.vocab_from = jf.value("vocab_from", std::string());
      std::string sep = jf.value("separator", std::string("|"));
      check(sep.size() == 1, "{}: field '{}': separator must be one character, got '{}'", source, f.name, sep);
      f.separator = sep[0];
      f.max_len = jf.value("max_len", int64_t{0});
      f.item_attributes = jf.value("item_attributes", std::vector<std::string>{});
      f.item_index = jf.value("item_index", std::string());
    } catch (const nlohmann::json::exception& e) {
      fail("{}: field '{}': {}", source, f.name, e.what());
    }
    check(f.min_count >= 1, "{}: field '{}': min_count must be >= 1, got {}", source, f.name, f.min_count);
    check(f.hash_buckets >= 0, "{}: field '{}': hash_buckets must be >= 0, got {}", source, f.name, f.hash_buckets);
    if (f.kind == FieldKind::MultiValued || f.kind == FieldKind::Sequence)
      check(f.max_len > 0, "{}: field '{}': a {} field needs max_len > 0", source, f.name, to_string(f.kind));
    s.fields.push_back(std::move(f));
    ++index;
  }
  for (const auto& f : s.fields)
    if (!f.vocab_from.empty())
      check(s.has(f.vocab_from), "{}: field '{}': vocab_from names unknown field '{}'", source, f.name, f.vocab_from);
  return s;
}

void Schema::save(const std::string& path) const { write_file_atomically(path, to_json().dump(2) + "\n"); }

Schema Schema::load(const std::string& path) {
  std::ifstream in(path);
  check(in.good(), "cannot open schema file '{}'", path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path, e.what());
  }
  return from_json(j, path);
}

}  // namespace tg::data
