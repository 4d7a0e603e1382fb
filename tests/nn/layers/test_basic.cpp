// Linear, Embedding, EmbeddingBag, masked_mean, PReLU, Dropout, LayerNorm, BatchNorm1d and
// to_dtype: shapes, values by hand, parameter names, float64 gradchecks, modes, errors.
#include <doctest/doctest.h>

#include <set>

#include "tests/nn/layers/helpers.h"

using namespace tg;
using namespace layer_test;
using tg::testing::input;
using tg::testing::max_abs_diff;

// ---- Linear -------------------------------------------------------------------------------------

TEST_CASE("Linear: names, init, values by hand, any rank") {
  nn::Linear lin(3, 2);
  CHECK(param_names(lin) == std::vector<std::string>{"weight [2,3]", "bias [2]"});
  CHECK(lin.describe() == "Linear(3 -> 2)");
  CHECK(lin.bias.to_vector() == std::vector<double>{0, 0});
  set_values(lin.weight, {1, 2, 3, -1, 0, 1});
  set_values(lin.bias, {0.5, -0.5});
  Tensor x = from_vector(std::vector<float>{1, 1, 1, 2, 0, -1}, {2, 3});
  CHECK(lin(x).to_vector() == std::vector<double>{6.5, -0.5, -0.5, -3.5});
  // rank 3 and rank 1 inputs give the same rows
  Tensor x3 = x.reshape({1, 2, 3});
  CHECK(lin(x3).shape() == Shape{1, 2, 2});
  CHECK(lin(x3).to_vector() == lin(x).to_vector());
  CHECK(lin(x.select(0, 1)).shape() == Shape{2});
  nn::Linear nb(3, 2, /*bias=*/false);
  CHECK(param_names(nb) == std::vector<std::string>{"weight [2,3]"});
  CHECK(nb.describe() == "Linear(3 -> 2, no bias)");
}

TEST_CASE("Linear: Xavier-normal weights from the given generator") {
  Generator g1(3), g2(3);
  nn::Linear a(256, 512, true, &g1), b(256, 512, true, &g2);
  CHECK(a.weight.to_vector() == b.weight.to_vector());
  CHECK(std_of(a.weight.to_vector()) == doctest::Approx(std::sqrt(2.0 / 768)).epsilon(0.02));
}

TEST_CASE("Linear: float64 gradcheck on a rank-3 input and a strided input") {
  nn::Linear lin(4, 3);
  Tensor x = input({2, 3, 4});
  CHECK(gradcheck_layer(lin, {x}, [&](const TensorList& in) { return lin(in[0]); }));
  Tensor xs = tg::testing::strided_input({5, 4}, 1);
  CHECK(gradcheck_layer(lin, {xs}, [&](const TensorList& in) { return lin(in[0]); }));
}

TEST_CASE("Linear: bad input shape names the layer and the shape") {
  nn::Linear lin(3, 5);
  CHECK_THROWS_WITH_AS(lin(zeros({4, 2})), doctest::Contains("Linear(3 -> 5): input [4,2] must be [..., 3]"), Error);
}

// ---- Embedding ------------------------------------------------------------------------------------

TEST_CASE("Embedding: names, role, init std, padding row zero, lookups of any shape") {
  Generator gen(5);
  nn::Embedding emb(1000, 64, {.gen = &gen});
  auto named = emb.named_parameters();
  REQUIRE(named.size() == 1);
  CHECK(named[0].name == "weight");
  CHECK(named[0].role == nn::ParamRole::Embedding);
  CHECK(emb.describe() == "Embedding(1000, 64)");
  std::vector<double> w = emb.weight.to_vector();
  CHECK(std::vector<double>(w.begin(), w.begin() + 64) == std::vector<double>(64, 0.0));
  CHECK(std_of(std::vector<double>(w.begin() + 64, w.end())) == doctest::Approx(1e-4).epsilon(0.02));
  nn::Embedding wide(10, 4, {.padding_idx = -1, .init_std = 0.01});
  CHECK(std::abs(wide.weight.at({0, 0})) > 0);  // no padding row

  Tensor ids = from_vector(std::vector<int64_t>{3, 0, 7, 3, 9, 1}, {2, 3});
  Tensor y = emb(ids);
  CHECK(y.shape() == Shape{2, 3, 64});
  CHECK(max_abs_diff(y.select(0, 0).select(0, 0), emb.weight.select(0, 3)) == 0);
  CHECK(max_abs_diff(y.select(0, 1).select(0, 2), emb.weight.select(0, 1)) == 0);
  CHECK(max_abs_diff(y.select(0, 0).select(0, 1), zeros({64})) == 0);
  Tensor ids32 = from_vector(std::vector<int32_t>{3, 0, 7, 3, 9, 1}, {2, 3});
  CHECK(emb(ids32).to_vector() == y.to_vector());
  CHECK(emb(from_vector(std::vector<int64_t>{1, 2, 3, 4}, {1, 2, 2})).shape() == Shape{1, 2, 2, 64});
}

