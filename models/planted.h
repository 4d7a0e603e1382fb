#pragma once
// A small in-memory dataset with planted structure and every field kind, and tiny instances of
// the registered models on it: what the model tests, the inspection tests and
// tapegrad-gradcheck (its "model NAME" check) all build from, so that they agree.
//
// The dataset: two user fields, an item field, a context field, a multi-valued tag field, a
// numeric field, a history of items with their tags, and three more item sequences (DUMN's
// feedback). The label is drawn from sigmoid(3 <a[u1], b[i1]> + 0.5 x + small context biases
// + 1 when most of the history shares the target's group): a user-item interaction that a model
// over one field at a time (LR) cannot represent.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "data/batch.h"
#include "data/dataset.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

// `rows` rows drawn with `seed`; `teacher_seed` fixes the planted function (keep it to draw
// train, valid and test sets of the same task).
data::Dataset planted_dataset(int64_t rows, uint64_t seed, uint64_t teacher_seed = 99);

// Which of the planted dataset's fields `model` reads (QIN, DIN and EAIN: item, its attributes,
// the history; DUMN: its four sequences); empty for the models that take every field.
std::map<std::string, std::string> planted_field_knobs(const std::string& model);

// planted_field_knobs plus the smallest sizes (dims of 2 or 3, two layers, init_std 0.3, no
// dropout, DUMN's hinge always active), kept to the knobs `model` declares: a float64 finite-
// difference check over every parameter then takes well under a second.
std::map<std::string, std::string> tiny_model_knobs(const std::string& model);

// A tiny float64 instance of `model` (tiny_model_knobs, initialised from `seed`) with one batch
// of six planted rows, ready for a gradient check of its whole loss. Every 1-D parameter is
// moved into [0.1, 0.5]: zero biases would put ReLUs exactly at their kink for rows whose
// inputs are all zero, where finite differences are not valid.
struct TinyModel {
  data::Dataset data;
  data::Batch batch;
  std::unique_ptr<nn::CtrModel> model;
};
TinyModel tiny_model(const std::string& model, uint64_t seed);

}  // namespace tg::models
