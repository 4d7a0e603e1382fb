#pragma once
// The engine every line-based reader shares: stream a file (twice: fit vocabularies on the
// training rows, then encode), split rows into train / valid / test, and handle bad lines.
//
// Splits:
//   Ratio  each row goes to train / valid / test by a Philox draw from (seed, row number):
//          deterministic, streaming (no shuffle of the whole file in memory), ~exact ratios.
//   Time   rows sorted by a numeric column, then file order (ties keep file order); the
//          first `train` fraction is train, the next `valid` is valid, the rest test, so
//          histories never see the future. Needs one more pass to read the column.
//   None   every row in train (valid and test empty): for a file that is one split already.
// Vocabularies are always fitted on the training rows only.
//
// Bad lines: a line whose parse or encode fails stops reading with "<file>:<line>: <what>"
// (field named by the parser/encoder), unless skip_bad_lines, which skips and counts it
// (TableSplits::skipped, and the first few messages in skipped_examples).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "data/encoder.h"

namespace tg::data {

struct SplitOptions {
  enum class Mode { Ratio, Time, None };
  Mode mode = Mode::Ratio;
  double train = 0.8;
  double valid = 0.1;  // test = the rest
  uint64_t seed = 2019;
  std::string time_field = {};  // Mode::Time: a numerical field of the schema
};

struct ReadOptions {
  bool skip_bad_lines = false;
  int64_t max_rows = 0;  // 0: all
  SplitOptions split = {};
};

struct TableSplits {
  Dataset train, valid, test;
  int64_t lines = 0;      // data lines read
  int64_t skipped = 0;    // bad lines skipped (skip_bad_lines)
  std::vector<std::string> skipped_examples = {};
};

// Turns one line (no newline) into one string_view per schema field, in schema order
// (views into the line or into `scratch`). Throws tg::Error naming the field on bad input.
using LineParser = std::function<void(std::string_view line, std::vector<std::string_view>& fields,
                                      std::string& scratch)>;

// Reads `path` with `parser` (skipping `header_lines` first lines) and encodes it with `schema`.
TableSplits read_table(const std::string& path, const Schema& schema, const LineParser& parser,
                       int64_t header_lines, const ReadOptions& options);

// Splits on one delimiter character, no quoting (Criteo, Avazu); strips a trailing '\r'.
void split_plain(std::string_view line, char delimiter, std::vector<std::string_view>& out);

}  // namespace tg::data
