#pragma once
// ModelArgs: a model's configuration from "name=value" pairs (the apps' --set flags and
// model flags), read through typed getters that also record each knob's default and help
// text, so `--help` can list every knob of every model without building one. Unknown
// names are an error (a typo must not silently train the default model).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tg::models {

struct ArgInfo {
  std::string name;
  std::string default_value;
  std::string help;
};

class ModelArgs {
 public:
  ModelArgs() = default;
  explicit ModelArgs(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  int64_t get_int(const std::string& name, int64_t fallback, const std::string& help);
  double get_double(const std::string& name, double fallback, const std::string& help);
  bool get_bool(const std::string& name, bool fallback, const std::string& help);
  std::string get_string(const std::string& name, const std::string& fallback, const std::string& help);
  // Comma-separated integers, e.g. "256,128,64,64".
  std::vector<int64_t> get_ints(const std::string& name, const std::vector<int64_t>& fallback,
                                const std::string& help);
  // Comma-separated names ("" = empty list).
  std::vector<std::string> get_strings(const std::string& name, const std::vector<std::string>& fallback,
                                       const std::string& help);

  void set(const std::string& name, const std::string& value) { values_[name] = value; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // Error naming every given name no getter asked for, and the known ones.
  void check_all_used(const std::string& model) const;
  const std::vector<ArgInfo>& known() const { return known_; }

 private:
  const std::string* find(const std::string& name, std::string default_text, const std::string& help);
  std::map<std::string, std::string> values_;
  std::vector<ArgInfo> known_;
  std::set<std::string> used_;
};

}  // namespace tg::models
