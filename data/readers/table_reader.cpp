#include "data/readers/table_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "data/readers/line_reader.h"

namespace tg::data {

void split_plain(std::string_view line, char delimiter, std::vector<std::string_view>& out) {
  out.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (true) {
    const size_t d = line.find(delimiter);
    out.push_back(line.substr(0, d));
    if (d == std::string_view::npos) return;
    line.remove_prefix(d + 1);
  }
}

namespace {

// Streams the data lines of a file: f(line_number (1-based, counting headers), data row
// index, line, terminated). Empty lines are not data rows.
template <class F>
int64_t for_each_line(const std::string& path, int64_t header_lines, int64_t max_rows, F&& f) {
  LineReader in(path);
  std::string_view line;
  int64_t rows = 0;
  while (in.next(line)) {
    if (in.number() <= header_lines) continue;
    if (line.empty() || line == "\r") continue;
    if (max_rows > 0 && rows >= max_rows) break;
    f(in.number(), rows, line, in.terminated());
    ++rows;
  }
  return rows;
}

}  // namespace

TableSplits read_table(const std::string& path, const Schema& schema, const LineParser& parser, int64_t header_lines,
                       const ReadOptions& options, const LastLineCheck& last_line_check) {
  const SplitOptions& split = options.split;
  check_split_fractions(split, path);
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
  auto parse = [&](std::string_view line, bool terminated) {
    parser(line, fields, scratch);
    if (!terminated && last_line_check) last_line_check(line, fields);
  };

  // Which part each row belongs to.
  std::vector<Part> parts;
  if (split.mode == SplitOptions::Mode::Ratio) {
    int64_t n = count_data_lines(path, header_lines);
    if (options.max_rows > 0) n = std::min(n, options.max_rows);
    parts = ratio_parts(n, split.train, split.valid, split.seed);
  } else if (split.mode == SplitOptions::Mode::Time) {
    const int64_t t = schema.index_of(split.time_field);
    check(t >= 0, "{}: time split: no field '{}' in the schema", path, split.time_field);
    std::vector<double> stamps;
    for_each_line(path, header_lines, options.max_rows,
                  [&](int64_t number, int64_t row, std::string_view line, bool terminated) {
                    double v = 0;
                    try {
                      parse(line, terminated);
                      v = Encoder::parse_number(fields[static_cast<size_t>(t)], split.time_field);
                    } catch (const Error& e) {
                      on_bad(number, row, e);
                    }
                    stamps.push_back(v);
                  });
    // The split's counts are over the good rows; bad rows go nowhere.
    std::vector<double> good_stamps;
    std::vector<int64_t> good_rows;
    for (size_t r = 0; r < stamps.size(); ++r)
      if (!is_bad(static_cast<int64_t>(r))) {
        good_stamps.push_back(stamps[r]);
        good_rows.push_back(static_cast<int64_t>(r));
      }
    const std::vector<Part> good_parts = time_parts(good_stamps, split.train, split.valid);
    parts.assign(stamps.size(), Part::Test);
    for (size_t i = 0; i < good_rows.size(); ++i) parts[static_cast<size_t>(good_rows[i])] = good_parts[i];
  }
  auto part_of = [&](int64_t row) {
    if (split.mode == SplitOptions::Mode::None) return Part::Train;
    check(static_cast<size_t>(row) < parts.size(), "{}: the file grew while it was read ({} data lines, then more)",
          path, parts.size());
    return parts[static_cast<size_t>(row)];
  };

  // Fit on the training rows (or take the given state).
  Encoder encoder(schema);
  if (options.fitted != nullptr) {
    encoder.set_state(*options.fitted);
  } else {
    for_each_line(path, header_lines, options.max_rows,
                  [&](int64_t number, int64_t row, std::string_view line, bool terminated) {
                    if (is_bad(row) || part_of(row) != Part::Train) return;
                    try {
                      parse(line, terminated);
                      encoder.fit(fields);
                    } catch (const Error& e) {
                      on_bad(number, row, e);
                    }
                  });
    encoder.finalize();
  }

  // Encode every row into its part, in file order.
  out.train = encoder.make_dataset();
  out.valid = encoder.make_dataset();
  out.test = encoder.make_dataset();
  out.lines = for_each_line(path, header_lines, options.max_rows,
                            [&](int64_t number, int64_t row, std::string_view line, bool terminated) {
                              if (is_bad(row)) return;
                              const Part part = part_of(row);
                              Dataset& dst = part == Part::Train ? out.train : part == Part::Valid ? out.valid : out.test;
                              try {
                                parse(line, terminated);
                                encoder.encode(fields, dst);
                              } catch (const Error& e) {
                                on_bad(number, row, e);
                              }
                            });
  check(out.lines > 0, "{}: no data lines", path);
  out.state = encoder.state();
  return out;
}

}  // namespace tg::data
