#include "models/args.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "core/error.h"

namespace tg::models {

namespace {
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}
int64_t parse_int(const std::string& name, const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  check(ec == std::errc() && p == text.data() + text.size() && !text.empty(), "model option {}: '{}' is not an integer",
        name, text);
  return v;
}
}  // namespace

const std::string* ModelArgs::find(const std::string& name, std::string default_text, const std::string& help) {
  bool seen = false;
  for (const auto& k : known_) seen = seen || k.name == name;
  if (!seen) known_.push_back({name, std::move(default_text), help});
  used_.insert(name);
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

int64_t ModelArgs::get_int(const std::string& name, int64_t fallback, const std::string& help) {
  const std::string* v = find(name, std::to_string(fallback), help);
  return v ? parse_int(name, *v) : fallback;
}

double ModelArgs::get_double(const std::string& name, double fallback, const std::string& help) {
  const std::string* v = find(name, fmt::format("{}", fallback), help);
  if (!v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  check(!v->empty() && end && *end == '\0', "model option {}: '{}' is not a number", name, *v);
  return d;
}

bool ModelArgs::get_bool(const std::string& name, bool fallback, const std::string& help) {
  const std::string* v = find(name, fallback ? "true" : "false", help);
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || *v == "yes" || *v == "on") return true;
  if (*v == "false" || *v == "0" || *v == "no" || *v == "off") return false;
  fail("model option {}: '{}' is not a boolean (true/false)", name, *v);
}

std::string ModelArgs::get_string(const std::string& name, const std::string& fallback, const std::string& help) {
  const std::string* v = find(name, fallback, help);
  return v ? *v : fallback;
}

std::vector<int64_t> ModelArgs::get_ints(const std::string& name, const std::vector<int64_t>& fallback,
                                         const std::string& help) {
  const std::string* v = find(name, fmt::format("{}", fmt::join(fallback, ",")), help);
  if (!v) return fallback;
  std::vector<int64_t> out;
  for (const auto& part : split_commas(*v)) out.push_back(parse_int(name, part));
  return out;
}

std::vector<std::string> ModelArgs::get_strings(const std::string& name, const std::vector<std::string>& fallback,
                                                const std::string& help) {
  const std::string* v = find(name, fmt::format("{}", fmt::join(fallback, ",")), help);
  return v ? split_commas(*v) : fallback;
}

void ModelArgs::check_all_used(const std::string& model) const {
  std::vector<std::string> unknown;
  for (const auto& [k, v] : values_)
    if (!used_.count(k)) unknown.push_back(k);
  if (unknown.empty()) return;
  std::vector<std::string> names;
  for (const auto& k : known_) names.push_back(k.name);
  fail("{}: unknown option(s) {} (known: {})", model, fmt::join(unknown, ", "), fmt::join(names, ", "));
}

}  // namespace tg::models
