#include "data/readers/csv.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/readers/line_reader.h"

namespace tg::data {

void split_csv_line(std::string_view line, char delimiter, std::vector<std::string_view>& out, std::string& scratch) {
  out.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Unescaped quoted fields are written into scratch; reserve so that views stay valid.
  scratch.clear();
  scratch.reserve(line.size());
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      const size_t start = scratch.size();
      ++i;
      while (true) {
        check(i < line.size(), "unterminated quoted field (column {})", out.size() + 1);
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch.push_back(line[i++]);
      }
      out.push_back(std::string_view(scratch).substr(start));
      check(i == line.size() || line[i] == delimiter, "text after a closing quote (column {})", out.size());
    } else {
      size_t d = line.find(delimiter, i);
      out.push_back(line.substr(i, d == std::string_view::npos ? std::string_view::npos : d - i));
      i = d == std::string_view::npos ? line.size() : d;
    }
    if (i >= line.size()) return;
    ++i;  // the delimiter
    if (i == line.size()) {
      out.push_back(std::string_view());  // a trailing empty field
      return;
    }
  }
}

std::pair<Schema, CsvFormat> load_csv_schema(const std::string& schema_path) {
  std::ifstream in(schema_path);
  check(in.good(), "cannot open schema file '{}'", schema_path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", schema_path, e.what());
  }
  Schema schema = Schema::from_json(j, schema_path);
  CsvFormat format;
  std::string delim = j.value("delimiter", std::string(","));
  if (delim == "\\t" || delim == "tab") delim = "\t";
  check(delim.size() == 1, "{}: delimiter must be one character, got '{}'", schema_path, delim);
  format.delimiter = delim[0];
  format.header = j.value("header", true);
  format.columns = j.value("columns", std::vector<std::string>{});
  return {schema, format};
}

TableSplits read_csv(const std::string& path, const Schema& schema, const CsvFormat& format, const ReadOptions& options) {
  std::vector<std::string> names = format.columns;
  if (format.header) {
    LineReader in(path);
    std::string_view header;
    std::string scratch;
    check(in.next(header), "{}: empty file (expected a header line)", path);
    if (header.starts_with("\xEF\xBB\xBF")) header.remove_prefix(3);  // a UTF-8 byte-order mark (spreadsheet exports)
    std::vector<std::string_view> cols;
    try {
      split_csv_line(header, format.delimiter, cols, scratch);
    } catch (const Error& e) {
      fail("{}:1: {}", path, e.what());
    }
    names.assign(cols.begin(), cols.end());
  }
  if (names.empty())
    for (const auto& f : schema.fields) names.push_back(f.name);
  // Where each schema field's column is.
  std::vector<size_t> column_of;
  for (const auto& f : schema.fields) {
    auto it = std::find(names.begin(), names.end(), f.name);
    check(it != names.end(), "{}: no column for field '{}' (columns: {})", path, f.name, fmt::join(names, ", "));
    column_of.push_back(static_cast<size_t>(it - names.begin()));
  }
  const size_t n_columns = names.size();
  const char delimiter = format.delimiter;
  LineParser parser = [column_of, n_columns, delimiter](std::string_view line, std::vector<std::string_view>& fields,
                                                        std::string& scratch) {
    thread_local std::vector<std::string_view> cols;
    split_csv_line(line, delimiter, cols, scratch);
    check(cols.size() == n_columns, "expected {} columns, got {}", n_columns, cols.size());
    fields.clear();
    for (size_t i = 0; i < column_of.size(); ++i) fields.push_back(cols[column_of[i]]);
  };
  return read_table(path, schema, parser, format.header ? 1 : 0, options);
}

TableSplits read_csv(const std::string& path, const std::string& schema_path, const ReadOptions& options) {
  auto [schema, format] = load_csv_schema(schema_path);
  return read_csv(path, schema, format, options);
}

}  // namespace tg::data
