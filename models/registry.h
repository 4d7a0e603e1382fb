#pragma once
// The model registry: every model by name, so apps, tests and benchmarks iterate over all of
// them. A model is built from a Dataset (its schema and vocabularies decide the tables) and
// ModelArgs (its knobs; unknown names are an error).
//
//   auto model = tg::models::make_model("iarm", train, args);
//   for (const auto& spec : tg::models::registry()) ...
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "models/args.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct ModelSpec {
  std::string name;
  std::string summary;
  // Builds the model; reads its knobs from args (and thereby documents them).
  std::function<std::unique_ptr<nn::CtrModel>(const data::Dataset& meta, ModelArgs& args)> build;
  // Reads the knobs only (for --help).
  std::function<void(ModelArgs& args)> declare;
};

const std::vector<ModelSpec>& registry();
const ModelSpec& find_model(const std::string& name);  // error listing the known names
std::unique_ptr<nn::CtrModel> make_model(const std::string& name, const data::Dataset& meta, ModelArgs args = {});

}  // namespace tg::models
