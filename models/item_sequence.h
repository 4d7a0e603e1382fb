#pragma once
// The item vectors that the sequence models (QIN, DIN, EAIN, DUMN) share, from a Batch:
//   x_t = [E_item(target id) ; masked-mean E_attr(target attr ids) ...]          [B, I]
//   X_b = [E_item(history ids) ; masked-mean E_attr(history.attr ids) ...]       [B, T, I]
//   m   = 1 where a history position holds an item                               [B, T]
// The item table is shared by the target and the history (the history's vocabulary comes
// from the item field), as in QIN and DIN. I = (1 + number of attributes) * d.
// An attribute may be single-valued (Taobao's cate_id: one id per item, embedded) or
// multi-valued (MovieLens genres: a masked-mean bag), in the target and in the history.
// The item field and the attributes default to "auto": read from the history field in the
// data's schema (its vocab_from and its item_attributes), so one model runs on MovieLens
// (movie_id + genres) and on Taobao (adgroup_id + cate_id, brand) without flags.
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/schema.h"
#include "models/args.h"
#include "models/field_embedding.h"

namespace tg::models {

struct ItemSequenceFields {
  std::string item = "auto";                       // "auto": the history's vocab_from
  std::vector<std::string> attributes = {"auto"};  // "auto": the history's item_attributes; "none": no attribute
  std::string history = "history";
};

struct ItemSequence {
  Tensor target;   // [B, I]
  Tensor history;  // [B, T, I]
  Tensor mask;     // [B, T] float
};

// The fields with "auto"/"none" resolved against the data; every named field must exist
// (an error names the model, the knob and the field).
ItemSequenceFields resolve_item_fields(ItemSequenceFields fields, const data::Schema& schema, const std::string& model);

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
