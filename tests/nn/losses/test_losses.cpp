#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "core/tapegrad.h"
#include "nn/losses/losses.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {
Tensor vec(std::vector<double> v, Shape s) { return from_vector(v, s); }
// 1 - cos(a, b), by hand.
double cosd(std::vector<double> a, std::vector<double> b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += a[i] * b[i], aa += a[i] * a[i], bb += b[i] * b[i];
  return 1 - ab / (std::sqrt(aa) * std::sqrt(bb));
}
std::vector<int64_t> ints(const Tensor& t) { return t.to_vector_as<int64_t>(); }
}  // namespace

TEST_CASE("l2_penalty: lambda/2 sum ||w||^2 by hand, gradient lambda w, scopes") {
  Tensor a = vec({1, 2}, {2}).set_requires_grad(true), b = vec({3}, {1}).set_requires_grad(true);
  Tensor r = nn::l2_penalty({a, b}, 0.5);
  CHECK(r.item() == doctest::Approx(0.25 * (1 + 4 + 9)));  // 0.5/2 * 14 = 3.5
  CHECK(r.dtype() == kFloat64);
  r.backward();
  CHECK(a.grad().to_vector() == std::vector<double>{0.5, 1.0});  // lambda * w
  CHECK(b.grad().to_vector() == std::vector<double>{1.5});
  // Scaled upstream gradient: d(3 * penalty)/dw = 3 lambda w.
  a.zero_grad();
  ops::mul(nn::l2_penalty({a}, 0.5), 3.0).backward();
  CHECK(a.grad().to_vector() == std::vector<double>{1.5, 3.0});

  // float32: the value in float32; summed in double, so exact here.
  Tensor f = from_vector(std::vector<float>{3, 4}, {2});
  Tensor rf = nn::l2_penalty({f}, 2.0);
  CHECK(rf.dtype() == kFloat32);
  CHECK(rf.item() == 25.0);
  CHECK(!rf.requires_grad());  // nothing to differentiate

  struct M : nn::Module {
    Tensor w = add_param("w", from_vector(std::vector<double>{2}, {1}));
    Tensor e = add_param("e", from_vector(std::vector<double>{1, 1}, {2}), nn::ParamRole::Embedding);
  } m;
  CHECK(nn::l2_penalty(m, 2.0, nn::L2Scope::All).item() == doctest::Approx(6.0));         // (4 + 2)
  CHECK(nn::l2_penalty(m, 2.0, nn::L2Scope::Embeddings).item() == doctest::Approx(2.0));  // 1 + 1
  CHECK(nn::l2_penalty(m, 2.0, nn::L2Scope::Dense).item() == doctest::Approx(4.0));       // 2^2
  CHECK(nn::parameters_in(m, nn::L2Scope::Embeddings).size() == 1);
  // lambda 0: a constant zero, no graph.
  Tensor zero = nn::l2_penalty(m, 0.0);
  CHECK(zero.item() == 0.0);
  CHECK(!zero.requires_grad());
}

TEST_CASE("l2_penalty: gradcheck (contiguous and strided), bad input") {
  Tensor x = testing::input({3, 2}), y = testing::input({4}, 9), s = testing::strided_input({3, 4}, 0, 5);
  CHECK(testing::gradcheck([](const TensorList& in) { return nn::l2_penalty({in[0], in[1], in[2]}, 0.3); }, {x, y, s}));
  // Inside a larger graph: the penalty of a product.
  CHECK(testing::gradcheck([](const TensorList& in) { return nn::l2_penalty({ops::mul(in[0], in[0])}, 1.7); }, {x}));

  Tensor a = vec({1}, {1});
  CHECK_THROWS_WITH_AS(nn::l2_penalty({a}, -1), doctest::Contains("lambda must be finite and >= 0"), Error);
  CHECK_THROWS_WITH_AS(nn::l2_penalty(std::vector<Tensor>{}, 1), doctest::Contains("no parameters"), Error);
  CHECK_THROWS_WITH_AS(nn::l2_penalty({a, zeros({2})}, 1), doctest::Contains("tensor 1 is float32"), Error);
  CHECK_THROWS_WITH_AS(nn::l2_penalty({arange(3)}, 1), doctest::Contains("every tensor must be float32"), Error);
  struct Dense : nn::Module {
    Tensor w = add_param("w", zeros({2}));
  } d;
  CHECK_THROWS_WITH_AS(nn::l2_penalty(d, 1.0, nn::L2Scope::Embeddings),
                       doctest::Contains("no embedding parameters (ParamRole::Embedding)"), Error);
}

