#pragma once
// The four paper models at tiny sizes on the planted test dataset (tests/models), with one
// batch, for the inspection tests.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "models/registry.h"
#include "tests/models/synthetic_fixture.h"

namespace tg::testing {

inline const std::vector<std::string>& paper_models() {
  static const std::vector<std::string> names = {"iarm", "qin", "eain", "dumn"};
  return names;
}

// Which of the fixture's fields each model reads, and small sizes.
inline models::ModelArgs small_args(const std::string& name) {
  std::map<std::string, std::string> kv{{"dim", "4"}};
  if (name == "qin" || name == "eain") {
    kv["item_field"] = "i1";
    kv["item_attributes"] = "tags";
    kv["history"] = "hist";
  }
  if (name == "dumn") {
    kv["sequences"] = "hist,unc,lik,dis";
    kv["item_field"] = "i1";
  }
  return models::ModelArgs(kv);
}

struct ModelCase {
  data::Dataset data;
  data::Batch batch;
  std::unique_ptr<nn::CtrModel> model;
};

inline ModelCase small_model(const std::string& name, int64_t rows = 8) {
  ModelCase c;
  c.data = planted_dataset(rows, 1);
  std::vector<int64_t> all(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) all[static_cast<size_t>(i)] = i;
  c.batch = data::make_batch(c.data, all);
  manual_seed(5);
  c.model = models::make_model(name, c.data, small_args(name));
  return c;
}

}  // namespace tg::testing
