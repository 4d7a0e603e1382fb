// TargetAttention: one query per example attends over a padded sequence.
//
//   query q [B, dq], keys K [B, T, dk], mask m [B, T] (1 = valid; optional), values V
//   [B, T, dv] (optional, default V = K)  ->  o [B, d_out]
//
//   s_t = score(q, K_t)                                  (Score below)
//   a   = weights(s, m)                                  (Weights below), dropout(a) if set
//   o   = sum_t a_t V_t                                  [B, dv]
//   o   = o W_out  (out_dim > 0),  o = o + q  (residual)
//
// Score:
//   Dot       s_t = scale * q.K_t; with proj_dim = d_a > 0 the projected form of QIN's ASTA,
//             q' = q W_query, K' = K W_key, V' = V W_value (no bias), s_t = scale * q'.K'_t,
//             o = sum_t a_t V'_t. scale = 1/sqrt(width) (d_a, or dk without projection) by
//             default, `scale` when > 0, 1 with use_scale = false.
//   DinMLP    s_t = MLP([q ; K_t ; q - K_t ; q * K_t]) -> 1 (DIN's activation unit; sizes
//             {4 dq, mlp_hidden..., 1}, activation mlp_activation, default hidden {36} with PReLU
//             as PROTOCOL.md's DIN row). Needs dq == dk.
//   Additive  s_t = v^T tanh(K_t W_key + q W_query + bias)   (EAIN; width attention_dim)
//   Concat    s_t = relu([q ; K_t] . w_score)                 (DUMN eq. 3; no bias)
// Weights:
//   Softmax   a = masked softmax(s) over t (padded positions exactly 0)
//   Relu      a = relu(s) * m   (QIN's adaptive sparse target attention: no normalisation)
//   Raw       a = s * m         (DIN: scores used as they are)
// A fully padded sequence gives a = 0 and a zero pooled vector (never NaN); the output is
// then W_out applied to zero (0) plus the residual q if set.
//
// The brief's four modes are:  softmax = {Dot, Softmax};  ReLU = {Dot, Relu};
// DinMLP = {DinMLP, Raw};  Additive = {Additive, Softmax}.  For example QIN's ASTA
// (PROTOCOL.md QIN row, I = 32, d_a = 64):
//   TargetAttention(32, 32, {.score = Score::Dot, .weights = Weights::Relu, .proj_dim = 64,
//                            .out_dim = 32, .residual = true})
// and "ASTA w/ SoftMax" is the same with Weights::Softmax.
//
// Parameters (weights [in, out], Xavier-normal; biases zero):
//   Dot with proj_dim:  "w_query" [dq, d_a], "w_key" [dk, d_a], "w_value" [dv, d_a]
//   DinMLP:             child "mlp" (an MLP: "mlp.0.weight" [h, 4 dq], ..., "mlp.prelus.0.weight")
//   Additive:           "w_key" [dk, a], "w_query" [dq, a], "bias" [a], "v" [a]
//   Concat:             "w_score" [dq + dk, 1]
//   out_dim > 0:        "w_out" [width, out_dim]
//
// Speed: the projected Dot form never builds K' or V' ([B, T, d_a]): by associativity
// s = K (W_key q'^T) and sum_t a_t V'_t = (sum_t a_t V_t) W_value, so the projections cost
// O(B d d_a) instead of O(B T d d_a). The DIN unit splits its first layer over the four
// concatenated parts (q's part once per example), so [B, T, 4 dq] is never built either.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "nn/layers/activation.h"
#include "nn/layers/mlp.h"
#include "nn/module.h"

namespace tg::nn {

struct TargetAttentionOptions {
  enum class Score { Dot, DinMLP, Additive, Concat };
  enum class Weights { Softmax, Relu, Raw };
  Score score = Score::Dot;
  Weights weights = Weights::Softmax;
  int64_t proj_dim = 0;   // Dot only: d_a > 0 projects q, K and V
  bool use_scale = true;  // Dot only
  double scale = 0.0;     // Dot only: > 0 replaces 1/sqrt(width)
  int64_t out_dim = 0;    // > 0: output projection w_out
  bool residual = false;  // o + q (the output width must equal dq)
  double dropout = 0.0;   // on the weights a, training mode only
  std::vector<int64_t> mlp_hidden = {36};        // DinMLP
  Activation mlp_activation = Activation::PRelu;  // DinMLP
  int64_t attention_dim = 64;                     // Additive
  int64_t value_dim = 0;  // width of separately given values (0: dk)
  Generator* dropout_gen = nullptr;
  Generator* init_gen = nullptr;
};

class TargetAttention : public Module {
 public:
  using Score = TargetAttentionOptions::Score;
  using Weights = TargetAttentionOptions::Weights;
  TargetAttention(int64_t query_dim, int64_t key_dim, TargetAttentionOptions options = {});

  Tensor operator()(const Tensor& query, const Tensor& keys, const Tensor& mask = Tensor(),
                    const Tensor& values = Tensor()) const;
  // The attention weights a [B, T] (after masking, before dropout) — for inspection.
  Tensor attention_weights(const Tensor& query, const Tensor& keys, const Tensor& mask = Tensor()) const;
  void reset_parameters(Generator* gen = nullptr);

  int64_t output_dim() const;
  std::string describe() const override;  // "TargetAttention(32, 32, dot/relu)"
  MLP* mlp() const { return mlp_; }  // the DIN unit (DinMLP score), else null

  Tensor w_query, w_key, w_value, w_out, bias, v, w_score;  // those the options use

 private:
  Tensor scores(const Tensor& query, const Tensor& keys) const;  // s [B, T]
  Tensor weigh(const Tensor& s, const Tensor& mask) const;       // a [B, T]
  void check_inputs(const Tensor& query, const Tensor& keys, const Tensor& mask, const Tensor& values) const;
  double dot_scale() const;
  void init_own(Generator* gen);  // every parameter but the MLP child's

  int64_t dq_, dk_, dv_;
  TargetAttentionOptions options_;
  MLP* mlp_ = nullptr;
};

}  // namespace tg::nn
