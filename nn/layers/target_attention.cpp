#include "nn/layers/target_attention.h"

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

namespace {

const char* score_name(TargetAttentionOptions::Score s) {
  switch (s) {
    case TargetAttentionOptions::Score::Dot: return "dot";
    case TargetAttentionOptions::Score::DinMLP: return "din_mlp";
    case TargetAttentionOptions::Score::Additive: return "additive";
    case TargetAttentionOptions::Score::Concat: return "concat";
  }
  return "?";
}

const char* weights_name(TargetAttentionOptions::Weights w) {
  switch (w) {
    case TargetAttentionOptions::Weights::Softmax: return "softmax";
    case TargetAttentionOptions::Weights::Relu: return "relu";
    case TargetAttentionOptions::Weights::Raw: return "raw";
  }
  return "?";
}

}  // namespace

TargetAttention::TargetAttention(int64_t query_dim, int64_t key_dim, TargetAttentionOptions options)
    : dq_(query_dim), dk_(key_dim), dv_(options.value_dim > 0 ? options.value_dim : key_dim), options_(options) {
  check(query_dim > 0 && key_dim > 0 && options.value_dim >= 0 && options.proj_dim >= 0 && options.out_dim >= 0,
        "TargetAttention({}, {}): dimensions must be positive (value_dim {}, proj_dim {}, out_dim {})", query_dim,
        key_dim, options.value_dim, options.proj_dim, options.out_dim);
  check(options.dropout >= 0 && options.dropout < 1, "{}: dropout {} not in [0, 1)", lazy_name(*this), options.dropout);
  check(options.proj_dim == 0 || options.score == Score::Dot, "{}: proj_dim is only used by the Dot score",
        lazy_name(*this));
  const bool needs_same_dims = (options.score == Score::Dot && options.proj_dim == 0) || options.score == Score::DinMLP;
  check(!needs_same_dims || query_dim == key_dim, "{}: the {} score needs query and key widths equal, got {} and {}",
        lazy_name(*this), score_name(options.score), query_dim, key_dim);
  auto weight = [&](const char* name, int64_t in, int64_t out) { return add_param(name, Tensor::empty({in, out})); };
  switch (options.score) {
    case Score::Dot:
      if (options.proj_dim > 0) {
        w_query = weight("w_query", dq_, options.proj_dim);
        w_key = weight("w_key", dk_, options.proj_dim);
        w_value = weight("w_value", dv_, options.proj_dim);
      }
      break;
    case Score::DinMLP: {
      MLP::Sizes sizes{4 * dq_};
      sizes.insert(sizes.end(), options.mlp_hidden.begin(), options.mlp_hidden.end());
      sizes.push_back(1);
      mlp_ = &add<MLP>("mlp", sizes, MLPOptions{.activation = options.mlp_activation, .init_gen = options.init_gen});
      break;
    }
    case Score::Additive:
      check(options.attention_dim > 0, "{}: attention_dim must be positive", lazy_name(*this));
      w_key = weight("w_key", dk_, options.attention_dim);
      w_query = weight("w_query", dq_, options.attention_dim);
      bias = add_param("bias", Tensor::empty({options.attention_dim}));
      v = add_param("v", Tensor::empty({options.attention_dim}));
      break;
    case Score::Concat: w_score = weight("w_score", dq_ + dk_, 1); break;
  }
  const int64_t pooled = options.proj_dim > 0 ? options.proj_dim : dv_;
  if (options.out_dim > 0) w_out = weight("w_out", pooled, options.out_dim);
  check(!options.residual || output_dim() == dq_, "{}: the residual adds the query [B, {}] to an output of width {}",
        lazy_name(*this), dq_, output_dim());
  init_own(options.init_gen);  // the MLP child initialised itself when it was built
}

int64_t TargetAttention::output_dim() const {
  if (options_.out_dim > 0) return options_.out_dim;
  return options_.proj_dim > 0 ? options_.proj_dim : dv_;
}

void TargetAttention::reset_parameters(Generator* gen) {
  if (mlp_) mlp_->reset_parameters(gen);
  init_own(gen);
}

void TargetAttention::init_own(Generator* gen) {
  for (const Tensor& w : {w_query, w_key, w_value, w_score, w_out})
    if (w.defined()) init::xavier_normal_(w, 1.0, gen);
  if (bias.defined()) init::zeros_(bias);
  // v is a [a] -> 1 layer: Xavier-normal with fans (a, 1), as the [1, a] Linear it stands for.
  if (v.defined()) init::normal_(v, 0.0, init::xavier_std(v.size(0), 1), gen);
}

double TargetAttention::dot_scale() const {
  if (!options_.use_scale) return 1.0;
  if (options_.scale > 0) return options_.scale;
  return 1.0 / std::sqrt(static_cast<double>(options_.proj_dim > 0 ? options_.proj_dim : dk_));
}

