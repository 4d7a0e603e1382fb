#pragma once
// IARM: Interactive Attention Rate estimation Model (Zhang et al., J. Big Data 2023), as
// specified in design/models.md §1 (defaults d=16, H=2, d'=32, L=3):
//   E0 = [e_1 .. e_M]                                   [B, M, d]   field embeddings (eqs. 2-4)
//   U  = ReLU MLP(flatten(user-field embeddings))        [B, 64]     interest layer, 4 layers (eq. 6)
//   E_l = ReLU(concat_h softmax(Q_h K_h^T) V_h + E_{l-1} W_res), l = 1..L   interacting layers (7-11)
//   z  = w^T [flatten(E_L) ; U ; flatten(E0)] + b        merge=three (the literal reading)
// Ablations (§1.4): use_interest=false (IARM*), use_attention=false (IRM), use_residual=false
// (IARM-), layers 0..4 (0: E_L = E0), merge=two drops flatten(E0). The AutoInt code's
// options: qkv_relu, use_scale, attn_dropout, layer_norm.
// AutoInt itself is IARM with use_interest=false and merge=two (make_autoint_args()).
// Parameters: "embedding.<field>", "interest.<i>.weight/bias", "interact.<l>.w_query/w_key/
// w_value/w_res", "output.weight/bias".
#include <string>
#include <vector>

#include "data/dataset.h"
#include "models/args.h"
#include "models/field_embedding.h"
#include "nn/layers/layers.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct IarmConfig {
  int64_t dim = 16;
  double init_std = 0.01;  // AutoInt-style embeddings (models.md §0)
  int64_t heads = 2;
  int64_t head_dim = 32;
  int64_t layers = 3;
  std::vector<int64_t> interest = {256, 128, 64, 64};
  std::vector<std::string> user_fields = {};  // empty: the schema's user-group fields (all when none)
  bool use_interest = true;
  bool use_attention = true;
  bool use_residual = true;
  std::string merge = "three";  // three | two
  bool qkv_relu = false;
  bool use_scale = false;
  double attn_dropout = 0;
  bool layer_norm = false;
  bool padding = true;      // false: id 0 is an ordinary id (FieldEmbeddingOptions::padding)
  bool sparse_grad = true;  // row-sparse table gradients (false: dense, as PyTorch's default)
  std::string name = "iarm";

  static IarmConfig from_args(ModelArgs& args, IarmConfig defaults);
};

class Iarm : public nn::CtrModel {
 public:
  Iarm(const data::Dataset& meta, IarmConfig config = {});
  Tensor forward(const data::Batch& batch) override;
  std::string model_name() const override { return config_.name; }
  std::string describe() const override;
  const IarmConfig& config() const { return config_; }

 private:
  IarmConfig config_;
  std::vector<int64_t> user_index_;  // positions of the user fields in E0
  FieldEmbedding& embedding_;
  nn::MLP* interest_ = nullptr;
  nn::ModuleList& interact_;
  nn::Linear* output_ = nullptr;
};

}  // namespace tg::models
