// Self-attention layers over a set or sequence X [B, N, d], with an optional key-padding
// mask [B, N] (1 = valid, see nn/layers/mask.h).
//
// dot_product_attention(q, k, v, keep, scale):  softmax(scale * q k^T, masked) v
//   q [..., Nq, dh], k [..., Nk, dh], v [..., Nk, dv] -> [..., Nq, dv]; keep (bool, optional)
//   broadcasts to the scores [..., Nq, Nk]. Masked keys get weight exactly 0, and a query
//   whose keys are all masked gets a zero row (never NaN; ops::softmax's mask argument).
//   All heads go through one batched product: heads are a batch dim of views, not a loop.
//
// MultiHeadSelfAttention: AutoInt's interacting layer / IARM eqs. (7)-(11), models.md §1.2:
//   Q = X Wq, K = X Wk, V = X Wv  (each [d_in, H*d'], head h = columns h*d' .. (h+1)*d')
//   A_h = softmax(scale * Q_h K_h^T) (scale = 1/sqrt(d') with use_scale, else 1)
//   out = act( concat_h(A_h V_h) + X W_res )  -> [B, N, H*d'],  act = ReLU (switchable)
//   then LayerNorm(H*d') when layer_norm (AutoInt code's order: ReLU, then LayerNorm).
//   Switches: use_residual=false drops X W_res (IARM-); use_attention=false keeps only
//   act(X W_res) (IRM); qkv_relu/qkv_bias make Q, K, V (and the residual projection) dense
//   layers with bias and ReLU as in the AutoInt code; attn_dropout on the weights A_h.
//   Parameters: "w_query", "w_key", "w_value", "w_res" [d_in, H*d'] (no bias by default;
//   with qkv_bias also "b_query", "b_key", "b_value", "b_res" [H*d']); child "layer_norm".
//
// TransformerSelfAttention: the standard form (DUMN eqs. 1-2, models.md §4.2):
//   head_h = softmax(scale * (X Wq_h)(X Wk_h)^T) (X Wv_h),  out = concat_h(head_h) W_out
//   scale: 1/sqrt(head_dim) (Scale::HeadDim), 1/sqrt(T) with T the input's sequence length
//   (Scale::SeqLen, DUMN's reference), none, or a given value. split_input=true is DUMN's
//   per-head form: head h projects only its own slice X[..., h*d/H : (h+1)*d/H] with
//   [d/H, head_dim] matrices (block-diagonal projections, fewer parameters).
//   Parameters: "w_query", "w_key", "w_value": [d, H*head_dim], or [H, d/H, head_dim] with
//   split_input; "w_out" [H*head_dim, out_dim]; with bias also "b_query", "b_key", "b_value"
//   ([H*head_dim], or [H, head_dim] with split_input) and "b_out" [out_dim].
//   A query whose keys are all padding gets a zero context (plus b_out when bias is on).
//
// Weights are stored [in, out] (y = x W, the papers' layout), Xavier-normal (per head for
// split_input), biases zero. Inputs must be [B, N, d]; masks [B, N].
#pragma once
#include <cstdint>
#include <string>

#include "core/rng.h"
#include "nn/layers/normalization.h"
#include "nn/module.h"

namespace tg::nn {

Tensor dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keep = Tensor(),
                             double scale = 1.0, double dropout = 0.0, bool training = false,
                             Generator* gen = nullptr);

struct MultiHeadSelfAttentionOptions {
  int64_t heads = 2;
  int64_t head_dim = 32;  // d'
  bool use_scale = false;
  bool use_attention = true;
  bool use_residual = true;
  bool relu = true;
  bool qkv_relu = false;
  bool qkv_bias = false;
  double attn_dropout = 0.0;
  bool layer_norm = false;
  double layer_norm_eps = 1e-8;  // the AutoInt code's
  Generator* dropout_gen = nullptr;
  Generator* init_gen = nullptr;
};

class MultiHeadSelfAttention : public Module {
 public:
  explicit MultiHeadSelfAttention(int64_t input_dim, MultiHeadSelfAttentionOptions options = {});

  // x [B, N, input_dim], mask [B, N] (optional) -> [B, N, heads * head_dim]
  Tensor operator()(const Tensor& x, const Tensor& mask = Tensor()) const;
  void reset_parameters(Generator* gen = nullptr);

  int64_t output_dim() const { return options_.heads * options_.head_dim; }
  std::string describe() const override;  // "MultiHeadSelfAttention(16 -> 2x32)"

  Tensor w_query, w_key, w_value, w_res;  // undefined when switched off
  Tensor b_query, b_key, b_value, b_res;  // only with qkv_bias

 private:
  int64_t input_dim_;
  MultiHeadSelfAttentionOptions options_;
  LayerNorm* layer_norm_ = nullptr;
};

struct TransformerSelfAttentionOptions {
  enum class Scale { HeadDim, SeqLen, None, Value };
  int64_t heads = 2;
  int64_t head_dim = 0;  // 0: dim / heads
  bool split_input = false;
  Scale scale = Scale::HeadDim;
  double scale_value = 1.0;  // with Scale::Value: scores are multiplied by it
  bool bias = false;
  bool out_proj = true;
  int64_t out_dim = 0;  // 0: dim
  double dropout = 0.0;  // on the attention weights
  Generator* dropout_gen = nullptr;
  Generator* init_gen = nullptr;
};

class TransformerSelfAttention : public Module {
 public:
  using Scale = TransformerSelfAttentionOptions::Scale;
  explicit TransformerSelfAttention(int64_t dim, TransformerSelfAttentionOptions options = {});

  // x [B, T, dim], mask [B, T] (optional) -> [B, T, out_dim] (or [B, T, heads*head_dim]
  // without out_proj)
  Tensor operator()(const Tensor& x, const Tensor& mask = Tensor()) const;
  void reset_parameters(Generator* gen = nullptr);

  int64_t output_dim() const;
  std::string describe() const override;  // "TransformerSelfAttention(16, 2 heads of 8)"

  Tensor w_query, w_key, w_value, w_out;
  Tensor b_query, b_key, b_value, b_out;  // only with bias

 private:
  int64_t dim_, head_dim_;
  TransformerSelfAttentionOptions options_;
};

}  // namespace tg::nn
