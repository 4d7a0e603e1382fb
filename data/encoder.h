#pragma once
// Encoder: raw text fields -> encoded columns, shared by every reader.
//
//   Encoder enc(schema);
//   for each training row: enc.fit(fields);      // pass 1: vocabularies, min/max (train only)
//   enc.finalize();
//   Dataset d = enc.make_dataset();
//   for each row: enc.encode(fields, d);         // pass 2: ids and values
//
// A row is one string_view per schema field, in schema order (the label's too). Field text:
//   label         "0" or "1" (also "0.0"/"1.0")
//   categorical   the key; "" is missing -> OOV (1)
//   numerical     a number; "" is missing -> 0 (LogSquare: missing -> OOV)
//   multi-valued  keys joined by the field's separator, the first max_len kept, right-padded
//   sequence      keys joined by the separator, oldest first; the LAST max_len kept, left-padded
//   meta          kept as a key of its own vocabulary (e.g. a user id for group AUC)
// Fields with vocab_from count their keys into (and are encoded with) the owner's vocabulary.
// Errors name the field and the text ("field 'I3': expected a number, got 'x'"); readers add
// the file and line.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace tg::data {

class Encoder {
 public:
  explicit Encoder(Schema schema);

  void fit(std::span<const std::string_view> row);
  void finalize();
  // An empty dataset with the schema, the fitted vocabularies and one empty column per field.
  Dataset make_dataset() const;
  void encode(std::span<const std::string_view> row, Dataset& out) const;

  const Schema& schema() const { return schema_; }
  const Vocabularies& vocabularies() const { return vocabularies_; }
  // Reuses vocabularies fitted earlier (eval/predict on new files): no fit() needed.
  void set_vocabularies(Vocabularies v, std::vector<float> minmax_lo = {}, std::vector<float> minmax_hi = {});

  // Criteo winners' bucketing of a numeric value: v > 2 ? floor(ln(v)^2) : v (as an integer key).
  static std::string log_square_key(double v);
  // Parses a number, or throws naming the field.
  static double parse_number(std::string_view text, std::string_view field);

 private:
  const std::string& owner(size_t field) const { return owners_[field]; }
  template <class F>
  void for_each_key(std::string_view text, const FieldSpec& spec, F&& f) const;

  Schema schema_;
  std::vector<std::string> owners_;  // vocabulary owner per field ("" for label/plain numeric)
  Vocabularies vocabularies_;
  std::vector<float> lo_, hi_;       // MinMax per field
  bool finalized_ = false;
  size_t label_index_ = 0;
};

}  // namespace tg::data