TEST_CASE("logloss is re-exported in nn") {
  // logit 0, target 1: -log sigmoid(0) = log 2.
  CHECK(nn::logloss(vec({0}, {1}), vec({1}, {1})).item() == doctest::Approx(std::log(2.0)));
  CHECK(nn::logloss(vec({0, 0}, {2}), vec({1, 0}, {2}), {.reduction = nn::Reduction::Sum}).item() ==
        doctest::Approx(2 * std::log(2.0)));
}

TEST_CASE("triplet_loss: given pairs by hand, valid mask, cosine_distance, gradcheck") {
  // Anchor 0 (1,0): positive (1,1) d+ = 1 - 1/sqrt2 = 0.29289, negative (1,0.5)
  //   d- = 1 - 1/sqrt(1.25) = 0.10557; hinge = 0.29289 - 0.10557 + 0.5 = 0.68733.
  // Anchor 1 (1,0): positive (1,0) d+ = 0, negative (-1,0) d- = 2; hinge = max(0, -1.5) = 0.
  Tensor a = vec({1, 0, 1, 0}, {2, 2}), p = vec({1, 1, 1, 0}, {2, 2}), n = vec({1, 0.5, -1, 0}, {2, 2});
  const double dp0 = 1 - 1 / std::sqrt(2.0), dn0 = 1 - 1 / std::sqrt(1.25);
  CHECK(nn::cosine_distance(a, p).to_vector()[0] == doctest::Approx(dp0));
  CHECK(nn::cosine_distance(a, n).to_vector()[1] == doctest::Approx(2.0));
  const double row0 = dp0 - dn0 + 0.5;
  CHECK(row0 == doctest::Approx(0.68733).epsilon(1e-4));
  CHECK(nn::triplet_loss(a, p, n).item() == doctest::Approx((row0 + 0.0) / 2));
  // Only anchor 0 counted: the mean is over 1 anchor.
  CHECK(nn::triplet_loss(a, p, n, {}, vec({1, 0}, {2})).item() == doctest::Approx(row0));
  CHECK(nn::triplet_loss(a, p, n, {}, zeros({2})).item() == 0.0);
  // margin 3: row 0 = dp0 - dn0 + 3, row 1 = 0 - 2 + 3 = 1.
  CHECK(nn::triplet_loss(a, p, n, {.margin = 3.0}).item() == doctest::Approx((dp0 - dn0 + 3 + 1) / 2));

  Tensor x = testing::input({3, 4}, 1), y = testing::input({3, 4}, 2), z = testing::input({3, 4}, 3);
  CHECK(testing::gradcheck([](const TensorList& in) { return nn::triplet_loss(in[0], in[1], in[2], {.margin = 1.0}); },
                           {x, y, z}));
  CHECK_THROWS_WITH_AS(nn::triplet_loss(a, p, vec({1, 2, 3}, {1, 3})), doctest::Contains("the same [B, Z]"), Error);
  CHECK_THROWS_WITH_AS(nn::triplet_loss(a, p, n, {}, zeros({3})), doctest::Contains("valid must be [2]"), Error);
}