TEST_CASE("Embedding: sparse gradient holds only the touched rows, equals the dense one, padding gets none") {
  nn::Embedding sparse(12, 3), dense(12, 3, {.sparse_grad = false});
  randomize(sparse.weight, 1);
  {
    NoGradGuard g;
    dense.weight.copy_(sparse.weight);
  }
  Tensor ids = from_vector(std::vector<int64_t>{5, 0, 2, 5, 11, 0, 2, 5}, {2, 4});
  Tensor w = randn({2, 4, 3});
  ops::sum(ops::mul(sparse(ids), w)).backward();
  ops::sum(ops::mul(dense(ids), w)).backward();
  Tensor gs = sparse.weight.grad(), gd = dense.weight.grad();
  REQUIRE(gs.is_row_sparse());
  CHECK(!gd.is_row_sparse());
  CHECK(gs.row_index().to_vector() == std::vector<double>{2, 5, 11});  // 0 is padding: not touched
  CHECK(gs.shape() == Shape{3, 3});
  CHECK(max_abs_diff(gs.to_dense(), gd) < 1e-6);
  CHECK(max_abs_diff(gd.select(0, 0), zeros({3})) == 0);  // padding row: no gradient
  // the row of id 5 (three occurrences) by hand
  std::vector<double> wv = w.to_vector();
  for (int j = 0; j < 3; ++j)
    CHECK(gd.at({5, j}) == doctest::Approx(wv[0 * 3 + j] + wv[3 * 3 + j] + wv[7 * 3 + j]));
}

TEST_CASE("Embedding: float64 gradcheck (sparse gradient) and errors") {
  nn::Embedding emb(6, 3, {.padding_idx = -1, .init_std = 0.5});
  Tensor ids = from_vector(std::vector<int64_t>{1, 4, 1, 5}, {2, 2});
  CHECK(gradcheck_layer(emb, {}, [&](const TensorList&) { return emb(ids); }));
  nn::Embedding padded(6, 3);
  // Padding positions are masked out of the output, so the zero gradient of row 0 is right.
  Tensor with_pad = from_vector(std::vector<int64_t>{1, 0, 3, 0}, {4});
  Tensor keep = ops::ne(with_pad, 0.0).unsqueeze(-1);
  CHECK(gradcheck_layer(padded, {}, [&](const TensorList&) { return ops::where(keep, padded(with_pad), 0.0); }));
  CHECK_THROWS_WITH_AS(emb(zeros({2})), doctest::Contains("Embedding(6, 3): ids must be int64 or int32"), Error);
  CHECK_THROWS_WITH_AS(emb(from_vector(std::vector<int64_t>{6}, {1})),
                       doctest::Contains("Embedding(6, 3): embedding: "), Error);
  CHECK_THROWS_WITH_AS(nn::Embedding(5, 2, {.padding_idx = 5}), doctest::Contains("padding_idx 5"), Error);
}

// ---- EmbeddingBag and masked_mean ---------------------------------------------------------------------

