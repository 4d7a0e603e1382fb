// MultiHeadSelfAttention (AutoInt/IARM form) and TransformerSelfAttention (standard and DUMN's
// split-input form): shapes, parameter names, values against explicit loops, masks with fully
// padded rows, dropout modes, float64 gradchecks, errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/nn/layers/helpers.h"

using namespace tg;
using namespace layer_test;
using tg::testing::input;
using tg::testing::max_abs_diff;

namespace {

using Vec = std::vector<double>;

// y[r, :] = x[r, :] W for rows r of a [rows, d] block; W [d, m] row-major.
Vec project(const Vec& x, int64_t rows, int64_t d, const Vec& w, int64_t m, int64_t x_stride = -1,
            int64_t x_offset = 0) {
  if (x_stride < 0) x_stride = d;
  Vec y(static_cast<size_t>(rows * m), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < m; ++j) {
      double s = 0;
      for (int64_t k = 0; k < d; ++k) s += x[r * x_stride + x_offset + k] * w[k * m + j];
      y[r * m + j] = s;
    }
  return y;
}

// Multi-head attention by loops: q, k, v [B, N, H*D] (head h = columns h*D..), mask [B, N]
// (empty = all valid) -> context [B, N, H*D].
Vec naive_attention(const Vec& q, const Vec& k, const Vec& v, const Vec& mask, int64_t b_, int64_t n, int64_t h_,
                    int64_t d, double scale) {
  const int64_t hd = h_ * d;
  Vec out(static_cast<size_t>(b_ * n * hd), 0.0);
  for (int64_t b = 0; b < b_; ++b)
    for (int64_t h = 0; h < h_; ++h)
      for (int64_t i = 0; i < n; ++i) {
        Vec s(static_cast<size_t>(n));
        double mx = -1e300;
        bool any = false;
        for (int64_t j = 0; j < n; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < d; ++c) dot += q[(b * n + i) * hd + h * d + c] * k[(b * n + j) * hd + h * d + c];
          s[j] = dot * scale;
          bool valid = mask.empty() || mask[b * n + j] != 0;
          if (valid) {
            mx = std::max(mx, s[j]);
            any = true;
          }
        }
        if (!any) continue;  // zero context
        double z = 0;
        for (int64_t j = 0; j < n; ++j) {
          bool valid = mask.empty() || mask[b * n + j] != 0;
          s[j] = valid ? std::exp(s[j] - mx) : 0.0;
          z += s[j];
        }
        for (int64_t j = 0; j < n; ++j)
          for (int64_t c = 0; c < d; ++c)
            out[(b * n + i) * hd + h * d + c] += s[j] / z * v[(b * n + j) * hd + h * d + c];
      }
  return out;
}

}  // namespace

// ---- MultiHeadSelfAttention ----------------------------------------------------------------------

TEST_CASE("MultiHeadSelfAttention: names and shapes of every switch") {
  nn::MultiHeadSelfAttention att(16);  // IARM defaults: 2 heads of 32
  CHECK(param_names(att) ==
        std::vector<std::string>{"w_query [16,64]", "w_key [16,64]", "w_value [16,64]", "w_res [16,64]"});
  CHECK(att.output_dim() == 64);
  CHECK(att(randn({3, 7, 16})).shape() == Shape{3, 7, 64});
  CHECK(att.describe() == "MultiHeadSelfAttention(16 -> 2x32)");
  nn::MultiHeadSelfAttention autoint_code(8, {.heads = 2, .head_dim = 4, .use_scale = true, .qkv_relu = true,
                                               .qkv_bias = true, .attn_dropout = 0.4, .layer_norm = true});
  CHECK(param_names(autoint_code) ==
        std::vector<std::string>{"w_query [8,8]", "w_key [8,8]", "w_value [8,8]", "b_query [8]", "b_key [8]",
                                 "b_value [8]", "w_res [8,8]", "b_res [8]", "layer_norm.weight [8]",
                                 "layer_norm.bias [8]"});
  nn::MultiHeadSelfAttention no_res(8, {.heads = 1, .head_dim = 4, .use_residual = false});
  CHECK(param_names(no_res) == std::vector<std::string>{"w_query [8,4]", "w_key [8,4]", "w_value [8,4]"});
  nn::MultiHeadSelfAttention irm(8, {.heads = 1, .head_dim = 4, .use_attention = false});
  CHECK(param_names(irm) == std::vector<std::string>{"w_res [8,4]"});
  // AutoInt (PROTOCOL.md): 3 layers of 2 x 32 on d = 16 -> 64 -> 64
  nn::MultiHeadSelfAttention l1(16), l2(64);
  CHECK(l1.num_parameters() + 2 * l2.num_parameters() == 4 * 16 * 64 + 2 * 4 * 64 * 64);
}

