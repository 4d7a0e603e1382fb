#pragma once
// Criteo (Kaggle display-advertising challenge) train.txt: one example per line, 40 tab-
// separated fields, no header:
//   label (0/1), I1..I13 (integers, possibly empty or negative), C1..C26 (8 hex digits,
//   possibly empty). Trailing empty C fields may be missing altogether (copies that strip
//   trailing tabs); fewer than 15 fields (label, I1..I13, C1) is an error.
// Schema: "label"; I1..I13 numerical (LogSquare by default: the winners' and FuxiCTR's
// bucketing into categorical ids; or MinMax / None); C1..C26 categorical with min_count.
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
TableSplits read_criteo(const std::string& path, const CriteoOptions& options = {});

}  // namespace tg::data