TEST_CASE("triplet_loss_hardest: farthest positive, closest negative, padding ignored, empty sets left out") {
  // Anchor 0 = (1,0). Positives: (1,0.1) d small, (0,1) d = 1 (the hardest), padding (-1,0)
  // with d = 2 that would win if the mask were ignored. Negatives: (1,0.5) the closest (the
  // hardest), (-1,0), padding (1,0) with d = 0 that would win if not masked.
  // Anchor 1 = (0,1): positives (1,1) and padding; no negative at all -> left out.
  Tensor a = vec({1, 0, 0, 1}, {2, 2});
  Tensor pos = vec({1, 0.1, 0, 1, -1, 0, /* anchor 1 */ 1, 1, 0, 0, 0, 0}, {2, 3, 2});
  Tensor pos_mask = vec({1, 1, 0, 1, 0, 0}, {2, 3});
  Tensor neg = vec({1, 0.5, -1, 0, 1, 0, /* anchor 1 */ 1, 0, 1, 0, 1, 0}, {2, 3, 2});
  Tensor neg_mask = vec({1, 1, 0, 0, 0, 0}, {2, 3});
  auto r = nn::triplet_loss_hardest(a, pos, pos_mask, neg, neg_mask);
  CHECK(ints(r.positive_index) == std::vector<int64_t>{1, 0});
  CHECK(ints(r.negative_index) == std::vector<int64_t>{0, -1});
  CHECK(r.anchors == 1);
  const double expect = std::max(0.0, cosd({1, 0}, {0, 1}) - cosd({1, 0}, {1, 0.5}) + 0.5);  // 1 - 0.1056 + 0.5
  CHECK(r.loss.item() == doctest::Approx(expect));
  CHECK(r.hinge.to_vector()[0] == doctest::Approx(expect));
  CHECK(r.hinge.to_vector()[1] == 0.0);
  // Masks of any dtype: bool and int give the same.
  auto rb = nn::triplet_loss_hardest(a, pos, ops::ne(pos_mask, 0.0), neg, neg_mask.to(kInt64));
  CHECK(rb.loss.item() == r.loss.item());
  // No anchor with both sets: zero loss, no NaN.
  auto none = nn::triplet_loss_hardest(a, pos, zeros({2, 3}), neg, neg_mask);
  CHECK(none.loss.item() == 0.0);
  CHECK(none.anchors == 0);

  CHECK_THROWS_WITH_AS(nn::triplet_loss_hardest(a, pos, zeros({2, 4}), neg, neg_mask),
                       doctest::Contains("positive mask must be [B, T] = [2, 3]"), Error);
  CHECK_THROWS_WITH_AS(nn::triplet_loss_hardest(a, pos, pos_mask, zeros({2, 3, 5}, {.dtype = kFloat64}), neg_mask),
                       doctest::Contains("negative candidates must be [B, T, Z] = [2, T, 2]"), Error);
  CHECK_THROWS_WITH_AS(nn::triplet_loss_hardest(a, pos.to(kFloat32), pos_mask, neg, neg_mask),
                       doctest::Contains("positive candidates are float32, the anchor float64"), Error);
}

TEST_CASE("triplet_loss_hardest: the gradient reaches the chosen pair only") {
  Tensor a = vec({1, 0}, {1, 2}).set_requires_grad(true);
  Tensor pos = vec({1, 0.1, 0, 1, 0.5, 1}, {1, 3, 2}).set_requires_grad(true);  // hardest: (0,1), t = 1
  Tensor neg = vec({1, 0.5, -1, 0, 0.2, 1}, {1, 3, 2}).set_requires_grad(true);  // hardest: (1,0.5), t = 0
  auto r = nn::triplet_loss_hardest(a, pos, ones({1, 3}), neg, ones({1, 3}));
  CHECK(ints(r.positive_index) == std::vector<int64_t>{1});
  CHECK(ints(r.negative_index) == std::vector<int64_t>{0});
  r.loss.backward();
  Tensor gp = pos.grad(), gn = neg.grad();
  for (int64_t t : {0, 2})
    for (int64_t z = 0; z < 2; ++z) CHECK(gp.at({0, t, z}) == 0.0);
  for (int64_t t : {1, 2})
    for (int64_t z = 0; z < 2; ++z) CHECK(gn.at({0, t, z}) == 0.0);
  // d(1 - cos(a, p))/dp at a = (1,0), p = (0,1): -(a/|a| - cos p/|p|)/|p| = (-1, 0).
  CHECK(gp.at({0, 1, 0}) == doctest::Approx(-1.0));
  CHECK(gp.at({0, 1, 1}) == doctest::Approx(0.0));
  CHECK(a.grad().defined());
}

TEST_CASE("triplet_loss_hardest and _random: gradchecks (unique extremes, fixed draws)") {
  Tensor a = testing::input({3, 4}, 11), pos = testing::input({3, 5, 4}, 12), neg = testing::input({3, 5, 4}, 13);
  Tensor pm = vec({1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1}, {3, 5});
  Tensor nm = vec({1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0}, {3, 5});
  CHECK(testing::gradcheck(
      [&](const TensorList& in) { return nn::triplet_loss_hardest(in[0], in[1], pm, in[2], nm, {.margin = 1.0}).loss; },
      {a, pos, neg}));
  CHECK(testing::gradcheck(
      [&](const TensorList& in) {
        return nn::triplet_loss_hardest(in[0], in[1], pm, in[2], nm, {.margin = 1.0, .pool = nn::TripletPool::Batch})
            .loss;
      },
      {a, pos, neg}));
  CHECK(testing::gradcheck(
      [&](const TensorList& in) {
        Generator g(3);  // the same draws at every evaluation
        return nn::triplet_loss_random(in[0], in[1], pm, in[2], nm, &g, {.margin = 1.0}).loss;
      },
      {a, pos, neg}));
  CHECK(testing::gradcheck(
      [&](const TensorList& in) {
        Generator g(4);
        return nn::triplet_loss_random(in[0], in[1], pm, in[2], nm, &g, {.margin = 1.0, .pool = nn::TripletPool::Batch})
            .loss;
      },
      {a, pos, neg}));
}

