#include <doctest/doctest.h>

#include <cmath>

#include "core/tapegrad.h"
#include "nn/losses/losses.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {
Tensor vec(std::vector<double> v, Shape s) { return from_vector(v, s); }
double cosd(std::vector<double> a, std::vector<double> b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += a[i] * b[i], aa += a[i] * a[i], bb += b[i] * b[i];
  return 1 - ab / (std::sqrt(aa) * std::sqrt(bb));
}
}  // namespace

TEST_CASE("l2_penalty: value by hand, scopes, gradcheck") {
  Tensor a = vec({1, 2}, {2}), b = vec({3}, {1});
  CHECK(nn::l2_penalty({a, b}, 0.5).item() == doctest::Approx(0.25 * (1 + 4 + 9)));
  struct M : nn::Module {
    Tensor w = add_param("w", from_vector(std::vector<double>{2}, {1}));
    Tensor e = add_param("e", from_vector(std::vector<double>{1, 1}, {2}), nn::ParamRole::Embedding);
  } m;
  CHECK(nn::l2_penalty(m, 2.0, nn::L2Scope::All).item() == doctest::Approx(6.0));
  CHECK(nn::l2_penalty(m, 2.0, nn::L2Scope::Embeddings).item() == doctest::Approx(2.0));
  CHECK(nn::l2_penalty(m, 2.0, nn::L2Scope::Dense).item() == doctest::Approx(4.0));
  Tensor x = testing::input({3, 2}), y = testing::input({4}, 9);
  CHECK(testing::gradcheck([](const TensorList& in) { return nn::l2_penalty({in[0], in[1]}, 0.3); }, {x, y}));
  CHECK_THROWS_WITH_AS(nn::l2_penalty({a}, -1), doctest::Contains("lambda must be >= 0"), Error);
}

TEST_CASE("triplet_loss: given pairs by hand, valid mask, gradcheck") {
  // anchor (1,0); positive (1,1): d = 1 - 1/sqrt2; negative (0,1): d = 1. hinge = d+ - d- + 0.5.
  Tensor a = vec({1, 0, 1, 0}, {2, 2}), p = vec({1, 1, 1, 0}, {2, 2}), n = vec({0, 1, -1, 0}, {2, 2});
  double row0 = std::max(0.0, (1 - 1 / std::sqrt(2.0)) - 1 + 0.5);  // 0.2071
  double row1 = std::max(0.0, 0.0 - 2 + 0.5);                        // 0
  CHECK(nn::triplet_loss(a, p, n).item() == doctest::Approx((row0 + row1) / 2));
  CHECK(nn::triplet_loss(a, p, n, {}, vec({1, 0}, {2})).item() == doctest::Approx(row0));
  // margin 3: row 0 = (1 - 1/sqrt2) - 1 + 3, row 1 = 0 - 2 + 3
  CHECK(nn::triplet_loss(a, p, n, {.margin = 3.0}).item() == doctest::Approx(((1 - 1 / std::sqrt(2.0)) + 2 + 1) / 2));
  Tensor x = testing::input({3, 4}, 1), y = testing::input({3, 4}, 2), z = testing::input({3, 4}, 3);
  CHECK(testing::gradcheck([](const TensorList& in) { return nn::triplet_loss(in[0], in[1], in[2], {.margin = 1.0}); },
                           {x, y, z}));
}

TEST_CASE("triplet_loss_hardest: picks the farthest positive and the closest negative; empty sets excluded") {
  // Anchor 0 = (1,0). Positives: (1,0.1) d small, (0,1) d=1 (hardest), padding. Negatives: (1,0.5)
  // (closest, hardest), (-1,0).
  Tensor a = vec({1, 0, 0, 1}, {2, 2});
  Tensor pos = vec({1, 0.1, 0, 1, 9, 9, /* anchor 1 */ 1, 1, 0, 0, 0, 0}, {2, 3, 2});
  Tensor pos_mask = vec({1, 1, 0, 1, 0, 0}, {2, 3});
  Tensor neg = vec({1, 0.5, -1, 0, 0, 0, /* anchor 1 has none */ 1, 0, 1, 0, 1, 0}, {2, 3, 2});
  Tensor neg_mask = vec({1, 1, 0, 0, 0, 0}, {2, 3});
  auto r = nn::triplet_loss_hardest(a, pos, pos_mask, neg, neg_mask);
  CHECK(r.positive_index.to_vector() == std::vector<double>{1, 0});
  CHECK(r.negative_index.to_vector() == std::vector<double>{0, -1});
  CHECK(r.anchors == 1);
  double expect = std::max(0.0, cosd({1, 0}, {0, 1}) - cosd({1, 0}, {1, 0.5}) + 0.5);
  CHECK(r.loss.item() == doctest::Approx(expect));
  // No anchor with both sets: zero loss, no NaN.
  auto none = nn::triplet_loss_hardest(a, pos, zeros({2, 3}), neg, neg_mask);
  CHECK(none.loss.item() == 0.0);
  CHECK(none.anchors == 0);
  CHECK_THROWS_WITH_AS(nn::triplet_loss_hardest(a, pos, zeros({2, 4}), neg, neg_mask), doctest::Contains("mask must be [B, T]"), Error);
}

TEST_CASE("triplet_loss_hardest and batch_hard: gradcheck (unique extremes)") {
  Tensor a = testing::input({3, 4}, 11), pos = testing::input({3, 5, 4}, 12), neg = testing::input({3, 5, 4}, 13);
  Tensor pm = vec({1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1}, {3, 5});
  Tensor nm = vec({1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0}, {3, 5});
  CHECK(testing::gradcheck(
      [&](const TensorList& in) { return nn::triplet_loss_hardest(in[0], in[1], pm, in[2], nm, {.margin = 1.0}).loss; },
      {a, pos, neg}));
  Tensor e = testing::input({6, 3}, 21);
  Tensor labels = from_vector(std::vector<int64_t>{0, 1, 0, 1, 1, 0}, {6});
  auto r = nn::triplet_loss_batch_hard(e.detach(), labels);
  CHECK(r.anchors == 6);
  for (int64_t i = 0; i < 6; ++i) {
    auto p = static_cast<int64_t>(r.positive_index.at({i})), n = static_cast<int64_t>(r.negative_index.at({i}));
    CHECK(p != i);
    CHECK(labels.at({p}) == labels.at({i}));
    CHECK(labels.at({n}) != labels.at({i}));
  }
  CHECK(testing::gradcheck([&](const TensorList& in) { return nn::triplet_loss_batch_hard(in[0], labels, {.margin = 1.0}).loss; },
                           {e}));
}

TEST_CASE("triplet_loss_random: draws only valid candidates, reproducibly") {
  Tensor a = testing::input({4, 3}, 1).detach();
  Tensor pos = testing::input({4, 6, 3}, 2).detach(), neg = testing::input({4, 6, 3}, 3).detach();
  Tensor pm = vec({0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, {4, 6});
  Tensor nm = ones({4, 6});
  Generator g1(5), g2(5);
  auto r1 = nn::triplet_loss_random(a, pos, pm, neg, nm, &g1);
  auto r2 = nn::triplet_loss_random(a, pos, pm, neg, nm, &g2);
  CHECK(r1.positive_index.to_vector() == r2.positive_index.to_vector());
  CHECK(r1.loss.item() == r2.loss.item());
  CHECK(r1.positive_index.at({2}) == -1);  // anchor 2 has no positive
  CHECK(r1.anchors == 3);
  for (int64_t i : {0, 1, 3}) CHECK(pm.at({i, static_cast<int64_t>(r1.positive_index.at({i}))}) == 1);
}