TEST_CASE("EmbeddingBag: masked mean and sum by hand, empty bag gives zeros, matches Embedding::bag") {
  nn::EmbeddingBag bag(5, 2);
  CHECK(bag.describe() == "EmbeddingBag(5, 2, mean)");
  CHECK(bag.named_parameters()[0].role == nn::ParamRole::Embedding);
  set_values(bag.weight, {0, 0, 1, 2, 3, 4, 5, 6, 7, 8});
  Tensor ids = from_vector(std::vector<int64_t>{1, 2, 0, 0, 0, 0, 3, 3, 1}, {3, 3});
  CHECK(near(bag(ids).to_vector(), {2, 3, 0, 0, (5 + 5 + 1) / 3.0, (6 + 6 + 2) / 3.0}));
  nn::EmbeddingBag sum(5, 2, {.mode = nn::BagMode::Sum});
  CHECK(sum.describe() == "EmbeddingBag(5, 2, sum)");
  set_values(sum.weight, bag.weight.to_vector());
  CHECK(sum(ids).to_vector() == std::vector<double>{4, 6, 0, 0, 11, 14});
  // [B, T, L] ids -> [B, T, D]
  CHECK(bag(ids.reshape({1, 3, 3})).shape() == Shape{1, 3, 2});
  nn::Embedding table(5, 2);
  set_values(table.weight, bag.weight.to_vector());
  CHECK(table.bag(ids).to_vector() == bag(ids).to_vector());
  CHECK(table.bag(ids, nn::BagMode::Sum).to_vector() == sum(ids).to_vector());
}

TEST_CASE("EmbeddingBag: float64 gradcheck, sparse gradient rows, errors") {
  nn::EmbeddingBag bag(6, 3, {.init_std = 0.5});
  Tensor ids = from_vector(std::vector<int64_t>{1, 4, 0, 2, 2, 5, 0, 0, 0}, {3, 3});
  CHECK(gradcheck_layer(bag, {}, [&](const TensorList&) { return bag(ids); }));
  bag.weight.zero_grad();
  ops::sum(bag(ids)).backward();
  REQUIRE(bag.weight.grad().is_row_sparse());
  CHECK(bag.weight.grad().row_index().to_vector() == std::vector<double>{1, 2, 4, 5});
  CHECK_THROWS_WITH_AS(bag(zeros({2, 2})), doctest::Contains("EmbeddingBag(6, 3, mean): ids must be int64"), Error);
}

TEST_CASE("masked_mean: by hand, every mask dtype, empty row gives zeros with a finite gradient") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {2, 3, 2});
  Tensor m = from_vector(std::vector<double>{1, 0, 1, 0, 0, 0}, {2, 3});
  CHECK(nn::masked_mean(x, m).to_vector() == std::vector<double>{3, 4, 0, 0});
  CHECK(nn::masked_mean(x, ops::ne(m, 0.0)).to_vector() == std::vector<double>{3, 4, 0, 0});
  CHECK(nn::masked_mean(x, from_vector(std::vector<int64_t>{1, 0, 1, 0, 0, 0}, {2, 3})).to_vector() ==
        std::vector<double>{3, 4, 0, 0});
  CHECK(nn::masked_mean(x.to(kFloat32), m).dtype() == kFloat32);
  Tensor xg = input({2, 3, 2});
  CHECK(tg::testing::gradcheck([&](const TensorList& in) { return nn::masked_mean(in[0], m); }, {xg}));
  xg.zero_grad();
  ops::sum(nn::masked_mean(xg, m)).backward();
  CHECK(all_finite(xg.grad()));
  CHECK(xg.grad().to_vector() == std::vector<double>{0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 0});
  // [B, F, T, d] with mask [B, F, T]
  CHECK(nn::masked_mean(zeros({2, 4, 3, 5}), ones({2, 4, 3})).shape() == Shape{2, 4, 5});
  CHECK_THROWS_WITH_AS(nn::masked_mean(x, ones({2, 2})), doctest::Contains("mask [2,2]"), Error);
}

// ---- PReLU and Dropout -------------------------------------------------------------------------------

