#pragma once
// DIN: Deep Interest Network (Zhou et al., KDD'18), the baseline of PROTOCOL.md §2:
//   a_j = MLP_unit([x_t ; x_j ; x_t - x_j ; x_t * x_j]) (36 PReLU -> 1), a <- a * mask (no
//   softmax); pooled = sum_j a_j x_j; z = MLP([context ; x_t ; pooled] -> 200 -> 80 -> 1,
//   PReLU after each hidden layer).
// Parameters: "embedding.<field>", "attention.mlp.*", "mlp.*".
#include "data/dataset.h"
#include "models/args.h"
#include "models/field_embedding.h"
#include "models/item_sequence.h"
#include "nn/layers/layers.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct DinConfig {
  int64_t dim = 16;
  double init_std = 1e-4;
  ItemSequenceFields items = {};
  std::vector<std::string> context = {};
  std::vector<int64_t> attention_hidden = {36};
  std::vector<int64_t> mlp = {200, 80};
  std::string name = "din";
  static DinConfig from_args(ModelArgs& args, DinConfig defaults);
};

class Din : public nn::CtrModel {
 public:
  Din(const data::Dataset& meta, DinConfig config);
  Tensor forward(const data::Batch& batch) override;
  std::string model_name() const override { return config_.name; }
  std::string describe() const override;

 private:
  DinConfig config_;
  FieldEmbedding& embedding_;
  std::vector<std::string> context_;
  nn::TargetAttention* attention_ = nullptr;
  nn::MLP* mlp_ = nullptr;
};

}  // namespace tg::models
