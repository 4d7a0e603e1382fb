#include "data/filters.h"

#include <algorithm>
#include <unordered_map>

#include "core/error.h"

namespace tg::data {

namespace {
// A column's value of row r as a double (ids or numeric values).
double value_of(const Column& c, int64_t r) {
  if (!c.ids.empty()) {
    check(c.width == 1, "skive_above: column '{}' has {} values per row, expected one", c.name, c.width);
    return c.ids[static_cast<size_t>(r)];
  }
  return c.values[static_cast<size_t>(r)];
}
}  // namespace

std::vector<int64_t> skive_above(const Dataset& data, const std::string& request_field,
                                 const std::string& position_field) {
  const Column& request = data.column(request_field);
  const Column& position = data.column(position_field);
  const int64_t n = data.rows();
  // The largest position of a positive per request.
  std::unordered_map<int64_t, double> last_positive;
  for (int64_t r = 0; r < n; ++r) {
    if (data.labels[static_cast<size_t>(r)] != 1.0f) continue;
    const auto key = static_cast<int64_t>(value_of(request, r));
    const double pos = value_of(position, r);
    auto it = last_positive.find(key);
    if (it == last_positive.end() || pos > it->second) last_positive[key] = pos;
  }
  std::vector<int64_t> kept;
  for (int64_t r = 0; r < n; ++r) {
    auto it = last_positive.find(static_cast<int64_t>(value_of(request, r)));
    if (it == last_positive.end()) continue;  // no positive in this request
    if (data.labels[static_cast<size_t>(r)] == 1.0f || value_of(position, r) < it->second) kept.push_back(r);
  }
  return kept;
}

}  // namespace tg::data
