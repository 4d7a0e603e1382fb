#include "data/split.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/philox.h"

namespace tg::data {

namespace {
// floor(f * n) without the rounding of f * n drifting below an exact integer (0.8 * 10 is
// 7.999... in binary; the intended count is 8).
int64_t quota(double f, int64_t n) {
  return std::min<int64_t>(n, static_cast<int64_t>(std::floor(f * static_cast<double>(n) + 1e-9)));
}
}  // namespace

void check_split_fractions(const SplitOptions& o, std::string_view what) {
  check(o.train > 0 && o.valid >= 0 && o.train + o.valid <= 1.0 + 1e-12,
        "{}: split fractions train {} and valid {} must be positive and sum to at most 1", what, o.train, o.valid);
}

std::vector<Part> ratio_parts(int64_t n, double train, double valid, uint64_t seed) {
  check(n >= 0, "ratio split: {} rows", n);
  int64_t train_left = quota(train, n);
  int64_t valid_left = quota(train + valid, n) - train_left;
  std::vector<Part> parts(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    // Drawing u * rows_left in integers keeps the probabilities exact (no 0.1 + 0.2 drift).
    const int64_t left = n - i;
    const double u = philox::uniform_double(seed, 0, static_cast<uint64_t>(i)) * static_cast<double>(left);
    if (u < static_cast<double>(train_left)) {
      parts[static_cast<size_t>(i)] = Part::Train;
      --train_left;
    } else if (u < static_cast<double>(train_left + valid_left)) {
      parts[static_cast<size_t>(i)] = Part::Valid;
      --valid_left;
    } else {
      parts[static_cast<size_t>(i)] = Part::Test;
    }
  }
  return parts;
}

std::vector<Part> time_parts(std::span<const double> times, double train, double valid) {
  const auto n = static_cast<int64_t>(times.size());
  std::vector<int64_t> order(times.size());
  std::iota(order.begin(), order.end(), 0);
  // stable: equal times keep row (file) order.
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return times[static_cast<size_t>(a)] < times[static_cast<size_t>(b)]; });
  const int64_t n_train = quota(train, n), n_valid = quota(train + valid, n) - n_train;
  std::vector<Part> parts(times.size());
  for (int64_t i = 0; i < n; ++i)
    parts[static_cast<size_t>(order[static_cast<size_t>(i)])] =
        i < n_train ? Part::Train : i < n_train + n_valid ? Part::Valid : Part::Test;
  return parts;
}

RowSplit rows_of(std::span<const Part> parts) {
  RowSplit out;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto& dst = parts[i] == Part::Train ? out.train : parts[i] == Part::Valid ? out.valid : out.test;
    dst.push_back(static_cast<int64_t>(i));
  }
  return out;
}

RowSplit split_by_ratio(int64_t n, double train, double valid, uint64_t seed) {
  check_split_fractions({.train = train, .valid = valid}, "split_by_ratio");
  return rows_of(ratio_parts(n, train, valid, seed));
}

RowSplit split_by_time(std::span<const double> times, double train, double valid) {
  check_split_fractions({.train = train, .valid = valid}, "split_by_time");
  return rows_of(time_parts(times, train, valid));
}

std::vector<double> column_times(const Dataset& data, std::string_view field) {
  const Column& c = data.column(field);
  const auto n = static_cast<size_t>(data.rows());
  std::vector<double> out(n);
  if (c.ids.empty()) {
    check(c.values.size() == n, "time split: column '{}' holds {} values for {} rows", field, c.values.size(), n);
    for (size_t r = 0; r < n; ++r) out[r] = c.values[r];
    return out;
  }
  check(c.width == 1, "time split: column '{}' holds {} ids per row, a time is one", field, c.width);
  const FieldSpec& spec = data.schema.field(field);
  const std::string& owner = spec.vocab_from.empty() ? spec.name : spec.vocab_from;
  const Vocabulary& voc = data.vocabularies.at(owner);
  check(voc.hash_buckets() == 0, "time split: column '{}' is hashed, its keys (times) are not kept", field);
  std::vector<double> key_time(voc.keys().size());
  for (size_t k = 0; k < key_time.size(); ++k) {
    const std::string& key = voc.keys()[k];
    auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), key_time[k]);
    check(ec == std::errc() && p == key.data() + key.size(), "time split: column '{}': key '{}' is not a number",
          field, key);
  }
  for (size_t r = 0; r < n; ++r) {
    const int32_t id = c.ids[r];
    check(id >= 2 && static_cast<size_t>(id - 2) < key_time.size(),
          "time split: column '{}', row {}: id {} is padding or out of vocabulary, it has no time", field, r, id);
    out[r] = key_time[static_cast<size_t>(id - 2)];
  }
  return out;
}

DatasetSplits split(const Dataset& data, const SplitOptions& options) {
  check_split_fractions(options, "split");
  RowSplit rows;
  switch (options.mode) {
    case SplitOptions::Mode::Ratio:
      rows = split_by_ratio(data.rows(), options.train, options.valid, options.seed);
      break;
    case SplitOptions::Mode::Time: {
      check(!options.time_field.empty(), "split: a time split needs time_field");
      rows = split_by_time(column_times(data, options.time_field), options.train, options.valid);
      break;
    }
    case SplitOptions::Mode::None:
      rows.train.resize(static_cast<size_t>(data.rows()));
      std::iota(rows.train.begin(), rows.train.end(), 0);
      break;
  }
  return {data.take(rows.train), data.take(rows.valid), data.take(rows.test)};
}

}  // namespace tg::data
