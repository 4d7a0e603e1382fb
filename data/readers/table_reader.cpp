#include "data/readers/table_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <numeric>

#include "core/error.h"
#include "core/philox.h"

namespace tg::data {

void split_plain(std::string_view line, char delimiter, std::vector<std::string_view>& out) {
  out.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t start = 0;
  while (true) {
    size_t d = line.find(delimiter, start);
    if (d == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, d - start));
    start = d + 1;
  }
}

namespace {

enum class Part : uint8_t { Train, Valid, Test };

// Streams the data lines of a file: f(line_number (1-based, counting headers), line).
template <class F>
int64_t for_each_line(const std::string& path, int64_t header_lines, int64_t max_rows, F&& f) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "cannot open '{}'", path);
  std::string line;
  int64_t number = 0, rows = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number <= header_lines) continue;
    if (line.empty() || line == "\r") continue;
    if (max_rows > 0 && rows >= max_rows) break;
    f(number, rows, std::string_view(line));
    ++rows;
  }
  check(!in.bad(), "error reading '{}'", path);
  return rows;
}

double uniform_of(uint64_t seed, int64_t row) { return philox::uniform_double(seed, 0, static_cast<uint64_t>(row)); }

}  // namespace

TableSplits read_table(const std::string& path, const Schema& schema, const LineParser& parser, int64_t header_lines,
                       const ReadOptions& options) {
  const SplitOptions& split = options.split;
  check(split.train > 0 && split.valid >= 0 && split.train + split.valid <= 1.0 + 1e-12,
        "{}: split fractions train {} and valid {} must be positive and sum to at most 1", path, split.train,
        split.valid);
  TableSplits out;
  std::vector<std::string_view> fields;
  std::string scratch;
  std::vector<uint8_t> bad;  // rows that failed (skip mode), by data-row index
  auto on_bad = [&](int64_t number, int64_t row, const Error& e) {
    std::string msg = fmt::format("{}:{}: {}", path, number, e.what());
    if (!options.skip_bad_lines) throw Error(msg);
    if (bad.size() <= static_cast<size_t>(row)) bad.resize(static_cast<size_t>(row) + 1, 0);
    if (!bad[static_cast<size_t>(row)]) {
      bad[static_cast<size_t>(row)] = 1;
      ++out.skipped;
      if (out.skipped_examples.size() < 5) out.skipped_examples.push_back(msg);
    }
  };
  auto is_bad = [&](int64_t row) { return static_cast<size_t>(row) < bad.size() && bad[static_cast<size_t>(row)]; };

  // Which part each row belongs to.
  std::vector<Part> parts;
  if (split.mode == SplitOptions::Mode::Time) {
    const int64_t t = schema.index_of(split.time_field);
    check(t >= 0, "{}: time split: no field '{}' in the schema", path, split.time_field);
    std::vector<double> stamps;
    for_each_line(path, header_lines, options.max_rows, [&](int64_t number, int64_t row, std::string_view line) {
      double v = 0;
      try {
        parser(line, fields, scratch);
        v = Encoder::parse_number(fields[static_cast<size_t>(t)], split.time_field);
      } catch (const Error& e) {
        on_bad(number, row, e);
      }
      stamps.push_back(v);
    });
    std::vector<int64_t> order(stamps.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return stamps[static_cast<size_t>(a)] < stamps[static_cast<size_t>(b)];
    });
    std::vector<int64_t> good;
    for (int64_t r : order)
      if (!is_bad(r)) good.push_back(r);
    const auto n = static_cast<double>(good.size());
    const auto n_train = static_cast<size_t>(std::floor(split.train * n));
    const auto n_valid = static_cast<size_t>(std::floor((split.train + split.valid) * n)) - n_train;
    parts.assign(stamps.size(), Part::Test);
    for (size_t i = 0; i < good.size(); ++i)
      parts[static_cast<size_t>(good[i])] = i < n_train ? Part::Train : i < n_train + n_valid ? Part::Valid : Part::Test;
  }
  auto part_of = [&](int64_t row) {
    if (split.mode == SplitOptions::Mode::Time) return parts[static_cast<size_t>(row)];
    if (split.mode == SplitOptions::Mode::None) return Part::Train;
    const double u = uniform_of(split.seed, row);
    return u < split.train ? Part::Train : u < split.train + split.valid ? Part::Valid : Part::Test;
  };

  // Pass 1: fit on the training rows.
  Encoder encoder(schema);
  for_each_line(path, header_lines, options.max_rows, [&](int64_t number, int64_t row, std::string_view line) {
    if (is_bad(row) || part_of(row) != Part::Train) return;
    try {
      parser(line, fields, scratch);
      encoder.fit(fields);
    } catch (const Error& e) {
      on_bad(number, row, e);
    }
  });
  encoder.finalize();

  // Pass 2: encode every row into its part (in file order within a part, or time order).
  out.train = encoder.make_dataset();
  out.valid = encoder.make_dataset();
  out.test = encoder.make_dataset();
  out.lines = for_each_line(path, header_lines, options.max_rows, [&](int64_t number, int64_t row, std::string_view line) {
    if (is_bad(row)) return;
    Dataset& dst = part_of(row) == Part::Train ? out.train : part_of(row) == Part::Valid ? out.valid : out.test;
    try {
      parser(line, fields, scratch);
      encoder.encode(fields, dst);
    } catch (const Error& e) {
      on_bad(number, row, e);
    }
  });
  check(out.lines > 0, "{}: no data lines", path);
  return out;
}

}  // namespace tg::data
