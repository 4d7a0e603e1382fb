#pragma once
// Batch: the tensors of B examples, as models read them.
//   batch.label            float32 [B]
//   batch["gender"]        int64 [B]        categorical (and LogSquare numerical) ids
//   batch["I3"]            float32 [B]      numerical values
//   batch["genres"]        int64 [B, M]     multi-valued ids, right-padded with 0
//   batch["history"]       int64 [B, T]     sequence ids, left-padded with 0
//   batch["history.genres"] int64 [B, T, M] an item attribute of every sequence element
//   batch.mask("history")  float32 [B, T]   1 where an element is present
//   batch.rows             the dataset row of each example (predictions, group AUC)
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"

namespace tg::data {

struct Batch {
  int64_t size = 0;
  Tensor label;
  std::map<std::string, Tensor, std::less<>> fields;
  std::vector<int64_t> rows;

  bool has(std::string_view name) const { return fields.find(name) != fields.end(); }
  // Error naming the field and the batch's fields when absent.
  const Tensor& operator[](std::string_view name) const;
  // float32 [B, T] (or [B, M]): 1 where the id is not padding; on the ids' device.
  Tensor mask(std::string_view name) const;
  // The same batch with the label and every field on `device` (rows stay on the host).
  Batch to(Device device) const;
};

// Gathers the given dataset rows into a Batch (every column, every item attribute of every
// sequence field).
Batch make_batch(const Dataset& data, std::span<const int64_t> rows);

}  // namespace tg::data
