#include "data/vocabulary.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace tg::data {

namespace {
uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}
bool parse_int(const std::string& s, long long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Vocabulary::Vocabulary(int64_t min_count, int64_t hash_buckets) : min_count_(min_count), hash_buckets_(hash_buckets) {
  check(min_count >= 1, "Vocabulary: min_count must be >= 1, got {}", min_count);
  check(hash_buckets >= 0 && hash_buckets < (int64_t{1} << 31) - 2,
        "Vocabulary: hash_buckets must be in [0, 2^31 - 2), got {}", hash_buckets);
}

void Vocabulary::count(std::string_view key, int64_t times) {
  check(!finalized_, "Vocabulary: count() after finalize()");
  if (key.empty() || hash_buckets_ > 0) return;
  auto it = counts_.find(key);
  if (it == counts_.end()) {
    counts_.emplace(std::string(key), times);
  } else {
    it->second += times;
  }
}

void Vocabulary::finalize() {
  check(!finalized_, "Vocabulary: finalize() called twice");
  finalized_ = true;
  if (hash_buckets_ > 0) return;
  std::vector<std::string> kept;
  for (auto& [key, n] : counts_)
    if (n >= min_count_) kept.push_back(key);
  // Integers sort numerically when every key is one ("9" < "10"), else bytewise.
  std::vector<long long> numbers(kept.size());
  bool all_int = true;
  for (size_t i = 0; i < kept.size() && all_int; ++i) all_int = parse_int(kept[i], numbers[i]);
  if (all_int) {
    std::vector<size_t> order(kept.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return numbers[a] != numbers[b] ? numbers[a] < numbers[b] : kept[a] < kept[b];
    });
    for (size_t i : order) keys_.push_back(kept[i]);
  } else {
    std::sort(kept.begin(), kept.end());
    keys_ = std::move(kept);
  }
  check(keys_.size() < static_cast<size_t>(INT32_MAX) - 2, "Vocabulary: {} keys do not fit int32 ids", keys_.size());
  ids_.reserve(keys_.size());
  for (size_t i = 0; i < keys_.size(); ++i) ids_.emplace(keys_[i], static_cast<int32_t>(i + 2));
  counts_.clear();
}

int32_t Vocabulary::id(std::string_view key) const {
  check(finalized_, "Vocabulary: id() before finalize()");
  if (key.empty()) return kOOV;
  if (hash_buckets_ > 0) return static_cast<int32_t>(2 + fnv1a64(key) % static_cast<uint64_t>(hash_buckets_));
  auto it = ids_.find(key);
  return it == ids_.end() ? kOOV : it->second;
}

int64_t Vocabulary::size() const {
  return hash_buckets_ > 0 ? hash_buckets_ + 2 : static_cast<int64_t>(keys_.size()) + 2;
}

nlohmann::json Vocabulary::to_json() const {
  check(finalized_, "Vocabulary: saving before finalize()");
  return {{"min_count", min_count_}, {"hash_buckets", hash_buckets_}, {"keys", keys_}};
}

Vocabulary Vocabulary::from_json(const nlohmann::json& j, std::string_view source) {
  try {
    Vocabulary v(j.at("min_count").get<int64_t>(), j.at("hash_buckets").get<int64_t>());
    v.finalized_ = true;
    v.keys_ = j.at("keys").get<std::vector<std::string>>();
    for (size_t i = 0; i < v.keys_.size(); ++i)
      check(v.ids_.emplace(v.keys_[i], static_cast<int32_t>(i + 2)).second, "{}: key '{}' appears twice", source,
            v.keys_[i]);
    return v;
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not a vocabulary: {}", source, e.what());
  }
}

bool Vocabularies::has(std::string_view field) const { return by_field.find(field) != by_field.end(); }

const Vocabulary& Vocabularies::at(std::string_view field) const {
  auto it = by_field.find(field);
  if (it == by_field.end()) {
    std::vector<std::string> names;
    for (auto& [k, v] : by_field) names.push_back(k);
    fail("vocabularies: none for field '{}' (have: {})", field, fmt::join(names, ", "));
  }
  return it->second;
}

void Vocabularies::save(const std::string& path) const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, v] : by_field) j[name] = v.to_json();
  write_file_atomically(path, j.dump() + "\n");
}

Vocabularies Vocabularies::load(const std::string& path) {
  std::ifstream in(path);
  check(in.good(), "cannot open vocabulary file '{}'", path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path, e.what());
  }
  check(j.is_object(), "{}: a vocabulary file is a JSON object of fields", path);
  Vocabularies out;
  for (const auto& [name, v] : j.items())
    out.by_field.emplace(name, Vocabulary::from_json(v, fmt::format("{} field '{}'", path, name)));
  return out;
}

}  // namespace tg::data
