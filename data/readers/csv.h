#pragma once
// A generic CSV/TSV reader driven by a schema file, so users bring their own data without code:
//
//   schema.json: {"delimiter": ",", "header": true,
//                 "fields": [{"name": "clicked", "kind": "label"},
//                            {"name": "user", "kind": "categorical", "group": "user"},
//                            {"name": "tags", "kind": "multi_valued", "separator": "|", "max_len": 5},
//                            {"name": "price", "kind": "numerical", "transform": "min_max"}, ...],
//                 "columns": ["clicked", "user", "ignored_column", "tags", "price"]}   (optional)
//
// Columns are matched to fields by name: from the header line when "header" is true, else
// from "columns" (or, without it, the fields in order). Columns that no field names are
// skipped. Quoting is RFC 4180: a field in double quotes may hold the delimiter and newlines
// are not supported inside quotes; "" inside quotes is one quote character.
#include <string>

#include "data/readers/table_reader.h"

namespace tg::data {

struct CsvFormat {
  char delimiter = ',';
  bool header = true;
  std::vector<std::string> columns = {};  // names of the file's columns, when there is no header
};

// The schema and format from a schema file (JSON); errors name the file and the field.
std::pair<Schema, CsvFormat> load_csv_schema(const std::string& schema_path);
// Splits one line by the RFC 4180 rules (exposed for fuzzing); `scratch` holds unescaped text.
void split_csv_line(std::string_view line, char delimiter, std::vector<std::string_view>& out, std::string& scratch);
TableSplits read_csv(const std::string& path, const Schema& schema, const CsvFormat& format,
                     const ReadOptions& options = {});
TableSplits read_csv(const std::string& path, const std::string& schema_path, const ReadOptions& options = {});

}  // namespace tg::data