TEST_CASE("triplet_loss_hardest with the batch pool: candidates of every sample, flat indices") {
  // Anchor 0 = (1,0), anchor 1 = (0,1); T = 2. Positives: sample 0 {(1,0.2), pad}, sample 1
  // {(1,1), (0,-1)}. Over the pool {(1,0.2), (1,1), (0,-1)} (flat 0, 2, 3):
  //   anchor 0: d = 0.0194, 0.2929, 1      -> hardest flat 3
  //   anchor 1: d = 0.8039, 0.2929, 2      -> hardest flat 3
  // Negatives: sample 0 {(0,1), (-1,0)}, sample 1 {pad, pad}: pool flat 0, 1.
  //   anchor 0: d = 1, 2 -> closest flat 0;  anchor 1: d = 0, 1 -> closest flat 0.
  // With the Own pool anchor 1 has no negative and is left out.
  Tensor a = vec({1, 0, 0, 1}, {2, 2});
  Tensor pos = vec({1, 0.2, 5, 5, 1, 1, 0, -1}, {2, 2, 2});
  Tensor pm = vec({1, 0, 1, 1}, {2, 2});
  Tensor neg = vec({0, 1, -1, 0, 0, 1, 0, 1}, {2, 2, 2});
  Tensor nm = vec({1, 1, 0, 0}, {2, 2});
  auto own = nn::triplet_loss_hardest(a, pos, pm, neg, nm);
  CHECK(own.anchors == 1);
  auto pool = nn::triplet_loss_hardest(a, pos, pm, neg, nm, {.pool = nn::TripletPool::Batch});
  CHECK(ints(pool.positive_index) == std::vector<int64_t>{3, 3});
  CHECK(ints(pool.negative_index) == std::vector<int64_t>{0, 0});
  CHECK(pool.anchors == 2);
  const double h0 = std::max(0.0, 1.0 - 1.0 + 0.5), h1 = std::max(0.0, 2.0 - 0.0 + 0.5);
  CHECK(pool.loss.item() == doctest::Approx((h0 + h1) / 2));
}

