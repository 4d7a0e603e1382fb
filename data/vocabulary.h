#pragma once
// Vocabulary: string keys -> dense int32 ids, fitted on the training split only so that
// validation/test ids never leak, and saved beside the model so eval/predict reuse it.
//
//   id 0 = padding, id 1 = OOV (unseen in training, below min_count, or missing),
//   ids 2.. = the kept keys in sorted order: numerically when every key is an integer,
//   else by bytes (design: data/movielens-100k/PROTOCOL.md §1.4). size() = keys + 2 rows.
// Hashing mode (hash_buckets > 0): no keys are kept; id = 2 + fnv1a64(key) % hash_buckets,
// so size() = hash_buckets + 2; unseen keys still get a stable id.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tg::data {

// Transparent hashing: lookups by string_view without building a std::string per key.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Vocabulary {
 public:
  static constexpr int32_t kPad = 0;
  static constexpr int32_t kOOV = 1;

  explicit Vocabulary(int64_t min_count = 1, int64_t hash_buckets = 0);

  // Fitting: count keys (training rows only), then finalize() once.
  void count(std::string_view key, int64_t times = 1);
  void finalize();
  bool finalized() const { return finalized_; }

  // Lookup after finalize(): the key's id, or kOOV. An empty key is missing -> kOOV.
  int32_t id(std::string_view key) const;
  int64_t size() const;  // table rows, including pad and OOV
  // Kept keys in id order (id = index + 2); empty in hashing mode.
  const std::vector<std::string>& keys() const { return keys_; }
  int64_t min_count() const { return min_count_; }
  int64_t hash_buckets() const { return hash_buckets_; }

  nlohmann::json to_json() const;
  static Vocabulary from_json(const nlohmann::json& j, std::string_view source = "vocabulary");

 private:
  int64_t min_count_;
  int64_t hash_buckets_;
  bool finalized_ = false;
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> counts_;  // while fitting
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> ids_;     // after finalize
  std::vector<std::string> keys_;
};

// One vocabulary per field (fields that share one, via FieldSpec::vocab_from, are stored once
// under the owner's name). Saved as one JSON file: {"field": {vocabulary}, ...}; writes are
// atomic (temp file + rename).
struct Vocabularies {
  std::map<std::string, Vocabulary, std::less<>> by_field;

  bool has(std::string_view field) const;
  const Vocabulary& at(std::string_view field) const;  // error naming the field when absent
  void save(const std::string& path) const;
  static Vocabularies load(const std::string& path);
};

}  // namespace tg::data