TEST_CASE("MultiHeadSelfAttention: values against explicit loops, with a mask and a fully padded row") {
  const int64_t b = 3, n = 4, d = 5, h = 2, dh = 3;
  for (bool scale : {false, true}) {
    nn::MultiHeadSelfAttention att(d, {.heads = h, .head_dim = dh, .use_scale = scale});
    nn::to_dtype(att, kFloat64);
    Tensor x = input({b, n, d}, 3);
    Tensor mask = from_vector(std::vector<int64_t>{1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0}, {b, n});
    const Vec xv = x.to_vector(), mv = mask.to(kFloat64).to_vector();
    const int64_t hd = h * dh;
    Vec q = project(xv, b * n, d, att.w_query.to_vector(), hd), k = project(xv, b * n, d, att.w_key.to_vector(), hd),
        v = project(xv, b * n, d, att.w_value.to_vector(), hd), res = project(xv, b * n, d, att.w_res.to_vector(), hd);
    Vec ctx = naive_attention(q, k, v, mv, b, n, h, dh, scale ? 1 / std::sqrt(double(dh)) : 1.0);
    Vec want(ctx.size());
    for (size_t i = 0; i < ctx.size(); ++i) want[i] = std::max(ctx[i] + res[i], 0.0);
    CHECK(near(att(x, mask).to_vector(), want, 1e-12));
    // the fully padded example (b = 1) is relu(x W_res): no NaN
    Tensor y = att(x, mask);
    CHECK(all_finite(y));
    Vec y1 = y.select(0, 1).to_vector();
    CHECK(near(y1, Vec(want.begin() + n * hd, want.begin() + 2 * n * hd), 1e-12));
    // without a mask every key counts
    Vec ctx_all = naive_attention(q, k, v, {}, b, n, h, dh, scale ? 1 / std::sqrt(double(dh)) : 1.0);
    for (size_t i = 0; i < ctx.size(); ++i) want[i] = std::max(ctx_all[i] + res[i], 0.0);
    CHECK(near(att(x).to_vector(), want, 1e-12));
  }
}

TEST_CASE("MultiHeadSelfAttention: switches (IARM-, IRM, no final relu, layer norm)") {
  const int64_t b = 2, n = 3, d = 4;
  Tensor x = input({b, n, d}, 5);
  nn::MultiHeadSelfAttention no_res(d, {.heads = 2, .head_dim = 2, .use_residual = false, .relu = false});
  nn::to_dtype(no_res, kFloat64);
  Vec xv = x.to_vector();
  Vec q = project(xv, b * n, d, no_res.w_query.to_vector(), 4), k = project(xv, b * n, d, no_res.w_key.to_vector(), 4),
      v = project(xv, b * n, d, no_res.w_value.to_vector(), 4);
  CHECK(near(no_res(x).to_vector(), naive_attention(q, k, v, {}, b, n, 2, 2, 1.0), 1e-12));
  nn::MultiHeadSelfAttention irm(d, {.heads = 2, .head_dim = 2, .use_attention = false});
  nn::to_dtype(irm, kFloat64);
  CHECK(max_abs_diff(irm(x), ops::relu(ops::matmul(x, irm.w_res))) < 1e-12);
  nn::MultiHeadSelfAttention ln(d, {.heads = 2, .head_dim = 2, .layer_norm = true});
  nn::to_dtype(ln, kFloat64);
  nn::MultiHeadSelfAttention ln_off(d, {.heads = 2, .head_dim = 2});  // same weights, no layer norm
  nn::to_dtype(ln_off, kFloat64);
  for (const char* name : {"w_query", "w_key", "w_value", "w_res"}) {
    Tensor src = ln.state_dict().at(name);
    set_values(ln_off.state_dict().at(name), src.to_vector());
  }
  CHECK(max_abs_diff(ln(x), ops::layer_norm(ln_off(x), Shape{4}, Tensor(), Tensor(), 1e-8)) < 1e-9);
}

