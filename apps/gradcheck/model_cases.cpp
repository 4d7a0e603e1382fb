// A tiny instance of any registered model for a float64 gradient check of its whole loss:
// dimensions of 2 or 3, six rows of the planted dataset the model tests use
// (tests/models/synthetic_fixture.h: every field kind, histories, feedback sequences).
#include <map>

#include "apps/gradcheck/cases.h"
#include "core/autograd.h"
#include "core/rng.h"
#include "data/batch.h"
#include "models/registry.h"
#include "nn/layers/convert.h"
#include "tests/models/synthetic_fixture.h"

namespace tg::apps::gradcheck_app {

namespace {

// Which fixture fields the sequence models read, and tiny sizes. Knobs a model does not have
// are left out (the registry refuses unknown knobs).
std::map<std::string, std::string> tiny_knobs(const std::string& name) {
  std::map<std::string, std::string> kv{{"init_std", "0.3"}};
  if (name == "qin" || name == "din" || name == "eain") {
    kv["item_field"] = "i1";
    kv["item_attributes"] = "tags";
    kv["history"] = "hist";
  }
  if (name == "dumn") {
    kv["sequences"] = "hist,unc,lik,dis";
    kv["item_field"] = "i1";
    kv["heads"] = "1";
    kv["slots"] = "3";
    kv["memory_dim"] = "2";
    kv["controller"] = "3";
    kv["mlp"] = "3";
    kv["margin"] = "2.0";  // every hinge active: no kink at 0
  }
  if (name == "iarm" || name == "autoint") {
    kv["heads"] = "2";
    kv["head_dim"] = "2";
    kv["layers"] = "2";
    if (name == "iarm") kv["interest"] = "3,2";
  }
  if (name == "qin") {
    kv["attention_dim"] = "3";
    kv["num_layers"] = "2";
    kv["num_row"] = "2";
    kv["dropout"] = "0";
  }
  if (name == "eain") {
    kv["attention_dim"] = "3";
    kv["mask_width"] = "4";
    kv["mlp"] = "3";
    kv["paim_layers"] = "1";
  }
  if (name == "deepfm") kv["dnn"] = "3";
  if (name == "din") {
    kv["attention_hidden"] = "3";
    kv["mlp"] = "4";
  }
  kv["dim"] = "2";
  // Keep only the knobs this model declares.
  models::ModelArgs probe;
  models::find_model(name).declare(probe);
  std::map<std::string, std::string> known;
  for (const auto& k : probe.known())
    if (kv.count(k.name)) known[k.name] = kv[k.name];
  return known;
}

}  // namespace

GradcheckResult check_model(const std::string& name, uint64_t seed, const GradcheckOptions& options,
                            int64_t* parameters_out) {
  const int64_t rows = 6;
  data::Dataset d = testing::planted_dataset(rows, seed);
  std::vector<int64_t> all(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) all[static_cast<size_t>(i)] = i;
  data::Batch batch = data::make_batch(d, all);
  manual_seed(seed);
  auto model = models::make_model(name, d, models::ModelArgs(tiny_knobs(name)));
  nn::to_dtype(*model, kFloat64);
  {
    // Zero biases put ReLUs exactly at their kink for rows whose inputs are all zero: move
    // every 1-D parameter away from zero so that finite differences are valid.
    NoGradGuard no_grad;
    Generator gen(seed + 1);
    for (auto& p : model->parameters())
      if (p.dim() == 1) p.copy_(uniform(p.shape(), 0.1, 0.5, {.dtype = kFloat64}, &gen));
  }
  if (parameters_out) *parameters_out = model->num_parameters();
  TensorList params = model->parameters();
  return gradcheck(
      [&](const TensorList&) {
        Tensor logits = model->forward(batch);
        return model->loss(batch, logits).total;
      },
      params, options);
}

}  // namespace tg::apps::gradcheck_app