TEST_CASE("triplet_loss_random: only valid candidates, every one reachable, reproducible") {
  Tensor a = testing::input({4, 3}, 1).detach();
  Tensor pos = testing::input({4, 6, 3}, 2).detach(), neg = testing::input({4, 6, 3}, 3).detach();
  Tensor pm = vec({0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, {4, 6});
  Tensor nm = ones({4, 6});
  Generator g1(5), g2(5);
  auto r1 = nn::triplet_loss_random(a, pos, pm, neg, nm, &g1);
  auto r2 = nn::triplet_loss_random(a, pos, pm, neg, nm, &g2);
  CHECK(ints(r1.positive_index) == ints(r2.positive_index));
  CHECK(ints(r1.negative_index) == ints(r2.negative_index));
  CHECK(r1.loss.item() == r2.loss.item());
  CHECK(r1.positive_index.at({2}) == -1);  // anchor 2 has no positive
  CHECK(r1.positive_index.at({1}) == 0);   // anchor 1 has exactly one
  CHECK(r1.anchors == 3);
  // The loss is the given-pair loss of the drawn candidates, over anchors 0, 1, 3.
  std::vector<Tensor> p_rows, n_rows;
  for (int64_t i : {0, 1, 3}) {
    p_rows.push_back(pos.select(0, i).select(0, static_cast<int64_t>(r1.positive_index.at({i}))));
    n_rows.push_back(neg.select(0, i).select(0, static_cast<int64_t>(r1.negative_index.at({i}))));
  }
  Tensor anchors = ops::index_select(a, 0, from_vector(std::vector<int64_t>{0, 1, 3}, {3}));
  CHECK(r1.loss.item() == doctest::Approx(nn::triplet_loss(anchors, ops::stack(p_rows, 0), ops::stack(n_rows, 0)).item()));
  // Over many draws, anchor 3 reaches all six positives and anchor 0 only positions 1 and 3.
  Generator g(7);
  std::set<int64_t> seen0, seen3;
  for (int k = 0; k < 200; ++k) {
    auto r = nn::triplet_loss_random(a, pos, pm, neg, nm, &g);
    seen0.insert(static_cast<int64_t>(r.positive_index.at({0})));
    seen3.insert(static_cast<int64_t>(r.positive_index.at({3})));
  }
  CHECK(seen0 == std::set<int64_t>{1, 3});
  CHECK(seen3.size() == 6);
  // The batch pool draws flat positions among all valid candidates: here 1, 3, 6, 18..23.
  std::set<int64_t> flat;
  for (int k = 0; k < 300; ++k) {
    auto r = nn::triplet_loss_random(a, pos, pm, neg, nm, &g, {.pool = nn::TripletPool::Batch});
    CHECK(r.anchors == 4);  // every anchor has the pool's positives
    for (int64_t i = 0; i < 4; ++i) flat.insert(static_cast<int64_t>(r.positive_index.at({i})));
  }
  CHECK(flat == std::set<int64_t>{1, 3, 6, 18, 19, 20, 21, 22, 23});
}

TEST_CASE("triplet_loss_batch_hard: labels or a same-class mask, right pairs, gradcheck") {
  // Rows: 0 (1,0) class A, 1 (0,1) class B, 2 (1,1) class A, 3 (1,-0.2) class B.
  // Anchor 0: positive only row 2 (d = 0.2929); negatives rows 1 (d = 1), 3 (d = 0.0194) -> 3.
  // Anchor 1: positive only row 3 (d = 1.1961); negatives rows 0 (1), 2 (0.2929) -> 2.
  Tensor e = vec({1, 0, 0, 1, 1, 1, 1, -0.2}, {4, 2});
  Tensor labels = from_vector(std::vector<int64_t>{7, 9, 7, 9}, {4});
  auto r = nn::triplet_loss_batch_hard(e, labels);
  CHECK(ints(r.positive_index) == std::vector<int64_t>{2, 3, 0, 1});
  CHECK(ints(r.negative_index)[0] == 3);
  CHECK(ints(r.negative_index)[1] == 2);
  CHECK(r.anchors == 4);
  const double h0 = std::max(0.0, cosd({1, 0}, {1, 1}) - cosd({1, 0}, {1, -0.2}) + 0.5);
  CHECK(r.hinge.to_vector()[0] == doctest::Approx(h0));
  // The same from a [B, B] mask; a class of one has no positive and is left out.
  Tensor same = ops::eq(labels.unsqueeze(1), labels.unsqueeze(0));
  CHECK(nn::triplet_loss_batch_hard(e, same).loss.item() == r.loss.item());
  auto lone = nn::triplet_loss_batch_hard(e, from_vector(std::vector<int64_t>{1, 2, 1, 3}, {4}));
  CHECK(ints(lone.positive_index) == std::vector<int64_t>{2, -1, 0, -1});
  CHECK(lone.anchors == 2);

  Tensor x = testing::input({6, 3}, 21);
  Tensor lab = from_vector(std::vector<int64_t>{0, 1, 0, 1, 1, 0}, {6});
  CHECK(testing::gradcheck(
      [&](const TensorList& in) { return nn::triplet_loss_batch_hard(in[0], lab, {.margin = 1.0}).loss; }, {x}));
  CHECK(testing::gradcheck(
      [&](const TensorList& in) {
        Generator g(9);
        return nn::triplet_loss_batch_random(in[0], lab, &g, {.margin = 1.0}).loss;
      },
      {x}));
  Generator g(1);
  auto rr = nn::triplet_loss_batch_random(x.detach(), lab, &g);
  for (int64_t i = 0; i < 6; ++i) {
    auto p = static_cast<int64_t>(rr.positive_index.at({i})), n = static_cast<int64_t>(rr.negative_index.at({i}));
    CHECK(p != i);
    CHECK(lab.at({p}) == lab.at({i}));
    CHECK(lab.at({n}) != lab.at({i}));
  }
  CHECK_THROWS_WITH_AS(nn::triplet_loss_batch_hard(x, zeros({5})), doctest::Contains("labels [6] or a mask [6, 6]"),
                       Error);
  CHECK_THROWS_WITH_AS(nn::triplet_loss_batch_hard(x, zeros({6, 5})), doctest::Contains("mask must be [6, 6]"), Error);
}

TEST_CASE("triplet losses in float32 follow float64") {
  Tensor a = testing::input({3, 4}, 31).detach(), pos = testing::input({3, 5, 4}, 32).detach(),
         neg = testing::input({3, 5, 4}, 33).detach();
  Tensor m = ones({3, 5});
  auto r64 = nn::triplet_loss_hardest(a, pos, m, neg, m, {.margin = 1.0});
  auto r32 = nn::triplet_loss_hardest(a.to(kFloat32), pos.to(kFloat32), m, neg.to(kFloat32), m, {.margin = 1.0});
  CHECK(r32.loss.dtype() == kFloat32);
  CHECK(r32.loss.item() == doctest::Approx(r64.loss.item()).epsilon(1e-5));
  CHECK(ints(r32.positive_index) == ints(r64.positive_index));
}