TEST_CASE("MultiHeadSelfAttention: float64 gradchecks through x and every parameter, finite gradients") {
  Tensor x = input({2, 3, 4}, 8);
  Tensor mask = from_vector(std::vector<double>{1, 1, 0, 0, 0, 0}, {2, 3});
  nn::MultiHeadSelfAttention att(4, {.heads = 2, .head_dim = 3, .use_scale = true});
  CHECK(gradcheck_layer(att, {x}, [&](const TensorList& in) { return att(in[0], mask); }));
  nn::MultiHeadSelfAttention code(4, {.heads = 2, .head_dim = 2, .qkv_relu = true, .qkv_bias = true,
                                      .layer_norm = true, .layer_norm_eps = 1e-5});
  for (const auto& p : code.named_parameters())
    if (p.name[0] == 'b') randomize(p.value, 31, 0.1, 0.5);
  CHECK(gradcheck_layer(code, {x}, [&](const TensorList& in) { return code(in[0], mask); }));
  // fully padded example: finite gradients everywhere
  x.zero_grad();
  ops::sum(att(x, mask)).backward();
  CHECK(all_finite(x.grad()));
  CHECK(all_finite(att.w_query.grad()));
}

TEST_CASE("MultiHeadSelfAttention: attention dropout only in training; errors") {
  Generator gen(3);
  nn::MultiHeadSelfAttention att(4, {.heads = 2, .head_dim = 2, .attn_dropout = 0.5, .dropout_gen = &gen});
  Tensor x = randn({2, 5, 4});
  Tensor a = att(x), b = att(x);
  CHECK(a.to_vector() != b.to_vector());
  att.eval();
  CHECK(att(x).to_vector() == att(x).to_vector());
  CHECK_THROWS_WITH_AS(att(zeros({2, 5, 3})), doctest::Contains("MultiHeadSelfAttention(4 -> 2x2): input [2,5,3]"),
                       Error);
  CHECK_THROWS_WITH_AS(att(zeros({5, 4})), doctest::Contains("input [5,4] must be [B, N, 4]"), Error);
  CHECK_THROWS_WITH_AS(att(x, ones({2, 4})), doctest::Contains("mask [2,4]"), Error);
  CHECK_THROWS_WITH_AS(nn::MultiHeadSelfAttention(4, {.use_attention = false, .use_residual = false}),
                       doctest::Contains("cannot both be off"), Error);
}

// ---- TransformerSelfAttention -------------------------------------------------------------------------

TEST_CASE("TransformerSelfAttention: names and shapes (standard and DUMN's split form)") {
  nn::TransformerSelfAttention std_att(16, {.heads = 2});
  CHECK(param_names(std_att) ==
        std::vector<std::string>{"w_query [16,16]", "w_key [16,16]", "w_value [16,16]", "w_out [16,16]"});
  CHECK(std_att(randn({3, 5, 16})).shape() == Shape{3, 5, 16});
  nn::TransformerSelfAttention dumn(
      16, {.heads = 2, .split_input = true, .scale = nn::TransformerSelfAttention::Scale::SeqLen});
  CHECK(param_names(dumn) ==
        std::vector<std::string>{"w_query [2,8,8]", "w_key [2,8,8]", "w_value [2,8,8]", "w_out [16,16]"});
  CHECK(dumn.num_parameters() == 640);  // PROTOCOL.md's DUMN MHSA: 3 * 2 * 8 * 8 + 16 * 16
  CHECK(dumn.describe() == "TransformerSelfAttention(16, 2 heads of 8, split input)");
  nn::TransformerSelfAttention biased(6, {.heads = 3, .head_dim = 4, .bias = true, .out_dim = 5});
  CHECK(param_names(biased) == std::vector<std::string>{"w_query [6,12]", "w_key [6,12]", "w_value [6,12]",
                                                        "b_query [12]", "b_key [12]", "b_value [12]",
                                                        "w_out [12,5]", "b_out [5]"});
  CHECK(biased(randn({2, 4, 6})).shape() == Shape{2, 4, 5});
  nn::TransformerSelfAttention bare(6, {.heads = 2, .out_proj = false});
  CHECK(bare(randn({2, 4, 6})).shape() == Shape{2, 4, 6});
  CHECK(bare.output_dim() == 6);
}

