#pragma once
// Train / validation / test splits of a dataset's rows.
//
//   Ratio  exact counts: n_train = floor(train * n), n_valid = floor((train + valid) * n) -
//          n_train, the rest test. Rows are assigned by sequential selection sampling (Knuth's
//          Algorithm S, three-way): row i goes to train with probability (train quota left) /
//          (rows left), else to valid with (valid quota left) / (rows left), else test, drawn
//          from Philox (seed, i). Every assignment with those counts is equally likely; the same
//          seed gives the same split on every machine; it streams (O(1) state per row).
//   Time   rows ordered by a time value, ties in file (row) order; the first n_train of that
//          order are train, the next n_valid valid, the rest test (counts as above), so that
//          a model validated or tested never trained on the future.
//   None   every row in train.
// Within each part, rows keep their original (file) order, for both modes: the batch iterator
// shuffles anyway, and a streaming reader encodes in file order.
// By given files: read each file with a reader and SplitOptions::Mode::None, fitting the
// vocabularies on the training file only (Encoder::set_state / the readers' `state` option,
// data/encoder.h, data/readers/table_reader.h).
//
// The streaming readers (data/readers/table_reader.h) use these same functions, so reading a
// file with a ratio split gives the same rows as reading it whole and calling split().
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace tg::data {

struct SplitOptions {
  enum class Mode { Ratio, Time, None };
  Mode mode = Mode::Ratio;
  double train = 0.8;
  double valid = 0.1;  // test = the rest
  uint64_t seed = 2019;
  std::string time_field = {};  // Mode::Time: a numerical field (or meta/categorical with numeric keys)
};

// Parts of a row: what the split functions assign.
enum class Part : uint8_t { Train = 0, Valid = 1, Test = 2 };

struct RowSplit {
  std::vector<int64_t> train, valid, test;  // row indices, ascending
};

// Checks the fractions (train > 0, valid >= 0, train + valid <= 1); `what` names the caller.
void check_split_fractions(const SplitOptions& options, std::string_view what);
// The part of each of n rows (Part values), by ratio or by time (`times` has n values).
std::vector<Part> ratio_parts(int64_t n, double train, double valid, uint64_t seed);
std::vector<Part> time_parts(std::span<const double> times, double train, double valid);
RowSplit rows_of(std::span<const Part> parts);

RowSplit split_by_ratio(int64_t n, double train, double valid, uint64_t seed);
RowSplit split_by_time(std::span<const double> times, double train, double valid);

// A column's values as times: numeric values, or the numbers of the vocabulary keys of an
// id column (an integer-keyed meta field "timestamp": ids sort like the keys, but the keys
// themselves are exact where float32 values would round a Unix time to 128 s). Errors name
// the column and the row (a missing/OOV key has no time).
std::vector<double> column_times(const Dataset& data, std::string_view field);

struct DatasetSplits {
  Dataset train, valid, test;
};
DatasetSplits split(const Dataset& data, const SplitOptions& options);

}  // namespace tg::data
