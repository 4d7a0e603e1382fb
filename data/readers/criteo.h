#pragma once
// Criteo (Kaggle display-advertising challenge) train.txt: one example per line, 40 tab-
// separated fields, no header:
//   label (0/1), I1..I13 (integers, possibly empty or negative), C1..C26 (8 hex digits,
//   possibly empty). Trailing empty C fields may be missing altogether (copies that strip
//   trailing tabs); fewer than 15 fields (label, I1..I13, C1) is an error.
// The last line may lack its newline (the published 1,000-row sample does); it then counts as
// complete only if its last field is whole: an I value, or a C key of exactly 8 hex digits
// (a copy cut in the middle of a key is an error naming the field).
// Schema: "label"; I1..I13 numerical (LogSquare by default: the winners' and FuxiCTR's
// bucketing into categorical ids; or MinMax / None); C1..C26 categorical with min_count.
#include <span>
#include <string>

#include "data/readers/table_reader.h"

namespace tg::data {

struct CriteoOptions {
  NumericTransform numeric = NumericTransform::LogSquare;
  int64_t min_count = 1;  // FuxiCTR uses 10 on the full data
  ReadOptions read = {};
};

Schema criteo_schema(const CriteoOptions& options = {});
// The line parser (exposed for fuzzing): 40 fields or an error naming the count.
void parse_criteo_line(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch);
// The check of a last line without newline (exposed for tests).
void check_criteo_last_line(std::string_view line, std::span<const std::string_view> fields);
TableSplits read_criteo(const std::string& path, const CriteoOptions& options = {});

}  // namespace tg::data
