// TargetAttention: every score/weights mode against an explicit loop (or the unfused
// formula), QIN's ASTA / DIN / EAIN / DUMN configurations and their parameter names, fully
// padded sequences (zeros, finite gradients), dropout modes, float64 gradchecks, errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/nn/layers/helpers.h"

using namespace tg;
using namespace layer_test;
using tg::testing::input;
using tg::testing::max_abs_diff;
using Score = nn::TargetAttention::Score;
using Weights = nn::TargetAttention::Weights;

namespace {

using Vec = std::vector<double>;
constexpr int64_t B = 3, T = 4;

// Example 0 partly padded, example 1 one valid item, example 2 fully padded.
Tensor test_mask() { return from_vector(std::vector<int64_t>{1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0}, {B, T}); }

// Masked softmax (or relu * mask, or raw * mask) of scores s [B, T], by loops.
Vec weigh(const Vec& s, const Vec& m, Weights w) {
  Vec a(s.size(), 0.0);
  for (int64_t b = 0; b < B; ++b) {
    if (w != Weights::Softmax) {
      for (int64_t t = 0; t < T; ++t)
        a[b * T + t] = m[b * T + t] * (w == Weights::Relu ? std::max(s[b * T + t], 0.0) : s[b * T + t]);
      continue;
    }
    double mx = -1e300, z = 0;
    for (int64_t t = 0; t < T; ++t)
      if (m[b * T + t] != 0) mx = std::max(mx, s[b * T + t]);
    for (int64_t t = 0; t < T; ++t)
      if (m[b * T + t] != 0) z += std::exp(s[b * T + t] - mx);
    for (int64_t t = 0; t < T; ++t)
      if (m[b * T + t] != 0) a[b * T + t] = std::exp(s[b * T + t] - mx) / z;
  }
  return a;
}

// o[b] = sum_t a[b, t] V[b, t, :]
Vec pool(const Vec& a, const Vec& v, int64_t dv) {
  Vec o(static_cast<size_t>(B * dv), 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t c = 0; c < dv; ++c) o[b * dv + c] += a[b * T + t] * v[(b * T + t) * dv + c];
  return o;
}

// x [rows, d] W [d, m]
Vec mm(const Vec& x, int64_t rows, int64_t d, const Vec& w, int64_t m) {
  Vec y(static_cast<size_t>(rows * m), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < d; ++k)
      for (int64_t j = 0; j < m; ++j) y[r * m + j] += x[r * d + k] * w[k * m + j];
  return y;
}

}  // namespace

TEST_CASE("TargetAttention: parameter names of the four models' configurations") {
  // QIN's ASTA (PROTOCOL.md: I = 32, d_a = 64, W_o 64 -> 32, no bias)
  nn::TargetAttention asta(32, 32, {.weights = Weights::Relu, .proj_dim = 64, .out_dim = 32, .residual = true});
  CHECK(param_names(asta) ==
        std::vector<std::string>{"w_query [32,64]", "w_key [32,64]", "w_value [32,64]", "w_out [64,32]"});
  CHECK(asta.num_parameters() == 3 * 32 * 64 + 64 * 32);
  CHECK(asta.describe() == "TargetAttention(32, 32, dot/relu)");
  // DIN's activation unit: Linear(128 -> 36), PReLU, Linear(36 -> 1)
  nn::TargetAttention din(32, 32, {.score = Score::DinMLP, .weights = Weights::Raw});
  CHECK(param_names(din) == std::vector<std::string>{"mlp.0.weight [36,128]", "mlp.0.bias [36]", "mlp.1.weight [1,36]",
                                                     "mlp.1.bias [1]", "mlp.prelus.0.weight [1]"});
  CHECK(din.num_parameters() == 4682);
  // EAIN's additive attention, a = 64
  nn::TargetAttention eain(32, 32, {.score = Score::Additive});
  CHECK(param_names(eain) ==
        std::vector<std::string>{"w_key [32,64]", "w_query [32,64]", "bias [64]", "v [64]"});
  // DUMN: alpha_j = relu([e_user ; e_item ; o_j] W_x), W_x [144, 1]
  nn::TargetAttention dumn(128, 16, {.score = Score::Concat});
  CHECK(param_names(dumn) == std::vector<std::string>{"w_score [144,1]"});
  CHECK(dumn(randn({2, 128}), randn({2, 5, 16}), ones({2, 5})).shape() == Shape{2, 16});
  CHECK(asta(randn({2, 32}), randn({2, 5, 32})).shape() == Shape{2, 32});
}