void TargetAttention::check_inputs(const Tensor& query, const Tensor& keys, const Tensor& mask,
                                   const Tensor& values) const {
  check(query.defined() && query.dim() == 2 && query.size(1) == dq_, "{}: query {} must be [B, {}]", lazy_name(*this),
        lazy_shape(query), dq_);
  check(keys.defined() && keys.dim() == 3 && keys.size(0) == query.size(0) && keys.size(2) == dk_,
        "{}: keys {} must be [B, T, {}] with B = {} (query {})", lazy_name(*this), lazy_shape(keys), dk_,
        query.size(0), query.shape());
  const int64_t b = keys.size(0), t = keys.size(1);
  if (mask.defined())
    check(mask.dim() == 2 && mask.size(0) == b && mask.size(1) == t, "{}: mask {} must be [B, T] = [{},{}]",
          lazy_name(*this), mask.shape(), b, t);
  if (values.defined())
    check(values.dim() == 3 && values.size(0) == b && values.size(1) == t && values.size(2) == dv_,
          "{}: values {} must be [B, T, {}] = [{},{},{}]", lazy_name(*this), values.shape(), dv_, b, t, dv_);
  else
    check(dv_ == dk_, "{}: value_dim {} differs from the key width {}: pass the values", lazy_name(*this), dv_, dk_);
}

Tensor TargetAttention::scores(const Tensor& q, const Tensor& keys) const {
  switch (options_.score) {
    case Score::Dot: {
      // s = K (scale q'), with q' = W_key q_a when projected: K' = K W_key is never formed.
      Tensor qk = q;
      if (w_query.defined()) qk = ops::linear(ops::linear(q, w_query.t()), w_key);
      const double scale = dot_scale();
      if (scale != 1.0) qk = ops::mul(qk, scale);
      return ops::matmul(keys, qk.unsqueeze(-1)).squeeze(-1);
    }
    case Score::DinMLP: {
      // W0 [h, 4d] = [A | B | C | D] over [q ; k ; q - k ; q * k]:
      // W0 x = (A + C) q + (B - C) k + D (q * k), so q's part is computed once per example.
      const Linear& first = mlp_->linear(0);
      const Tensor& w0 = first.weight;
      const int64_t d = dq_;
      Tensor wq = ops::add(w0.narrow(1, 0, d), w0.narrow(1, 2 * d, d));
      Tensor wk = ops::sub(w0.narrow(1, d, d), w0.narrow(1, 2 * d, d));
      Tensor z = ops::add(ops::linear(keys, wk), ops::linear(ops::mul(keys, q.unsqueeze(1)), w0.narrow(1, 3 * d, d)));
      z = ops::add(z, ops::linear(q, wq, first.bias).unsqueeze(1));  // [B, T, h]
      return mlp_->continue_from(0, z).squeeze(-1);
    }
    case Score::Additive: {
      Tensor h = ops::add(ops::linear(keys, w_key.t()), ops::linear(q, w_query.t(), bias).unsqueeze(1));
      return ops::matmul(ops::tanh(h), v);  // [B, T, a] x [a] -> [B, T]
    }
    case Score::Concat: {
      Tensor sk = ops::matmul(keys, w_score.narrow(0, dq_, dk_)).squeeze(-1);  // [B, T]
      Tensor sq = ops::matmul(q, w_score.narrow(0, 0, dq_));                  // [B, 1]
      return ops::relu(ops::add(sk, sq));
    }
  }
  fail("{}: unknown score", lazy_name(*this));
}

Tensor TargetAttention::weigh(const Tensor& s, const Tensor& mask) const {
  switch (options_.weights) {
    case Weights::Softmax: return ops::softmax(s, -1, mask.defined() ? keep_mask(mask) : Tensor());
    case Weights::Relu: {
      Tensor a = ops::relu(s);
      return mask.defined() ? ops::mul(a, weight_mask(mask, s.dtype())) : a;
    }
    case Weights::Raw: return mask.defined() ? ops::mul(s, weight_mask(mask, s.dtype())) : s;
  }
  fail("{}: unknown weighting", lazy_name(*this));
}

Tensor TargetAttention::attention_weights(const Tensor& query, const Tensor& keys, const Tensor& mask) const {
  check_inputs(query, keys, mask, Tensor());
  return scoped_forward([&] { return weigh(scores(query, keys), mask); });
}

Tensor TargetAttention::operator()(const Tensor& query, const Tensor& keys, const Tensor& mask,
                                   const Tensor& values) const {
  check_inputs(query, keys, mask, values);
  ModuleScope scope(*this);
  Tensor a = weigh(scores(query, keys), mask);
  if (options_.dropout > 0) a = ops::dropout(a, options_.dropout, is_training(), options_.dropout_gen);
  // sum_t a_t V_t as one batched product [B, 1, T] x [B, T, dv]; the value projection comes
  // after the sum (linear, so equal to projecting every V_t first).
  Tensor o = ops::matmul(a.unsqueeze(1), values.defined() ? values : keys).squeeze(1);
  if (w_value.defined()) o = ops::linear(o, w_value.t());
  if (w_out.defined()) o = ops::linear(o, w_out.t());
  if (options_.residual) o = ops::add(o, query);
  return scope.output(o);
}

std::string TargetAttention::describe() const {
  return fmt::format("TargetAttention({}, {}, {}/{})", dq_, dk_, score_name(options_.score),
                     weights_name(options_.weights));
}

}  // namespace tg::nn
