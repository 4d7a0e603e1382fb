#include "nn/layers/attention.h"

#include <cmath>

#include <fmt/format.h>

#include "nn/layers/lazy_name.h"

#include "nn/layers/init.h"
#include "nn/layers/mask.h"
#include "ops/activation.h"
#include "ops/elementwise.h"
#include "ops/linalg.h"
#include "ops/nnfunc.h"

namespace tg::nn {

Tensor dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keep, double scale,
                             double dropout, bool training, Generator* gen) {
  const int64_t nk = k.size(-2), dh = q.size(-1);
  // The scale goes on whichever is smaller, q [.., Nq, dh] or the scores [.., Nq, Nk].
  const bool scale_q = scale != 1.0 && dh < nk;
  Tensor scores = ops::matmul(scale_q ? ops::mul(q, scale) : q, k.transpose(-1, -2));
  if (scale != 1.0 && !scale_q) scores = ops::mul(scores, scale);
  Tensor w = ops::softmax(scores, -1, keep);
  if (dropout > 0 && training) w = ops::dropout(w, dropout, true, gen);
  return ops::matmul(w, v);
}

namespace {

// x [B, N, d] and mask [B, N] (or undefined): checks, naming the layer.
void check_set_input(const Tensor& x, const Tensor& mask, int64_t d, LazyName layer) {
  check(x.defined() && x.dim() == 3 && x.size(2) == d, "{}: input {} must be [B, N, {}]", layer,
        lazy_shape(x), d);
  check(is_floating(x.dtype()), "{}: input must be floating, got {}", layer, x.describe());
  if (mask.defined())
    check(mask.dim() == 2 && mask.size(0) == x.size(0) && mask.size(1) == x.size(1),
          "{}: mask {} must be [B, N] = [{},{}] for input {}", layer, mask.shape(), x.size(0), x.size(1), x.shape());
}

// [B, N, H*D] -> [B, H, N, D] (a view)
Tensor split_heads(const Tensor& t, int64_t heads) {
  const int64_t b = t.size(0), n = t.size(1), hd = t.size(2);
  return t.view({b, n, heads, hd / heads}).permute({0, 2, 1, 3});
}

// [B, H, N, D] -> [B, N, H*D] (one copy)
Tensor merge_heads(const Tensor& t) {
  const int64_t b = t.size(0), h = t.size(1), n = t.size(2), d = t.size(3);
  return t.permute({0, 2, 1, 3}).reshape({b, n, h * d});
}

// The key-padding mask [B, N] as a keep-mask broadcasting over heads and queries.
Tensor key_keep(const Tensor& mask) {
  if (!mask.defined()) return Tensor();
  return keep_mask(mask).reshape({mask.size(0), 1, 1, mask.size(1)});
}

}  // namespace

// ---- MultiHeadSelfAttention -----------------------------------------------------------------

MultiHeadSelfAttention::MultiHeadSelfAttention(int64_t input_dim, MultiHeadSelfAttentionOptions options)
    : input_dim_(input_dim), options_(options) {
  check(input_dim > 0 && options.heads > 0 && options.head_dim > 0,
        "MultiHeadSelfAttention: input_dim {}, heads {} and head_dim {} must be positive", input_dim, options.heads,
        options.head_dim);
  check(options.use_attention || options.use_residual,
        "MultiHeadSelfAttention: use_attention and use_residual cannot both be off (nothing would be computed)");
  check(options.attn_dropout >= 0 && options.attn_dropout < 1, "MultiHeadSelfAttention: attn_dropout {} not in [0, 1)",
        options.attn_dropout);
  const int64_t out = output_dim();
  auto weight = [&](const char* name) { return add_param(name, Tensor::empty({input_dim, out})); };
  auto bias = [&](const char* name) { return options.qkv_bias ? add_param(name, Tensor::empty({out})) : Tensor(); };
  if (options.use_attention) {
    w_query = weight("w_query");
    w_key = weight("w_key");
    w_value = weight("w_value");
    b_query = bias("b_query");
    b_key = bias("b_key");
    b_value = bias("b_value");
  }
  if (options.use_residual) {
    w_res = weight("w_res");
    b_res = bias("b_res");
  }
  if (options.layer_norm)
    layer_norm_ = &add<LayerNorm>("layer_norm", out, LayerNormOptions{.eps = options.layer_norm_eps});
  reset_parameters(options.init_gen);
}

void MultiHeadSelfAttention::reset_parameters(Generator* gen) {
  for (const Tensor& w : {w_query, w_key, w_value, w_res})
    if (w.defined()) init::xavier_normal_(w, 1.0, gen);
  for (const Tensor& b : {b_query, b_key, b_value, b_res})
    if (b.defined()) init::zeros_(b);
}

Tensor MultiHeadSelfAttention::operator()(const Tensor& x, const Tensor& mask) const {
  check_set_input(x, mask, input_dim_, lazy_name(*this));
  ModuleScope scope(*this);
  // Projections read W [d_in, H*d'] through its transpose view: ops::linear's GEMM takes it
  // as is, and the batch and set dims fold into GEMM rows.
  auto project = [&](const Tensor& w, const Tensor& b) {
    Tensor y = ops::linear(x, w.t(), b);
    return options_.qkv_relu ? ops::relu(y) : y;
  };
  Tensor out;
  if (options_.use_attention) {
    const int64_t h = options_.heads;
    const double scale = options_.use_scale ? 1.0 / std::sqrt(static_cast<double>(options_.head_dim)) : 1.0;
    Tensor ctx = dot_product_attention(split_heads(project(w_query, b_query), h), split_heads(project(w_key, b_key), h),
                                       split_heads(project(w_value, b_value), h), key_keep(mask), scale,
                                       options_.attn_dropout, is_training(), options_.dropout_gen);
    out = merge_heads(ctx);
  }
  if (options_.use_residual) {
    Tensor res = project(w_res, b_res);
    out = out.defined() ? ops::add(out, res) : res;
  }
  if (options_.relu) out = ops::relu(out);
  if (layer_norm_) out = (*layer_norm_)(out);
  return scope.output(out);
}

