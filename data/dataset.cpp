#include "data/dataset.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace tg::data {

bool Dataset::has_column(std::string_view name) const {
  return std::any_of(columns.begin(), columns.end(), [&](const Column& c) { return c.name == name; });
}

const Column& Dataset::column(std::string_view name) const {
  for (const auto& c : columns)
    if (c.name == name) return c;
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  fail("dataset: no column '{}' (columns: {})", name, fmt::join(names, ", "));
}

Column& Dataset::column(std::string_view name) { return const_cast<Column&>(std::as_const(*this).column(name)); }

void Dataset::allocate_id_columns(size_t rows) {
  labels.reserve(rows);
  for (const auto& fs : schema.fields) {
    if (fs.kind == FieldKind::Label) continue;
    columns.push_back(Column{.name = fs.name, .kind = fs.kind, .width = fs.width()});
    columns.back().ids.resize(rows * static_cast<size_t>(fs.width()));
  }
}

Dataset Dataset::take(std::span<const int64_t> row_indices) const {
  Dataset out;
  out.schema = schema;
  out.vocabularies = vocabularies;
  out.item_tables = item_tables;
  const int64_t n = rows();
  out.labels.reserve(row_indices.size());
  for (int64_t r : row_indices) {
    check(r >= 0 && r < n, "dataset: take: row {} out of range ({} rows)", r, n);
    out.labels.push_back(labels[static_cast<size_t>(r)]);
  }
  for (const auto& c : columns) {
    Column d;
    d.name = c.name;
    d.kind = c.kind;
    d.width = c.width;
    if (!c.ids.empty()) {
      d.ids.resize(row_indices.size() * static_cast<size_t>(c.width));
      for (size_t i = 0; i < row_indices.size(); ++i)
        std::copy_n(c.ids.begin() + row_indices[i] * c.width, c.width, d.ids.begin() + static_cast<int64_t>(i) * c.width);
    }
    if (!c.values.empty()) {
      d.values.reserve(row_indices.size());
      for (int64_t r : row_indices) d.values.push_back(c.values[static_cast<size_t>(r)]);
    }
    out.columns.push_back(std::move(d));
  }
  return out;
}

void Dataset::validate() const {
  const auto n = static_cast<size_t>(rows());
  for (size_t r = 0; r < n; ++r)
    check(labels[r] == 0.0f || labels[r] == 1.0f, "dataset: row {}: label {} is not 0 or 1", r, labels[r]);
  for (const auto& c : columns) {
    const FieldSpec& spec = schema.field(c.name);
    check(c.width == spec.width(), "dataset: column '{}' has width {}, the schema says {}", c.name, c.width,
          spec.width());
    if (spec.has_ids()) {
      check(c.ids.size() == n * static_cast<size_t>(c.width), "dataset: column '{}' holds {} ids for {} rows x {}",
            c.name, c.ids.size(), n, c.width);
      std::string owner = spec.vocab_from.empty() ? c.name : spec.vocab_from;
      if (!vocabularies.has(owner)) continue;  // meta columns may hold raw ids
      const int64_t size = vocabularies.at(owner).size();
      for (size_t i = 0; i < c.ids.size(); ++i)
        check(c.ids[i] >= 0 && c.ids[i] < size, "dataset: column '{}', row {}: id {} outside the vocabulary of {} rows",
              c.name, i / static_cast<size_t>(c.width), c.ids[i], size);
    } else {
      check(c.values.size() == n, "dataset: column '{}' holds {} values for {} rows", c.name, c.values.size(), n);
    }
  }
}

}  // namespace tg::data
