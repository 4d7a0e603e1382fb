#pragma once
// The engine every line-based reader shares: stream a file (LineReader: one reusable buffer,
// never all lines in memory), fit the encoder on the training rows, encode every row into
// train / valid / test, and handle bad lines.
//
// Passes over the file (each streams it):
//   Ratio  1. count the data lines (memchr speed), so the split has exact counts
//          (data/split.h: the same assignment as split() on the whole dataset);
//   Time   1. parse every line's time field (time_field of the schema), sort, assign;
//   both   2. fit the encoder on the training rows (skipped when ReadOptions::fitted is given),
//          3. encode every row into its part, in file order.
//   None   every row in train: passes 2 and 3 only.
// Vocabularies and min/max ranges are fitted on the training rows only; TableSplits::state
// holds them (save it beside a model; give it as ReadOptions::fitted to encode another file
// — a test file, new data for predict — with the same ids).
//
// Bad lines: a line whose parse or encode fails stops reading with "<file>:<line>: <what>"
// (the field named by the parser or encoder), unless skip_bad_lines, which skips and counts
// it (TableSplits::skipped; the first few messages in skipped_examples). A bad row found
// only after the split was drawn leaves its part one row short. Empty lines are ignored. The
// last line of a file may lack its newline; the reader's `last_line_check` (if any) then
// decides whether it is complete or a truncated copy.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "data/encoder.h"
#include "data/split.h"

namespace tg::data {

struct ReadOptions {
  bool skip_bad_lines = false;
  int64_t max_rows = 0;  // 0: all data lines; else the first max_rows
  SplitOptions split = {};
  const EncoderState* fitted = nullptr;  // given: encode with it, no fitting pass
};

struct TableSplits {
  Dataset train, valid, test;
  EncoderState state;     // what the encoder was fitted with
  int64_t lines = 0;      // data lines read (bad ones included)
  int64_t skipped = 0;    // bad lines skipped (skip_bad_lines)
  std::vector<std::string> skipped_examples = {};
};

// Turns one line (no newline; maybe a trailing '\r') into one string_view per schema field,
// in schema order (views into the line or into `scratch`). Throws tg::Error naming the field
// on bad input. A plain function of its arguments, so it can be fuzzed.
using LineParser = std::function<void(std::string_view line, std::vector<std::string_view>& fields,
                                      std::string& scratch)>;
// Called with a last line that has no newline, after the parser accepted it: throws when the
// line looks truncated.
using LastLineCheck = std::function<void(std::string_view line, std::span<const std::string_view> fields)>;

// Reads `path` with `parser` (skipping `header_lines` first lines) and encodes it with `schema`.
TableSplits read_table(const std::string& path, const Schema& schema, const LineParser& parser,
                       int64_t header_lines, const ReadOptions& options, const LastLineCheck& last_line_check = {});

// Splits on one delimiter character, no quoting (Criteo, Avazu); strips a trailing '\r'.
void split_plain(std::string_view line, char delimiter, std::vector<std::string_view>& out);

}  // namespace tg::data
