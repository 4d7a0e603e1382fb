#pragma once
// Encoder: raw text fields -> encoded columns (data/dataset.h), shared by every reader.
//
//   Encoder enc(schema);
//   for each TRAINING row: enc.fit(row);   // pass 1: vocabulary counts, min/max (train only)
//   enc.finalize();
//   Dataset d = enc.make_dataset();        // empty columns + the fitted vocabularies
//   for each row: enc.encode(row, d);      // pass 2: appends one row of ids / values
//
// A row is one entry per schema field, IN SCHEMA ORDER (the label's too), either
//   std::span<const std::string_view>   every field as text, or
//   std::span<const RawField>           text, or for multi-valued/sequence fields a list of
//                                       keys (RawField::list(keys)) when the caller has them
//                                       apart already (a history built in memory).
// Field text:
//   label         "0" or "1" (also "0.0"/"1.0", surrounding spaces and a '\r' ignored)
//   categorical   the key; "" is missing -> OOV (1)
//   numerical     a number (spaces allowed around it); "" is missing -> 0.
//                 LogSquare: key floor(ln(v)^2) if v > 2 else floor(v) (Criteo winners /
//                 FuxiCTR), an id column; missing -> OOV. MinMax: clamp((v - lo) / (hi - lo),
//                 0, 1) with lo/hi fitted on train (hi == lo, or no value seen: 0).
//   multi-valued  keys joined by the field's separator; the FIRST max_len kept, right-padded
//   sequence      keys joined by the separator, oldest first; the LAST max_len kept, left-
//                 padded (most recent last); empty keys between separators are skipped
//   meta          kept as a key of its own vocabulary (e.g. a user id for group AUC)
// Fields with vocab_from count their keys into (and are encoded with) the owner's vocabulary
// (history items share item_id's ids).
//
// Errors name the field and the text ("field 'I3': expected a number, got 'x'"); readers add
// "<file>:<line>: ". fit() checks the label too, so a bad row is refused before it can add
// keys to a vocabulary. encode() parses the whole row before appending, so a failed row
// leaves the dataset unchanged (readers' skip_bad_lines relies on it).
//
// Chunks: encode() appends, so a file larger than memory streams through fit() and encode()
// line by line; only the compact columns are kept (see data/readers/table_reader.h).
// Reuse (eval/predict on new files, or splits given as files): state() is everything fit()
// learned (vocabularies, min/max ranges); EncoderState::save/load writes it as JSON
// (atomically) beside a model; Encoder::set_state() replaces fit()/finalize().
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/dataset.h"

namespace tg::data {

// One raw field of a row: text, or a list of keys (multi-valued / sequence fields only).
struct RawField {
  std::string_view text = {};
  std::span<const std::string_view> keys = {};
  bool is_list = false;

  RawField() = default;
  RawField(std::string_view t) : text(t) {}  // NOLINT: implicit, so {"1", "a", ...} reads well
  RawField(const char* t) : text(t) {}       // NOLINT
  RawField(const std::string& t) : text(t) {}  // NOLINT
  static RawField list(std::span<const std::string_view> keys) {
    RawField f;
    f.keys = keys;
    f.is_list = true;
    return f;
  }
};

// What fit() learned.
struct EncoderState {
  Vocabularies vocabularies;
  std::map<std::string, std::pair<float, float>, std::less<>> ranges;  // MinMax fields: (lo, hi)

  nlohmann::json to_json() const;
  static EncoderState from_json(const nlohmann::json& j, std::string_view source = "encoder state");
  void save(const std::string& path) const;  // atomic (temp file + rename)
  static EncoderState load(const std::string& path);
};

class Encoder {
 public:
  explicit Encoder(Schema schema);
  Encoder(Encoder&&) = default;  // vocabularies live in map nodes: pointers to them survive a move
  Encoder& operator=(Encoder&&) = default;
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  void fit(std::span<const std::string_view> row);
  void fit(std::span<const RawField> row);
  void finalize();
  bool finalized() const { return finalized_; }
  // Uses state fitted earlier (a saved model's, or the training file's): no fit() needed.
  // Errors name a field whose vocabulary or range is missing.
  void set_state(EncoderState state);
  EncoderState state() const;

  // An empty dataset with the schema, the fitted vocabularies and one empty column per
  // non-label field, in schema order. encode() needs a dataset made here.
  Dataset make_dataset() const;
  void encode(std::span<const std::string_view> row, Dataset& out) const;
  void encode(std::span<const RawField> row, Dataset& out) const;

  const Schema& schema() const { return schema_; }
  const Vocabularies& vocabularies() const { return vocabularies_; }

  // Criteo winners' bucketing of a numeric value as an integer key: v > 2 ? floor(ln(v)^2)
  // : floor(v) ("-0" prints as "0"). Formatted from the double, never through an integer
  // cast, so a value like -4e49 cannot overflow. The buffer form writes into `buf` (no
  // allocation) and returns a view of it.
  static std::string log_square_key(double v);
  static std::string_view log_square_key(double v, std::span<char, 400> buf);
  // Parses a number (spaces and a trailing '\r' around it allowed), or throws naming the field.
  static double parse_number(std::string_view text, std::string_view field);

 private:
  enum class Op : uint8_t { Label, Value, MinMax, LogSquare, Id, Multi, Seq };
  struct Plan {
    Op op = Op::Label;
    Vocabulary* vocab = nullptr;  // the owner's vocabulary (id fields)
    int64_t width = 1;
  };
  template <class Row>
  void fit_row(const Row& row, size_t n);
  template <class Row>
  void encode_row(const Row& row, size_t n, Dataset& out) const;
  float parse_label(std::string_view text) const;

  Schema schema_;
  std::vector<std::string> owners_;  // vocabulary owner per field ("" for label/plain numeric)
  Vocabularies vocabularies_;
  std::vector<Plan> plans_;          // per schema field
  std::vector<float> lo_, hi_;       // MinMax per schema field
  bool finalized_ = false;
  size_t label_index_ = 0;
};

}  // namespace tg::data