std::string MultiHeadSelfAttention::describe() const {
  return fmt::format("MultiHeadSelfAttention({} -> {}x{}{}{})", input_dim_, options_.heads, options_.head_dim,
                     options_.use_attention ? "" : ", no attention", options_.use_residual ? "" : ", no residual");
}

// ---- TransformerSelfAttention ---------------------------------------------------------------

TransformerSelfAttention::TransformerSelfAttention(int64_t dim, TransformerSelfAttentionOptions options)
    : dim_(dim), head_dim_(0), options_(options) {
  const int64_t h = options.heads;
  check(dim > 0 && h > 0 && options.head_dim >= 0 && options.out_dim >= 0,
        "TransformerSelfAttention({}): dim, heads ({}), head_dim ({}) and out_dim ({}) must be positive", dim, h,
        options.head_dim, options.out_dim);
  check(options.head_dim > 0 || dim % h == 0,
        "TransformerSelfAttention({}): dim is not divisible by {} heads; give head_dim", dim, h);
  check(!options.split_input || dim % h == 0,
        "TransformerSelfAttention({}): split_input needs dim divisible by the {} heads", dim, h);
  check(options.dropout >= 0 && options.dropout < 1, "TransformerSelfAttention({}): dropout {} not in [0, 1)", dim,
        options.dropout);
  check(options.out_proj || options.out_dim == 0,
        "TransformerSelfAttention({}): out_dim needs out_proj (the output width is heads * head_dim without it)", dim);
  head_dim_ = options.head_dim > 0 ? options.head_dim : dim / h;
  const int64_t inner = h * head_dim_;
  const Shape w_shape = options.split_input ? Shape{h, dim / h, head_dim_} : Shape{dim, inner};
  const Shape b_shape = options.split_input ? Shape{h, head_dim_} : Shape{inner};
  w_query = add_param("w_query", Tensor::empty(w_shape));
  w_key = add_param("w_key", Tensor::empty(w_shape));
  w_value = add_param("w_value", Tensor::empty(w_shape));
  if (options.bias) {
    b_query = add_param("b_query", Tensor::empty(b_shape));
    b_key = add_param("b_key", Tensor::empty(b_shape));
    b_value = add_param("b_value", Tensor::empty(b_shape));
  }
  if (options.out_proj) {
    const int64_t out = options.out_dim > 0 ? options.out_dim : dim;
    w_out = add_param("w_out", Tensor::empty({inner, out}));
    if (options.bias) b_out = add_param("b_out", Tensor::empty({out}));
  }
  reset_parameters(options.init_gen);
}

int64_t TransformerSelfAttention::output_dim() const {
  return options_.out_proj ? w_out.size(1) : options_.heads * head_dim_;
}

void TransformerSelfAttention::reset_parameters(Generator* gen) {
  for (const Tensor& w : {w_query, w_key, w_value}) {
    if (options_.split_input)  // each head is its own [d/H, head_dim] layer
      init::normal_(w, 0.0, init::xavier_std(dim_ / options_.heads, head_dim_), gen);
    else
      init::xavier_normal_(w, 1.0, gen);
  }
  if (w_out.defined()) init::xavier_normal_(w_out, 1.0, gen);
  for (const Tensor& b : {b_query, b_key, b_value, b_out})
    if (b.defined()) init::zeros_(b);
}

Tensor TransformerSelfAttention::operator()(const Tensor& x, const Tensor& mask) const {
  check_set_input(x, mask, dim_, lazy_name(*this));
  ModuleScope scope(*this);
  const int64_t b = x.size(0), t = x.size(1), h = options_.heads;
  auto project = [&](const Tensor& w, const Tensor& bias) -> Tensor {  // -> [B, H, T, head_dim]
    if (!options_.split_input) return split_heads(ops::linear(x, w.t(), bias), h);
    // Head h reads columns h*d/H .. of x: x viewed [H, B*T, d/H] (no copy for a contiguous
    // x), one batched product with w [H, d/H, head_dim].
    Tensor xs = x.reshape({b * t, h, dim_ / h}).permute({1, 0, 2});
    Tensor y = ops::matmul(xs, w);  // [H, B*T, head_dim]
    if (bias.defined()) y = ops::add(y, bias.unsqueeze(1));
    return y.view({h, b, t, head_dim_}).permute({1, 0, 2, 3});
  };
  double scale = 1.0;
  switch (options_.scale) {
    case Scale::HeadDim: scale = 1.0 / std::sqrt(static_cast<double>(head_dim_)); break;
    case Scale::SeqLen: scale = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(t, 1))); break;
    case Scale::None: scale = 1.0; break;
    case Scale::Value: scale = options_.scale_value; break;
  }
  Tensor ctx = dot_product_attention(project(w_query, b_query), project(w_key, b_key), project(w_value, b_value),
                                     key_keep(mask), scale, options_.dropout, is_training(), options_.dropout_gen);
  Tensor out = merge_heads(ctx);
  return scope.output(options_.out_proj ? ops::linear(out, w_out.t(), b_out) : out);
}

std::string TransformerSelfAttention::describe() const {
  return fmt::format("TransformerSelfAttention({}, {} heads of {}{})", dim_, options_.heads, head_dim_,
                     options_.split_input ? ", split input" : "");
}

}  // namespace tg::nn