TEST_CASE("TargetAttention: Dot scores with softmax / relu / raw weights against loops") {
  const int64_t d = 3;
  Tensor q = input({B, d}, 1), k = input({B, T, d}, 2), m = test_mask();
  const Vec qv = q.to_vector(), kv = k.to_vector(), mv = m.to(kFloat64).to_vector();
  for (Weights w : {Weights::Softmax, Weights::Relu, Weights::Raw})
    for (bool scaled : {true, false}) {
      nn::TargetAttention att(d, d, {.weights = w, .use_scale = scaled});
      Vec s(static_cast<size_t>(B * T));
      for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < T; ++t) {
          double dot = 0;
          for (int64_t c = 0; c < d; ++c) dot += qv[b * d + c] * kv[(b * T + t) * d + c];
          s[b * T + t] = dot * (scaled ? 1 / std::sqrt(3.0) : 1.0);
        }
      Vec a = weigh(s, mv, w);
      CHECK(near(att.attention_weights(q, k, m).to_vector(), a, 1e-12));
      Tensor o = att(q, k, m);
      CHECK(near(o.to_vector(), pool(a, kv, d), 1e-12));
      CHECK(o.select(0, 2).to_vector() == Vec(d, 0.0));  // fully padded: zeros
    }
  // softmax weights of a partly padded row sum to 1, padded positions are exactly 0
  nn::TargetAttention att(d, d);
  Vec a = att.attention_weights(q, k, m).to_vector();
  CHECK(a[0] + a[1] + a[3] == doctest::Approx(1.0));
  CHECK(a[2] == 0.0);
  CHECK(a[5] == doctest::Approx(1.0));
  // no mask: every position counts
  Vec all = att.attention_weights(q, k).to_vector();
  CHECK(all[8] + all[9] + all[10] + all[11] == doctest::Approx(1.0));
}

TEST_CASE("TargetAttention: QIN's ASTA equals the unfused formula o = relu(s * m) (K Wv) Wo + x_t") {
  const int64_t d = 3, da = 5;
  for (Weights w : {Weights::Relu, Weights::Softmax}) {
    nn::TargetAttention att(d, d, {.weights = w, .proj_dim = da, .out_dim = d, .residual = true});
    nn::to_dtype(att, kFloat64);
    Tensor q = input({B, d}, 3), k = input({B, T, d}, 4), m = test_mask();
    // K' = K W_key and V' = K W_value formed explicitly, as the reference code does
    Vec qp = mm(q.to_vector(), B, d, att.w_query.to_vector(), da);
    Vec kp = mm(k.to_vector(), B * T, d, att.w_key.to_vector(), da);
    Vec vp = mm(k.to_vector(), B * T, d, att.w_value.to_vector(), da);
    Vec s(static_cast<size_t>(B * T));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t) {
        double dot = 0;
        for (int64_t c = 0; c < da; ++c) dot += qp[b * da + c] * kp[(b * T + t) * da + c];
        s[b * T + t] = dot / std::sqrt(double(da));
      }
    Vec a = weigh(s, m.to(kFloat64).to_vector(), w);
    Vec o = mm(pool(a, vp, da), B, da, att.w_out.to_vector(), d);
    Vec qv = q.to_vector();
    for (size_t i = 0; i < o.size(); ++i) o[i] += qv[i];
    Tensor y = att(q, k, m);
    CHECK(near(y.to_vector(), o, 1e-12));
    CHECK(near(y.select(0, 2).to_vector(), q.select(0, 2).to_vector(), 0));  // padded: just x_t
  }
}

TEST_CASE("TargetAttention: DIN unit equals MLP([q ; k ; q - k ; q * k]) with scores times the mask") {
  const int64_t d = 3;
  nn::TargetAttention att(d, d, {.score = Score::DinMLP, .weights = Weights::Raw, .mlp_hidden = {5, 4}});
  nn::to_dtype(att, kFloat64);
  for (const Tensor& p : att.parameters()) randomize(p, 6);
  Tensor q = input({B, d}, 5), k = input({B, T, d}, 6), m = test_mask();
  Tensor qe = q.unsqueeze(1).expand({B, T, d});
  Tensor s = (*att.mlp())(ops::concat({qe, k, ops::sub(qe, k), ops::mul(qe, k)}, -1)).squeeze(-1);
  Vec a = weigh(s.to_vector(), m.to(kFloat64).to_vector(), Weights::Raw);
  CHECK(near(att.attention_weights(q, k, m).to_vector(), a, 1e-12));
  CHECK(near(att(q, k, m).to_vector(), pool(a, k.to_vector(), d), 1e-12));
}

