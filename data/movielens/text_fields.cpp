#include "data/movielens/text_fields.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace tg::data {

void BadLines::handle(const std::string& path, int64_t line, const Error& e) {
  std::string msg = fmt::format("{}:{}: {}", path, line, e.what());
  if (!skip) throw Error(msg);
  ++skipped;
  if (examples.size() < kMaxExamples) examples.push_back(std::move(msg));
}

std::string first_line(const std::string& path) {
  LineReader in(path);
  std::string_view line;
  check(in.next(line), "{}: empty file", path);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

void split_on(std::string_view line, char delimiter, std::vector<std::string_view>& out) {
  split_on(line, std::string_view(&delimiter, 1), out);
}

void split_on(std::string_view line, std::string_view delimiter, std::vector<std::string_view>& out) {
  out.clear();
  size_t start = 0;
  while (true) {
    const size_t d = line.find(delimiter, start);
    if (d == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, d - start));
    start = d + delimiter.size();
  }
}

std::string shown(std::string_view text) {
  return text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "...";
}

int64_t parse_field_int(std::string_view text, std::string_view field, int64_t lo, int64_t hi) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range && p == text.data() + text.size())
    fail("field '{}': {} is out of range [{}, {}]", field, shown(text), lo, hi);
  check(!text.empty() && ec == std::errc() && p == text.data() + text.size(),
        "field '{}': expected an integer, got '{}'", field, shown(text));
  check(v >= lo && v <= hi, "field '{}': {} is out of range [{}, {}]", field, v, lo, hi);
  return v;
}

double parse_field_double(std::string_view text, std::string_view field) {
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  check(!text.empty() && ec == std::errc() && p == text.data() + text.size() && std::isfinite(v),
        "field '{}': expected a number, got '{}'", field, shown(text));
  return v;
}

}  // namespace tg::data
