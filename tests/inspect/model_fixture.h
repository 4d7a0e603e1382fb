#pragma once
// The four paper models at small sizes on the planted dataset (models/planted.h), with one
// batch, for the inspection tests.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "models/planted.h"
#include "models/registry.h"

namespace tg::testing {

inline const std::vector<std::string>& paper_models() {
  static const std::vector<std::string> names = {"iarm", "qin", "eain", "dumn"};
  return names;
}

// The fields of the planted dataset each model reads, at width 4.
inline models::ModelArgs small_args(const std::string& name) {
  std::map<std::string, std::string> kv = models::planted_field_knobs(name);
  kv["dim"] = "4";
  return models::ModelArgs(kv);
}

struct ModelCase {
  data::Dataset data;
  data::Batch batch;
  std::unique_ptr<nn::CtrModel> model;
};

inline ModelCase small_model(const std::string& name, int64_t rows = 8) {
  ModelCase c;
  c.data = models::planted_dataset(rows, 1);
  std::vector<int64_t> all(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) all[static_cast<size_t>(i)] = i;
  c.batch = data::make_batch(c.data, all);
  manual_seed(5);
  c.model = models::make_model(name, c.data, small_args(name));
  return c;
}

}  // namespace tg::testing
