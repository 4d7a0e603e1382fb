#include "models/item_sequence.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "ops/ops.h"

namespace tg::models {

namespace {
// One attribute's vectors: a plain lookup when it holds one id per item ([B] for the target,
// [B, T] for the history), a masked-mean bag when it holds several ([B, K] / [B, T, K]).
Tensor embed_attribute(const FieldEmbedding& embedding, const std::string& table, const Tensor& ids, int64_t item_dims) {
  return ids.dim() == item_dims ? embedding.embed(table, ids) : embedding.embed_bag(table, ids);
}
}  // namespace

ItemSequenceFields resolve_item_fields(ItemSequenceFields f, const data::Schema& schema, const std::string& model) {
  check(schema.has(f.history) && schema.field(f.history).kind == data::FieldKind::Sequence,
        "{}: --history '{}' is not a sequence field of the data", model, f.history);
  const data::FieldSpec& history = schema.field(f.history);
  if (f.item == "auto") {
    check(!history.vocab_from.empty(), "{}: the sequence '{}' names no item field (vocab_from); pass --item_field",
          model, f.history);
    f.item = history.vocab_from;
  }
  check(schema.has(f.item), "{}: --item_field '{}' is not a field of the data", model, f.item);
  if (f.attributes == std::vector<std::string>{"auto"}) f.attributes = history.item_attributes;
  if (f.attributes == std::vector<std::string>{"none"}) f.attributes.clear();
  for (const auto& a : f.attributes) {
    check(schema.has(a), "{}: --item_attributes names '{}', not a field of the data", model, a);
    check(std::find(history.item_attributes.begin(), history.item_attributes.end(), a) != history.item_attributes.end(),
          "{}: the sequence '{}' carries no '{}' per element (its item attributes: {})", model, f.history, a,
          fmt::join(history.item_attributes, ", "));
  }
  return f;
}

ItemSequence embed_items(const FieldEmbedding& embedding, const data::Batch& batch, const ItemSequenceFields& f,
                         bool with_history) {
  ItemSequence out;
  std::vector<Tensor> target = {embedding.embed(f.item, batch[f.item])};
  for (const auto& a : f.attributes) target.push_back(embed_attribute(embedding, a, batch[a], 1));
  out.target = target.size() == 1 ? target[0] : ops::concat(target, 1);
  if (!with_history) return out;
  const Tensor& ids = batch[f.history];
  std::vector<Tensor> hist = {embedding.embed(f.item, ids)};
  for (const auto& a : f.attributes) hist.push_back(embed_attribute(embedding, a, batch[f.history + "." + a], 2));
  out.history = hist.size() == 1 ? hist[0] : ops::concat(hist, 2);
  out.mask = batch.mask(f.history).to(out.history.dtype());
  return out;
}

std::vector<std::string> context_fields(const FieldEmbedding& embedding, const ItemSequenceFields& f) {
  std::vector<std::string> out;
  for (const auto& name : embedding.fields())
    if (name != f.item && std::find(f.attributes.begin(), f.attributes.end(), name) == f.attributes.end())
      out.push_back(name);
  return out;
}

void read_item_args(ModelArgs& a, ItemSequenceFields& f, std::vector<std::string>& context) {
  f.item = a.get_string("item_field", f.item, "the target item field, its table shared by the history (auto: from the data)");
  f.attributes = a.get_strings("item_attributes", f.attributes,
                               "item fields in the item vector (auto: the history's, from the data; none)");
  f.history = a.get_string("history", f.history, "the behaviour sequence field");
  context = a.get_strings("context", context, "context fields (default: every other embedded field)");
}

Tensor embed_flat(const FieldEmbedding& embedding, const data::Batch& batch, const std::vector<std::string>& fields) {
  check(!fields.empty(), "embed_flat: no fields");
  std::vector<Tensor> parts;
  for (const auto& f : fields) parts.push_back(embedding.field(batch, f));
  return parts.size() == 1 ? parts[0] : ops::concat(parts, 1);
}

}  // namespace tg::models