TEST_CASE("PReLU: one slope (init 0.25) or one per channel in the last dim; gradcheck") {
  nn::PReLU act;
  CHECK(param_names(act) == std::vector<std::string>{"weight [1]"});
  CHECK(act.weight.item() == 0.25);
  CHECK(act(tensor({-2.0, 3.0, -0.4})).to_vector() == std::vector<double>{-0.5, 3.0, -0.1f});
  nn::PReLU per({.num_parameters = 3, .init = 0.1});
  set_values(per.weight, {0.1, 0.2, 0.3});
  Tensor x = from_vector(std::vector<double>{-1, -1, -1, 2, -2, 1, -1, 0.5, -3, 1, 1, 1}, {2, 2, 3});
  CHECK(per(x.to(kFloat32)).shape() == Shape{2, 2, 3});
  std::vector<double> want{-0.1, -0.2, -0.3, 2, -0.4, 1, -0.1, 0.5, -0.9, 1, 1, 1};
  std::vector<double> got = per(x.to(kFloat32)).to_vector();
  for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]));
  Tensor xg = tg::testing::input_away_from_zero({2, 2, 3});
  CHECK(gradcheck_layer(per, {xg}, [&](const TensorList& in) { return per(in[0]); }));
  CHECK(gradcheck_layer(act, {xg}, [&](const TensorList& in) { return act(in[0]); }));
  CHECK_THROWS_WITH_AS(per(zeros({2, 4})), doctest::Contains("PReLU(3): input [2,4]"), Error);
}

TEST_CASE("Dropout: active only in training mode, scaled, seeded") {
  Generator gen(9);
  nn::Dropout drop(0.25, &gen);
  CHECK(drop.describe() == "Dropout(p=0.25)");
  Tensor x = ones({200, 100});
  Tensor y = drop(x);
  std::vector<double> v = y.to_vector();
  int64_t kept = 0, other = 0;
  for (double e : v) {
    kept += e != 0.0;
    other += e != 0.0 && std::abs(e - 1.0 / 0.75) > 1e-6;
  }
  CHECK(other == 0);
  CHECK(static_cast<double>(kept) / 20000.0 == doctest::Approx(0.75).epsilon(0.02));
  gen.manual_seed(9);
  CHECK(drop(x).to_vector() == v);  // same seed, same mask
  drop.eval();
  CHECK(drop(x).same(x));  // identity in eval mode
  drop.train();
  Tensor xg = input({3, 4});
  CHECK(tg::testing::gradcheck(
      [&](const TensorList& in) {
        gen.manual_seed(1);
        return drop(in[0]);
      },
      {xg}));
}

// ---- LayerNorm and BatchNorm1d ---------------------------------------------------------------------

TEST_CASE("LayerNorm: values by hand, names, gradcheck, errors") {
  nn::LayerNorm ln(3);
  CHECK(param_names(ln) == std::vector<std::string>{"weight [3]", "bias [3]"});
  Tensor x = from_vector(std::vector<float>{1, 2, 3, 0, 0, 3}, {2, 3});
  std::vector<double> y = ln(x).to_vector();
  const double r1 = 1 / std::sqrt(2.0 / 3 + 1e-5), r2 = 1 / std::sqrt(2.0 + 1e-5);
  std::vector<double> want{-r1, 0, r1, -r2, -r2, 2 * r2};
  for (size_t i = 0; i < 6; ++i) CHECK(y[i] == doctest::Approx(want[i]).epsilon(1e-5));
  nn::LayerNorm plain(3, {.affine = false});
  CHECK(plain.parameters().empty());
  randomize(ln.weight, 2);
  randomize(ln.bias, 3);
  Tensor xg = input({2, 2, 3});
  CHECK(gradcheck_layer(ln, {xg}, [&](const TensorList& in) { return ln(in[0]); }));
  CHECK_THROWS_WITH_AS(ln(zeros({2, 4})), doctest::Contains("LayerNorm(3, eps=1e-05): input [2,4]"), Error);
}