TEST_CASE("TargetAttention: additive (EAIN) with separate values, and concat (DUMN), against loops") {
  const int64_t dq = 2, dk = 3, dv = 2, na = 4;
  Tensor q = input({B, dq}, 7), k = input({B, T, dk}, 8), vals = input({B, T, dv}, 9), m = test_mask();
  const Vec qv = q.to_vector(), kv = k.to_vector(), mv = m.to(kFloat64).to_vector();
  {
    nn::TargetAttention att(dq, dk, {.score = Score::Additive, .attention_dim = na, .value_dim = dv});
    nn::to_dtype(att, kFloat64);
    randomize(att.bias, 10);
    const Vec wk = att.w_key.to_vector(), wq = att.w_query.to_vector(), bias = att.bias.to_vector(),
              v = att.v.to_vector();
    Vec s(static_cast<size_t>(B * T), 0.0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t j = 0; j < na; ++j) {
          double h = bias[j];
          for (int64_t i = 0; i < dk; ++i) h += kv[(b * T + t) * dk + i] * wk[i * na + j];
          for (int64_t i = 0; i < dq; ++i) h += qv[b * dq + i] * wq[i * na + j];
          s[b * T + t] += v[j] * std::tanh(h);
        }
    Vec a = weigh(s, mv, Weights::Softmax);
    Tensor y = att(q, k, m, vals);
    CHECK(y.shape() == Shape{B, dv});
    CHECK(near(y.to_vector(), pool(a, vals.to_vector(), dv), 1e-12));
    CHECK(y.select(0, 2).to_vector() == Vec(dv, 0.0));
  }
  {
    nn::TargetAttention att(dq, dk, {.score = Score::Concat});
    nn::to_dtype(att, kFloat64);
    const Vec w = att.w_score.to_vector();
    Vec s(static_cast<size_t>(B * T), 0.0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t) {
        double z = 0;
        for (int64_t i = 0; i < dq; ++i) z += qv[b * dq + i] * w[i];
        for (int64_t i = 0; i < dk; ++i) z += kv[(b * T + t) * dk + i] * w[dq + i];
        s[b * T + t] = std::max(z, 0.0);
      }
    Vec a = weigh(s, mv, Weights::Softmax);
    CHECK(near(att(q, k, m).to_vector(), pool(a, kv, dk), 1e-12));
  }
}

TEST_CASE("TargetAttention: float64 gradchecks of every mode; a fully padded sequence has finite gradients") {
  const int64_t d = 3;
  Tensor q = input({B, d}, 11), k = input({B, T, d}, 12), vals = input({B, T, 2}, 13), m = test_mask();
  std::vector<nn::TargetAttentionOptions> configs{
      {.weights = Weights::Softmax},
      {.weights = Weights::Relu, .proj_dim = 4, .out_dim = d, .residual = true},
      {.weights = Weights::Softmax, .proj_dim = 4, .out_dim = 2},
      {.score = Score::DinMLP, .weights = Weights::Raw, .mlp_hidden = {4}},
      {.score = Score::DinMLP, .weights = Weights::Softmax, .mlp_hidden = {}},
      {.score = Score::Additive, .attention_dim = 4},
      {.score = Score::Concat}};
  for (size_t i = 0; i < configs.size(); ++i) {
    CAPTURE(i);
    nn::TargetAttention att(d, d, configs[i]);
    CHECK(gradcheck_layer(att, {q, k}, [&](const TensorList& in) { return att(in[0], in[1], m); }));
    q.zero_grad();
    k.zero_grad();
    Tensor y = att(q, k, m);
    CHECK(all_finite(y));
    ops::sum(y).backward();
    CHECK(all_finite(q.grad()));
    CHECK(all_finite(k.grad()));
    q.zero_grad();
    k.zero_grad();
  }
  nn::TargetAttention additive(d, d, {.score = Score::Additive, .attention_dim = 4, .value_dim = 2});
  CHECK(gradcheck_layer(additive, {q, k, vals},
                        [&](const TensorList& in) { return additive(in[0], in[1], m, in[2]); }));
}

TEST_CASE("TargetAttention: weight dropout in training only; errors name the layer and shapes") {
  Generator gen(5);
  nn::TargetAttention att(4, 4, {.weights = Weights::Relu, .dropout = 0.5, .dropout_gen = &gen});
  Tensor q = randn({2, 4}), k = randn({2, 6, 4});
  CHECK(att(q, k).to_vector() != att(q, k).to_vector());
  att.eval();
  CHECK(att(q, k).to_vector() == att(q, k).to_vector());
  CHECK_THROWS_WITH_AS(att(randn({2, 3}), k), doctest::Contains("TargetAttention(4, 4, dot/relu): query [2,3]"), Error);
  CHECK_THROWS_WITH_AS(att(q, randn({3, 6, 4})), doctest::Contains("keys [3,6,4] must be [B, T, 4] with B = 2"), Error);
  CHECK_THROWS_WITH_AS(att(q, k, ones({2, 5})), doctest::Contains("mask [2,5]"), Error);
  CHECK_THROWS_WITH_AS(att(q, k, Tensor(), randn({2, 6, 3})), doctest::Contains("values [2,6,3]"), Error);
  nn::TargetAttention sep(4, 4, {.value_dim = 3});
  CHECK_THROWS_WITH_AS(sep(q, k), doctest::Contains("pass the values"), Error);
  CHECK_THROWS_WITH_AS(nn::TargetAttention(4, 3), doctest::Contains("query and key widths equal"), Error);
  CHECK_THROWS_WITH_AS(nn::TargetAttention(4, 4, {.proj_dim = 8, .residual = true}),
                       doctest::Contains("residual"), Error);
  CHECK_THROWS_WITH_AS(nn::TargetAttention(4, 4, {.score = Score::Additive, .proj_dim = 8}),
                       doctest::Contains("proj_dim is only used by the Dot score"), Error);
}
