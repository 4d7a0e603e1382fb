#include "data/readers/criteo.h"

#include <fmt/format.h>

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

TableSplits read_criteo(const std::string& path, const CriteoOptions& options) {
  return read_table(path, criteo_schema(options), parse_criteo_line, 0, options.read);
}

}  // namespace tg::data