TEST_CASE("BatchNorm1d: training uses batch statistics and updates running stats; eval uses them") {
  nn::BatchNorm1d bn(2);
  CHECK(param_names(bn) == std::vector<std::string>{"weight [2]", "bias [2]"});
  auto buffers = bn.named_buffers();
  REQUIRE(buffers.size() == 2);
  CHECK(buffers[0].name == "running_mean");
  CHECK(buffers[1].name == "running_var");
  Tensor x = from_vector(std::vector<float>{1, 10, 2, 20, 3, 30, 6, 40}, {4, 2});
  // channel 0: mean 3, biased var 3.5, unbiased 14/3; channel 1: mean 25, var 125, unbiased 500/3
  std::vector<double> y = bn(x).to_vector();
  CHECK(y[0] == doctest::Approx((1 - 3) / std::sqrt(3.5 + 1e-5)).epsilon(1e-5));
  CHECK(y[7] == doctest::Approx((40 - 25) / std::sqrt(125 + 1e-5)).epsilon(1e-5));
  CHECK(bn.running_mean.to_vector()[0] == doctest::Approx(0.3));
  CHECK(bn.running_mean.to_vector()[1] == doctest::Approx(2.5));
  CHECK(bn.running_var.to_vector()[0] == doctest::Approx(0.9 + 0.1 * 14.0 / 3));
  CHECK(bn.running_var.to_vector()[1] == doctest::Approx(0.9 + 0.1 * 500.0 / 3));
  // eval: running stats, and they stay as they are
  bn.eval();
  std::vector<double> rm = bn.running_mean.to_vector(), rv = bn.running_var.to_vector();
  std::vector<double> ye = bn(x).to_vector();
  CHECK(ye[0] == doctest::Approx((1 - rm[0]) / std::sqrt(rv[0] + 1e-5)).epsilon(1e-5));
  CHECK(ye[7] == doctest::Approx((40 - rm[1]) / std::sqrt(rv[1] + 1e-5)).epsilon(1e-5));
  CHECK(bn.running_mean.to_vector() == rm);
  CHECK(bn.running_var.to_vector() == rv);
  CHECK(bn(x.narrow(0, 0, 1)).shape() == Shape{1, 2});  // one row is fine in eval mode
  bn.train();
  CHECK_THROWS_WITH_AS(bn(x.narrow(0, 0, 1)), doctest::Contains("BatchNorm1d(2, momentum=0.1, eps=1e-05): input [1,2]"),
                       Error);
  CHECK_THROWS_WITH_AS(bn(zeros({4, 3})), doctest::Contains("input [4,3]"), Error);
}

TEST_CASE("BatchNorm1d: [B, T, C] is B*T rows of C channels; gradcheck in both modes") {
  nn::BatchNorm1d a(3), b(3);
  Tensor x = randn({2, 4, 3});
  CHECK(max_abs_diff(a(x), b(x.reshape({8, 3})).reshape({2, 4, 3})) < 1e-6);
  CHECK(max_abs_diff(a.running_var, b.running_var) < 1e-7);
  nn::BatchNorm1d bn(3);
  randomize(bn.weight, 4);
  randomize(bn.bias, 5);
  Tensor xg = input({5, 3});
  CHECK(gradcheck_layer(bn, {xg}, [&](const TensorList& in) { return bn(in[0]); }));
  bn.eval();
  CHECK(gradcheck_layer(bn, {xg}, [&](const TensorList& in) { return bn(in[0]); }));
  nn::BatchNorm1d untracked(3, {.track_running_stats = false});
  CHECK(untracked.named_buffers().empty());
  untracked.eval();  // batch statistics in eval mode too
  CHECK(std::abs(mean_of(untracked(x.reshape({8, 3})).select(1, 0).to_vector())) < 1e-6);
}

// ---- to_dtype -------------------------------------------------------------------------------------------

TEST_CASE("to_dtype: parameters and buffers become float64 in place; handles stay valid") {
  nn::BatchNorm1d bn(2);
  randomize(bn.weight, 1);
  std::vector<double> before = bn.weight.to_vector();
  Tensor handle = bn.named_parameters()[0].value;
  nn::to_dtype(bn, kFloat64);
  CHECK(bn.weight.dtype() == kFloat64);
  CHECK(handle.dtype() == kFloat64);
  CHECK(handle.same(bn.weight));
  CHECK(bn.weight.to_vector() == before);
  CHECK(bn.running_var.dtype() == kFloat64);
  CHECK(bn.weight.requires_grad());
  CHECK(bn(input({3, 2})).dtype() == kFloat64);
  CHECK_THROWS_WITH_AS(nn::to_dtype(bn, kInt64), doctest::Contains("int64"), Error);
}
