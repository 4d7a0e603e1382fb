#include "models/item_sequence.h"

#include <algorithm>

#include "core/error.h"
#include "ops/ops.h"

namespace tg::models {

ItemSequence embed_items(const FieldEmbedding& embedding, const data::Batch& batch, const ItemSequenceFields& f,
                         bool with_history) {
  ItemSequence out;
  std::vector<Tensor> target = {embedding.embed(f.item, batch[f.item])};
  for (const auto& a : f.attributes) target.push_back(embedding.embed_bag(a, batch[a]));
  out.target = target.size() == 1 ? target[0] : ops::concat(target, 1);
  if (!with_history) return out;
  const Tensor& ids = batch[f.history];
  std::vector<Tensor> hist = {embedding.embed(f.item, ids)};
  for (const auto& a : f.attributes) hist.push_back(embedding.embed_bag(a, batch[f.history + "." + a]));
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
  f.item = a.get_string("item_field", f.item, "the target item field (its table is shared by the history)");
  f.attributes = a.get_strings("item_attributes", f.attributes, "multi-valued item fields pooled into the item vector");
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
