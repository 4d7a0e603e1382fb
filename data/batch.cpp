#include "data/batch.h"

#include <fmt/format.h>

#include "core/error.h"
#include "ops/elementwise.h"

namespace tg::data {

const Tensor& Batch::operator[](std::string_view name) const {
  auto it = fields.find(name);
  if (it == fields.end()) {
    std::vector<std::string> names;
    for (const auto& [k, v] : fields) names.push_back(k);
    fail("batch: no field '{}' (fields: {})", name, fmt::join(names, ", "));
  }
  return it->second;
}

Tensor Batch::mask(std::string_view name) const {
  const Tensor& ids = (*this)[name];
  check(ids.dtype() == kInt64, "batch: mask('{}'): the field holds {} values, not ids", name, ids.dtype());
  if (!ids.device().is_cpu()) return ops::ne(ids, 0.0).to(kFloat32);
  Tensor out = Tensor::empty(ids.shape(), {.dtype = kFloat32});
  Tensor c = ids.contiguous();
  const int64_t* src = c.data<int64_t>();
  float* dst = out.data<float>();
  for (int64_t i = 0, n = c.numel(); i < n; ++i) dst[i] = src[i] != 0 ? 1.0f : 0.0f;
  return out;
}

Batch Batch::to(Device device) const {
  Batch moved;
  moved.size = size;
  moved.rows = rows;
  moved.label = label.defined() ? label.to(device) : label;
  for (const auto& [name, t] : fields) moved.fields.emplace(name, t.to(device));
  return moved;
}

Batch make_batch(const Dataset& data, std::span<const int64_t> rows) {
  Batch b;
  const auto B = static_cast<int64_t>(rows.size());
  const int64_t n = data.rows();
  b.size = B;
  b.rows.assign(rows.begin(), rows.end());
  for (int64_t r : rows) check(r >= 0 && r < n, "make_batch: row {} out of range ({} rows)", r, n);
  b.label = Tensor::empty({B}, {.dtype = kFloat32});
  float* label = b.label.data<float>();
  for (int64_t i = 0; i < B; ++i) label[i] = data.labels[static_cast<size_t>(rows[static_cast<size_t>(i)])];

  for (const auto& c : data.columns) {
    if (c.ids.empty()) {
      Tensor t = Tensor::empty({B}, {.dtype = kFloat32});
      float* dst = t.data<float>();
      for (int64_t i = 0; i < B; ++i) dst[i] = c.values[static_cast<size_t>(rows[static_cast<size_t>(i)])];
      b.fields.emplace(c.name, t);
      continue;
    }
    const int64_t w = c.width;
    const bool wide = c.kind == FieldKind::MultiValued || c.kind == FieldKind::Sequence;
    Tensor t = Tensor::empty(wide ? Shape{B, w} : Shape{B}, {.dtype = kInt64});
    int64_t* dst = t.data<int64_t>();
    for (int64_t i = 0; i < B; ++i) {
      const int32_t* src = c.ids.data() + rows[static_cast<size_t>(i)] * w;
      for (int64_t k = 0; k < w; ++k) dst[i * w + k] = src[k];
    }
    b.fields.emplace(c.name, t);

    // Item attributes of every sequence element: "<seq>.<attr>" [B, T, M].
    if (c.kind != FieldKind::Sequence || !data.schema.has(c.name)) continue;
    const FieldSpec& spec = data.schema.field(c.name);
    if (spec.item_attributes.empty()) continue;
    const std::string& owner = !spec.item_index.empty() ? spec.item_index
                               : spec.vocab_from.empty() ? c.name
                                                         : spec.vocab_from;
    auto table = data.item_tables.find(owner);
    const Column& index_col = spec.item_index.empty() ? c : data.column(spec.item_index);
    check(index_col.width == w, "make_batch: item index column '{}' has width {}, the sequence {}", index_col.name,
          index_col.width, w);
    check(table != data.item_tables.end(), "make_batch: sequence '{}' asks for item attributes but there is no item "
          "table for '{}'", c.name, owner);
    for (const auto& attr : spec.item_attributes) {
      auto a = table->second.attributes.find(attr);
      check(a != table->second.attributes.end(), "make_batch: the item table of '{}' has no attribute '{}'", owner,
            attr);
      const Column& ac = a->second;
      const int64_t m = ac.width;
      const auto item_rows = static_cast<int64_t>(ac.ids.size()) / std::max<int64_t>(m, 1);
      Tensor at = Tensor::empty({B, w, m}, {.dtype = kInt64});
      int64_t* out = at.data<int64_t>();
      for (int64_t i = 0; i < B; ++i) {
        const int32_t* items = index_col.ids.data() + rows[static_cast<size_t>(i)] * w;
        for (int64_t t = 0; t < w; ++t, out += m) {
          const int64_t item = items[t];
          check(item >= 0 && item < item_rows, "make_batch: '{}' holds item id {} beyond its item table ({} rows)",
                c.name, item, item_rows);
          const int32_t* src = ac.ids.data() + item * m;
          for (int64_t k = 0; k < m; ++k) out[k] = src[k];
        }
      }
      b.fields.emplace(c.name + "." + attr, at);
    }
  }
  return b;
}

}  // namespace tg::data
