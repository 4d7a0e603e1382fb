#pragma once
// Schema: what each column of a CTR dataset is and how it is encoded.
//
// Every field has a kind and a group:
// - Label        the target, 0/1 (stored as float in Dataset::labels).
// - Categorical  one id per row ("gender", "C7", "item_id"); vocabulary or hashing.
// - Numerical    one float per row ("I3"); optional transform (Criteo's log-square turns it
//                into a categorical-like bucket id: see NumericTransform).
// - MultiValued  several ids per row joined by `separator` ("genres" = "Action|Comedy"),
//                at most `max_len`, stored RIGHT-padded with 0, pooled by masked mean.
// - Sequence     an ordered list of item ids (a user's history), at most `max_len` = T, the
//                most recent T kept, stored LEFT-padded with 0 (most recent last;
//                design/models.md §0). `item_attributes` names multi-valued fields of the
//                item (e.g. "genres") that a Batch looks up for every element.
// - Meta         kept but not a model input (timestamp, request id, raw user id for
//                group AUC).
// Groups (user / item / context) let models pick fields by role (IARM's interest MLP reads
// the user fields).
//
// Ids: 0 = padding, 1 = out-of-vocabulary (unseen in training, or missing), 2.. = keys.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tg::data {

enum class FieldKind { Label, Categorical, Numerical, MultiValued, Sequence, Meta };
enum class FieldGroup { None, User, Item, Context };

// Numerical transforms applied while encoding.
// - None:      the value as parsed (empty -> 0, and the row's "missing" is not recorded).
// - LogSquare: Criteo winners' bucketing, v > 2 ? floor(ln(v)^2) : v, then used as a
//              categorical key (the field becomes an id column).
// - MinMax:    (v - min) / (max - min) with min/max fitted on the training split.
enum class NumericTransform { None, LogSquare, MinMax };

struct FieldSpec {
  std::string name = {};
  FieldKind kind = FieldKind::Categorical;
  FieldGroup group = FieldGroup::None;

  // Vocabulary (Categorical, MultiValued, Sequence, and Numerical with LogSquare).
  int64_t min_count = 1;      // keys seen fewer times in training map to OOV (1)
  int64_t hash_buckets = 0;   // > 0: id = 2 + hash(key) % hash_buckets, no vocabulary kept
  std::string vocab_from = {};     // share another field's vocabulary (history items use item_id's)

  // MultiValued and Sequence.
  char separator = '|';
  int64_t max_len = 0;        // MultiValued: max values (right-padded); Sequence: T (left-padded)
  std::vector<std::string> item_attributes = {};  // Sequence: per-element item fields to look up
  // Sequence: a parallel sequence column whose values index the item table (raw item
  // numbers), for data where an element's vocabulary id cannot (an OOV history item still
  // has its own genres). Empty: the sequence's own ids index the table.
  std::string item_index = {};

  // Numerical.
  NumericTransform transform = NumericTransform::None;

  bool has_ids() const {
    return kind == FieldKind::Categorical || kind == FieldKind::MultiValued || kind == FieldKind::Sequence ||
           kind == FieldKind::Meta || (kind == FieldKind::Numerical && transform == NumericTransform::LogSquare);
  }
  // Ids per row in the encoded column: 1, or max_len for multi-valued and sequence fields.
  int64_t width() const {
    return (kind == FieldKind::MultiValued || kind == FieldKind::Sequence) ? max_len : 1;
  }
};

struct Schema {
  std::vector<FieldSpec> fields = {};

  bool has(std::string_view name) const;
  // Error naming the field and the schema's fields when absent.
  const FieldSpec& field(std::string_view name) const;
  int64_t index_of(std::string_view name) const;
  // Names of the fields of one kind / one group, in schema order.
  std::vector<std::string> names(FieldKind kind) const;
  std::vector<std::string> names(FieldGroup group) const;
  // The label field's name (error when the schema has none or several).
  const std::string& label() const;

  // JSON form (the schema file users write for the generic CSV reader; also saved beside a
  // model): {"fields": [{"name": "...", "kind": "categorical", "group": "user", ...}, ...]}.
  // Errors name `source` (a file name) and the offending field.
  nlohmann::json to_json() const;
  static Schema from_json(const nlohmann::json& j, std::string_view source = "schema");
  void save(const std::string& path) const;
  static Schema load(const std::string& path);
};

const char* to_string(FieldKind kind);
const char* to_string(FieldGroup group);

}  // namespace tg::data
