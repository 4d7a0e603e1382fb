#pragma once
// Baselines on the same API, so the papers' comparisons can be rerun here
// (data/movielens-100k/PROTOCOL.md §2):
//   LR      z = b + sum_f w_f          per-field scalar weights (1-d tables, N(0, 0.01^2));
//                                      multi-valued: masked mean; numeric: w_m * x_m
//   FM      LR + 1/2 sum_k [(sum_f e_fk)^2 - sum_f e_fk^2] over d-dim field vectors
//   DeepFM  FM + MLP(flatten(E) -> 400 -> 400 -> 400 -> 1, ReLU), embeddings shared
// (AutoInt is IARM with use_interest=false, merge=two: see models/iarm.h; DIN is in din.h.)
// Parameters: "linear.<field>", "bias", "embedding.<field>", "mlp.<i>.weight/bias".
#include "data/dataset.h"
#include "models/args.h"
#include "models/field_embedding.h"
#include "nn/layers/layers.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct FmConfig {
  int64_t dim = 16;
  double init_std = 0.01;
  bool use_fm = true;                           // false: LR
  std::vector<int64_t> dnn = {};                // DeepFM: {400, 400, 400}
  double dropout = 0;
  std::string name = "fm";
  static FmConfig from_args(ModelArgs& args, FmConfig defaults);
};

// LR, FM and DeepFM are one class: the FM term and the DNN are switches.
class FactorizationMachine : public nn::CtrModel {
 public:
  FactorizationMachine(const data::Dataset& meta, FmConfig config);
  Tensor forward(const data::Batch& batch) override;
  std::string model_name() const override { return config_.name; }
  std::string describe() const override;

 private:
  FmConfig config_;
  FieldEmbedding& linear_;
  Tensor bias_;
  FieldEmbedding* embedding_ = nullptr;
  nn::MLP* mlp_ = nullptr;
};

}  // namespace tg::models
