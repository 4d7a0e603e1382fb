#include "data/readers/criteo.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace tg::data {

Schema criteo_schema(const CriteoOptions& options) {
  Schema s;
  s.fields.push_back({.name = "label", .kind = FieldKind::Label});
  for (int i = 1; i <= 13; ++i)
    s.fields.push_back({.name = fmt::format("I{}", i), .kind = FieldKind::Numerical, .min_count = options.min_count,
                        .transform = options.numeric});
  for (int i = 1; i <= 26; ++i)
    s.fields.push_back({.name = fmt::format("C{}", i), .kind = FieldKind::Categorical, .min_count = options.min_count});
  return s;
}

void parse_criteo_line(std::string_view line, std::vector<std::string_view>& fields, std::string&) {
  split_plain(line, '\t', fields);
  // Some published copies strip trailing tabs, so trailing empty categoricals may be left
  // out (half the lines of the 1,000-row sample in ../shared/data have 37 or 38 fields);
  // the label and every integer must be there.
  check(fields.size() >= 15 && fields.size() <= 40,
        "expected 40 tab-separated fields (label, I1..I13, C1..C26), got {}", fields.size());
  fields.resize(40, std::string_view());
  for (size_t i = 14; i < 40; ++i)
    check(fields[i].size() <= 16, "field 'C{}': '{}' is not a hashed category (at most 16 characters)", i - 13,
          fields[i].substr(0, 40));
}

void check_criteo_last_line(std::string_view line, std::span<const std::string_view> fields) {
  // The parser padded missing trailing categoricals; the text's own field count says which
  // field the line ends in.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const auto present = static_cast<size_t>(std::count(line.begin(), line.end(), '\t')) + 1;
  if (present <= 14 || present > fields.size()) return;  // a label/I field, or the parser already refused it
  const std::string_view last = fields[present - 1];
  const bool whole = last.empty() || (last.size() == 8 && std::all_of(last.begin(), last.end(), [](char c) {
                                        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                                      }));
  check(whole, "field 'C{}': '{}' is not an 8-hex-digit key and the file ends without a newline: a truncated copy?",
        present - 14, last);
}

TableSplits read_criteo(const std::string& path, const CriteoOptions& options) {
  return read_table(path, criteo_schema(options), parse_criteo_line, 0, options.read, check_criteo_last_line);
}

}  // namespace tg::data
