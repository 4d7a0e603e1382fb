#include "models/registry.h"

#include <fmt/format.h>

#include "core/error.h"
#include "models/baselines.h"
#include "models/din.h"
#include "models/dumn.h"
#include "models/eain.h"
#include "models/iarm.h"
#include "models/qin.h"

namespace tg::models {

namespace {

IarmConfig autoint_defaults() {
  IarmConfig c;
  c.use_interest = false;
  c.merge = "two";
  c.name = "autoint";
  return c;
}

FmConfig fm_defaults(const char* name) {
  FmConfig c;
  c.name = name;
  if (std::string(name) == "lr") c.use_fm = false;
  if (std::string(name) == "deepfm") c.dnn = {400, 400, 400};
  return c;
}

template <class Model, class Config>
ModelSpec spec(std::string name, std::string summary, Config defaults) {
  return {name, summary,
          [name, defaults](const data::Dataset& meta, ModelArgs& args) -> std::unique_ptr<nn::CtrModel> {
            Config config = Config::from_args(args, defaults);
            args.check_all_used(name);
            return std::make_unique<Model>(meta, config);
          },
          [defaults](ModelArgs& args) { Config::from_args(args, defaults); }};
}

}  // namespace

const std::vector<ModelSpec>& registry() {
  static const std::vector<ModelSpec> specs = {
      spec<Iarm>("iarm", "IARM: interest MLP + multi-head self-attention interacting layers (models.md §1)",
                 IarmConfig{}),
      spec<Iarm>("autoint", "AutoInt: IARM without the interest layer, merge=two", autoint_defaults()),
      spec<FactorizationMachine>("lr", "logistic regression over per-field weights", fm_defaults("lr")),
      spec<FactorizationMachine>("fm", "factorization machine", fm_defaults("fm")),
      spec<FactorizationMachine>("deepfm", "DeepFM: FM + a 400-400-400 MLP on shared embeddings",
                                 fm_defaults("deepfm")),
      spec<Qin>("qin", "QIN: adaptive sparse target attention + quadratic neural network (models.md §2)", QinConfig{}),
      spec<Eain>("eain", "EAIN: additive attention with positions, SENet, MaskBlock, PAIM (models.md §3)", EainConfig{}),
      spec<Dumn>("dumn", "DUMN: feedback self-attention, orthogonal projection, memories, triplet loss (models.md §4)",
                 DumnConfig{}),
      spec<Din>("din", "DIN: target attention with an activation unit over the history", DinConfig{}),
  };
  return specs;
}

const ModelSpec& find_model(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& s : registry()) {
    if (s.name == name) return s;
    names.push_back(s.name);
  }
  fail("unknown model '{}' (models: {})", name, fmt::join(names, ", "));
}

std::unique_ptr<nn::CtrModel> make_model(const std::string& name, const data::Dataset& meta, ModelArgs args) {
  return find_model(name).build(meta, args);
}

}  // namespace tg::models