TEST_CASE("TransformerSelfAttention: values against explicit loops, each scale, split and standard") {
  using Scale = nn::TransformerSelfAttention::Scale;
  const int64_t b = 2, t = 3, d = 4, h = 2;
  Tensor x = input({b, t, d}, 12);
  Tensor mask = from_vector(std::vector<double>{0, 1, 1, 0, 0, 0}, {b, t});
  const Vec xv = x.to_vector(), mv = mask.to_vector();
  for (bool split : {false, true})
    for (Scale scale : {Scale::HeadDim, Scale::SeqLen, Scale::None, Scale::Value}) {
      CAPTURE(split);
      CAPTURE(static_cast<int>(scale));
      nn::TransformerSelfAttention att(d, {.heads = h, .split_input = split, .scale = scale, .scale_value = 0.7});
      nn::to_dtype(att, kFloat64);
      const int64_t dh = d / h;
      Vec q, k, v;
      if (!split) {
        q = project(xv, b * t, d, att.w_query.to_vector(), d);
        k = project(xv, b * t, d, att.w_key.to_vector(), d);
        v = project(xv, b * t, d, att.w_value.to_vector(), d);
      } else {  // head hh: x[..., hh*dh : (hh+1)*dh] W[hh]
        q = k = v = Vec(static_cast<size_t>(b * t * d));
        for (int64_t hh = 0; hh < h; ++hh) {
          auto slab = [&](const Tensor& w) { return w.select(0, hh).to_vector(); };
          Vec qh = project(xv, b * t, dh, slab(att.w_query), dh, d, hh * dh),
              kh = project(xv, b * t, dh, slab(att.w_key), dh, d, hh * dh),
              vh = project(xv, b * t, dh, slab(att.w_value), dh, d, hh * dh);
          for (int64_t r = 0; r < b * t; ++r)
            for (int64_t c = 0; c < dh; ++c) {
              q[r * d + hh * dh + c] = qh[r * dh + c];
              k[r * d + hh * dh + c] = kh[r * dh + c];
              v[r * d + hh * dh + c] = vh[r * dh + c];
            }
        }
      }
      double s = scale == Scale::HeadDim ? 1 / std::sqrt(double(dh))
                 : scale == Scale::SeqLen ? 1 / std::sqrt(double(t))
                 : scale == Scale::None   ? 1.0
                                          : 0.7;
      Vec ctx = naive_attention(q, k, v, mv, b, t, h, dh, s);
      Vec want = project(ctx, b * t, d, att.w_out.to_vector(), d);
      Tensor y = att(x, mask);
      CHECK(near(y.to_vector(), want, 1e-12));
      // the fully padded example gives exactly zeros
      CHECK(y.select(0, 1).to_vector() == Vec(static_cast<size_t>(t * d), 0.0));
    }
}

TEST_CASE("TransformerSelfAttention: float64 gradchecks, finite gradients on a fully padded row, errors") {
  Tensor x = input({2, 3, 4}, 14);
  Tensor mask = from_vector(std::vector<int64_t>{1, 0, 1, 0, 0, 0}, {2, 3});
  for (bool split : {false, true}) {
    nn::TransformerSelfAttention att(4, {.heads = 2, .split_input = split, .bias = true});
    for (const auto& p : att.named_parameters())
      if (p.name[0] == 'b') randomize(p.value, 41);
    CHECK(gradcheck_layer(att, {x}, [&](const TensorList& in) { return att(in[0], mask); }));
    x.zero_grad();
    ops::sum(att(x, mask)).backward();
    CHECK(all_finite(x.grad()));
    CHECK(all_finite(att.w_key.grad()));
  }
  nn::TransformerSelfAttention att(4);
  CHECK_THROWS_WITH_AS(att(zeros({2, 3, 5})),
                       doctest::Contains("TransformerSelfAttention(4, 2 heads of 2): input [2,3,5]"), Error);
  CHECK_THROWS_WITH_AS(att(zeros({2, 3, 4}), ones({3, 2})), doctest::Contains("mask [3,2]"), Error);
  CHECK_THROWS_WITH_AS(nn::TransformerSelfAttention(5, {.heads = 2}), doctest::Contains("not divisible"), Error);
}
