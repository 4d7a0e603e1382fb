#pragma once
// The item vectors that the sequence models (QIN, DIN, EAIN, DUMN) share, from a Batch:
//   x_t = [E_item(target id) ; masked-mean E_attr(target attr ids) ...]          [B, I]
//   X_b = [E_item(history ids) ; masked-mean E_attr(history.attr ids) ...]       [B, T, I]
//   m   = 1 where a history position holds an item                               [B, T]
// The item table is shared by the target and the history (the history's vocabulary comes
// from the item field), as in QIN and DIN. I = (1 + number of attributes) * d.
#include <string>
#include <vector>

#include "data/batch.h"
#include "models/args.h"
#include "models/field_embedding.h"

namespace tg::models {

struct ItemSequenceFields {
  std::string item = "movie_id";
  std::vector<std::string> attributes = {"genres"};
  std::string history = "history";
};

struct ItemSequence {
  Tensor target;   // [B, I]
  Tensor history;  // [B, T, I]
  Tensor mask;     // [B, T] float
};

// target only (history empty) when `history` is "".
ItemSequence embed_items(const FieldEmbedding& embedding, const data::Batch& batch, const ItemSequenceFields& fields,
                         bool with_history = true);
// The embedded fields that are neither the item nor its attributes (the context of QIN/DIN/EAIN).
std::vector<std::string> context_fields(const FieldEmbedding& embedding, const ItemSequenceFields& fields);
// Reads the knobs every item-sequence model shares: item_field, item_attributes, history,
// context (the defaults are the given values).
void read_item_args(ModelArgs& args, ItemSequenceFields& fields, std::vector<std::string>& context);
// [B, n*d]: the given fields' embeddings side by side.
Tensor embed_flat(const FieldEmbedding& embedding, const data::Batch& batch, const std::vector<std::string>& fields);

}  // namespace tg::models
