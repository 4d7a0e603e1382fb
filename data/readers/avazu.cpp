#include "data/readers/avazu.h"

#include <fmt/format.h>


#include "core/error.h"
#include "data/readers/line_reader.h"

namespace tg::data {

namespace {
const char* const kColumns[] = {"id", "click", "hour", "C1", "banner_pos", "site_id", "site_domain",
                                "site_category", "app_id", "app_domain", "app_category", "device_id",
                                "device_ip", "device_model", "device_type", "device_conn_type", "C14", "C15",
                                "C16", "C17", "C18", "C19", "C20", "C21"};
constexpr size_t kNumColumns = 24;
bool is_user(std::string_view c) {
  return c == "device_id" || c == "device_ip" || c == "device_model" || c == "device_type" || c == "device_conn_type";
}
}  // namespace

int weekday_of(int y, int m, int d) {
  // Sakamoto's method gives 0 = Sunday; shift to 0 = Monday.
  static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  if (m < 3) y -= 1;
  int sunday_based = (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
  return (sunday_based + 6) % 7;
}

Schema avazu_schema(const AvazuOptions& options) {
  Schema s;
  s.fields.push_back({.name = "click", .kind = FieldKind::Label});
  s.fields.push_back({.name = "hour_of_day", .kind = FieldKind::Categorical, .group = FieldGroup::Context,
                      .min_count = options.min_count});
  s.fields.push_back({.name = "weekday", .kind = FieldKind::Categorical, .group = FieldGroup::Context,
                      .min_count = options.min_count});
  for (size_t i = 3; i < kNumColumns; ++i)
    s.fields.push_back({.name = kColumns[i], .kind = FieldKind::Categorical,
                        .group = is_user(kColumns[i]) ? FieldGroup::User : FieldGroup::Item,
                        .min_count = options.min_count});
  return s;
}

void parse_avazu_line(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch) {
  thread_local std::vector<std::string_view> cols;
  split_plain(line, ',', cols);
  check(cols.size() == kNumColumns, "expected {} comma-separated columns, got {}", kNumColumns, cols.size());
  std::string_view hour = cols[2];
  auto digit = [&](size_t i) {
    check(hour.size() == 8 && hour[i] >= '0' && hour[i] <= '9', "field 'hour': expected YYMMDDHH, got '{}'", hour);
    return hour[i] - '0';
  };
  const int yy = digit(0) * 10 + digit(1), mm = digit(2) * 10 + digit(3), dd = digit(4) * 10 + digit(5),
            hh = digit(6) * 10 + digit(7);
  check(mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31 && hh <= 23, "field 'hour': '{}' is not a valid YYMMDDHH", hour);
  // "<hour>" and "<weekday>" as keys, written into scratch (no string per line).
  scratch.clear();
  if (hh >= 10) scratch.push_back(static_cast<char>('0' + hh / 10));
  scratch.push_back(static_cast<char>('0' + hh % 10));
  const size_t bar = scratch.size();
  scratch.push_back(static_cast<char>('0' + weekday_of(2000 + yy, mm, dd)));
  fields.clear();
  fields.push_back(cols[1]);
  fields.push_back(std::string_view(scratch).substr(0, bar));
  fields.push_back(std::string_view(scratch).substr(bar));
  for (size_t i = 3; i < kNumColumns; ++i) fields.push_back(cols[i]);
}

TableSplits read_avazu(const std::string& path, const AvazuOptions& options) {
  LineReader in(path);
  std::string_view header;
  check(in.next(header), "{}: empty file (expected the Avazu header line)", path);
  std::vector<std::string_view> names;
  split_plain(header, ',', names);
  for (size_t i = 0; i < kNumColumns; ++i)
    check(i < names.size() && names[i] == kColumns[i], "{}:1: header column {} must be '{}', got '{}'", path, i + 1,
          kColumns[i], i < names.size() ? names[i] : std::string_view("(missing)"));
  return read_table(path, avazu_schema(options), parse_avazu_line, 1, options.read);
}

}  // namespace tg::data
