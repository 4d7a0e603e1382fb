#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "data/metrics/metrics.h"

using namespace tg;

namespace {
// O(n^2) reference: the fraction of (positive, negative) pairs ordered right, ties half.
double pairwise_auc(const std::vector<float>& s, const std::vector<float>& y) {
  double good = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        good += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      }
  return good / pairs;
}
}  // namespace

TEST_CASE("auc: hand values, ties and single-class input") {
  // Positives at 0.9 and 0.4, negatives at 0.5 and 0.1: 3 of 4 pairs right.
  CHECK(data::auc(std::vector<float>{0.9f, 0.5f, 0.4f, 0.1f}, std::vector<float>{1, 0, 1, 0}) == 0.75);
  // A tie between a positive and a negative counts one half: (1 + 0.5) / 2.
  CHECK(data::auc(std::vector<float>{0.7f, 0.7f, 0.2f}, std::vector<float>{1, 0, 1}) == doctest::Approx(0.25));
  CHECK(data::auc(std::vector<float>{0.3f, 0.3f, 0.3f, 0.3f}, std::vector<float>{1, 0, 1, 0}) == 0.5);
  CHECK(std::isnan(data::auc(std::vector<float>{0.1f, 0.2f}, std::vector<float>{1, 1})));
  CHECK_THROWS_WITH_AS(data::auc(std::vector<float>{}, std::vector<float>{}), doctest::Contains("no examples"), Error);
  CHECK_THROWS_WITH_AS(data::auc(std::vector<float>{0.1f, NAN}, std::vector<float>{1, 0}),
                       doctest::Contains("score 1 is NaN"), Error);
  CHECK_THROWS_WITH_AS(data::auc(std::vector<float>{0.1f}, std::vector<float>{2}), doctest::Contains("label 0 is 2"),
                       Error);
  CHECK_THROWS_WITH_AS(data::auc(std::vector<float>{0.1f}, std::vector<float>{1, 0}),
                       doctest::Contains("1 scores but 2 labels"), Error);
}

TEST_CASE("auc: equals the pairwise definition on random data with many ties") {
  Generator gen(3);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<float> s, y;
    for (int i = 0; i < 300; ++i) {
      s.push_back(static_cast<float>(gen.next_below(20)) / 20.0f);  // 20 distinct scores: ties galore
      y.push_back(gen.next_double() < 0.3 + 0.02 * s.back() * 20 ? 1.0f : 0.0f);
    }
    CHECK(data::auc(s, y) == doctest::Approx(pairwise_auc(s, y)).epsilon(1e-12));
  }
}

TEST_CASE("logloss: hand values, clipping, logits") {
  // -(log 0.8 + log(1 - 0.4)) / 2
  double expect = -(std::log(0.8) + std::log(0.6)) / 2;
  CHECK(data::logloss(std::vector<float>{0.8f, 0.4f}, std::vector<float>{1, 0}) == doctest::Approx(expect).epsilon(1e-7));
  // p = 0 for a positive is clipped at 1e-7: -log(1e-7)
  CHECK(data::logloss(std::vector<float>{0.0f}, std::vector<float>{1}) == doctest::Approx(-std::log(1e-7)));
  CHECK(data::logloss_from_logits(std::vector<float>{0.0f, 0.0f}, std::vector<float>{1, 0}) ==
        doctest::Approx(std::log(2.0)).epsilon(1e-7));
  CHECK_THROWS_WITH_AS(data::logloss(std::vector<float>{1.5f}, std::vector<float>{1}), doctest::Contains("outside [0, 1]"),
                       Error);
}

TEST_CASE("group_auc: weighted by group size, single-class groups skipped") {
  std::vector<float> s = {0.9f, 0.1f, 0.2f, 0.8f, 0.5f, 0.6f, 0.7f};
  std::vector<float> y = {1, 0, 1, 0, 1, 1, 1};
  std::vector<int64_t> g = {1, 1, 2, 2, 3, 3, 3};  // group 1: AUC 1; group 2: AUC 0; group 3: one class
  CHECK(data::group_auc(s, y, g) == doctest::Approx(0.5));
  std::vector<int64_t> g2 = {1, 1, 1, 1, 2, 2, 2};
  // group 1 pairs: 0.9>0.1, 0.9>0.8, 0.2>0.1 right, 0.2<0.8 wrong: 3/4; group 2 one class.
  CHECK(data::group_auc(s, y, g2) == doctest::Approx(0.75));
  std::vector<int64_t> g3 = {1, 2, 3, 4, 5, 6, 7};
  CHECK(std::isnan(data::group_auc(s, y, g3)));
}

TEST_CASE("ranking_at_k: precision, recall and F1 per user, averaged") {
  // user 1: scores 0.9 (1), 0.8 (0), 0.7 (1): top-2 has 1 relevant of 2 -> P 0.5, R 0.5
  // user 2: 0.4 (1), 0.6 (0): top-2 = both -> P 0.5, R 1
  // user 3: 0.5 (0): P 0, no relevant -> out of recall/F1
  std::vector<float> s = {0.9f, 0.8f, 0.7f, 0.4f, 0.6f, 0.5f};
  std::vector<float> y = {1, 0, 1, 1, 0, 0};
  std::vector<int64_t> u = {1, 1, 1, 2, 2, 3};
  auto r = data::ranking_at_k(s, y, u, 2);
  CHECK(r.precision == doctest::Approx((0.5 + 0.5 + 0.0) / 3));
  CHECK(r.recall == doctest::Approx((0.5 + 1.0) / 2));
  CHECK(r.f1 == doctest::Approx((0.5 + 2 * 0.5 * 1.0 / 1.5) / 2));
  CHECK(r.users == 2);
  CHECK_THROWS_WITH_AS(data::ranking_at_k(s, y, u, 0), doctest::Contains("K must be >= 1"), Error);
}
