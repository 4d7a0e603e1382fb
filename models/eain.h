#pragma once
// EAIN: Enhanced Attention and Interaction Network (Wang, 2025), design/models.md §3 as
// PROTOCOL.md §2 reduces it (d = 16, item vector x = [E_item ; masked-mean E_attr], C = 2d):
//   x~_j = x_j + PE(T - 1 - j)                          keys with recency positions (pos_in_din)
//   e_j = v^T tanh(W1 x~_j + W2 x_t + b), a = masked softmax(e), h_u = sum_j a_j x_j
//   F = [context fields ; E_item(target) ; E_attr(target) ; h_u as 2 fields]       [B, N, d]
//   SENet: s = sigma(W_b ReLU(W_a mean_d F)), F~ = F * s            (N -> N/3 -> N, no bias)
//   MaskBlock: V = flatten(F~); V_mask = W_d2 ReLU(W_d1 V + b1) + b2 (N d -> 2 N d -> N d);
//              h_mask = ReLU(LayerNorm(W_h (V_mask * LN_field(V))))   (W_h: N d -> 256, no bias)
//   PAIM: f^0 = h_u, f^l = ReLU(W^l vec(f^{l-1} (x) f^{l-1}) + b^l), h_final = [f^L ; PE(n_valid)]
//   z = MLP([h_mask ; h_final] -> 256 -> 128 -> 1, ReLU)
//   loss = logloss + (l2 / 2) * sum over ALL parameters ||theta||^2
// Switches (§3.3): use_din (false: masked mean), use_senet, use_maskblock (false: V to the
// head), use_paim, paim_layers, pos_in_din, se_act (sigmoid | relu).
#include "data/dataset.h"
#include "models/args.h"
#include "models/field_embedding.h"
#include "models/item_sequence.h"
#include "nn/layers/layers.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct EainConfig {
  int64_t dim = 16;
  double init_std = 1e-4;
  ItemSequenceFields items = {};
  std::vector<std::string> context = {};
  bool use_din = true;
  bool pos_in_din = true;
  int64_t attention_dim = 64;
  bool use_senet = true;
  std::string se_act = "sigmoid";
  bool use_maskblock = true;
  int64_t mask_width = 256;  // q
  int64_t mask_ratio = 2;    // r
  bool use_paim = true;
  int64_t paim_layers = 2;
  std::vector<int64_t> mlp = {256, 128};
  double l2 = 1e-6;
  bool sparse_grad = true;  // row-sparse table gradients
  std::string name = "eain";
  static EainConfig from_args(ModelArgs& args, EainConfig defaults);
};

// The sinusoidal positional encodings PE(t) for t = 0..rows-1, width `dim` (no gradient).
Tensor sinusoidal_table(int64_t rows, int64_t dim);

class Eain : public nn::CtrModel {
 public:
  Eain(const data::Dataset& meta, EainConfig config);
  Tensor forward(const data::Batch& batch) override;
  nn::LossTerms loss(const data::Batch& batch, const Tensor& logits) override;
  std::string model_name() const override { return config_.name; }
  std::string describe() const override;

 private:
  EainConfig config_;
  FieldEmbedding& embedding_;
  std::vector<std::string> context_;
  int64_t item_width_ = 0, fields_ = 0, seq_len_ = 0;
  nn::TargetAttention* attention_ = nullptr;
  Tensor se_a_, se_b_;                       // SENet
  nn::Linear* mask_d1_ = nullptr;            // MaskBlock
  nn::Linear* mask_d2_ = nullptr;
  Tensor field_ln_weight_, field_ln_bias_;   // per-field LayerNorm affine [N, d]
  nn::Linear* mask_h_ = nullptr;
  nn::LayerNorm* mask_ln_ = nullptr;
  nn::ModuleList* paim_ = nullptr;
  nn::MLP* head_ = nullptr;
  Tensor pe_;                                // [T + 1, C], constant
};

}  // namespace tg::models
