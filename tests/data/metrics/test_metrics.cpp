// Metrics: hand-computed values (ties, single-class inputs, clipping), brute-force pairwise
// references on random data with ties, group AUC and P/R/F1@K per user, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "data/metrics/metrics.h"

using namespace tg;

namespace {
using V = std::vector<float>;
using G = std::vector<int64_t>;

// O(n^2) reference: the fraction of (positive, negative) pairs ordered right, ties half.
double pairwise_auc(const V& s, const V& y) {
  double good = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        good += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      }
  return pairs > 0 ? good / pairs : std::nan("");
}

// Random scores on a coarse grid (many ties) with labels correlated to the score.
void random_tied(Generator& gen, int n, int levels, V& s, V& y) {
  s.clear(), y.clear();
  for (int i = 0; i < n; ++i) {
    s.push_back(static_cast<float>(gen.next_below(levels)) / static_cast<float>(levels));
    y.push_back(gen.next_double() < 0.2 + 0.6 * s.back() ? 1.0f : 0.0f);
  }
}
}  // namespace

TEST_CASE("auc: hand values with ties") {
  // Positives at 0.9 and 0.4, negatives at 0.5 and 0.1: 3 of 4 pairs right.
  CHECK(data::auc(V{0.9f, 0.5f, 0.4f, 0.1f}, V{1, 0, 1, 0}) == 0.75);
  // (pos 0.7, neg 0.7) is a tie = 1/2, (pos 0.2, neg 0.7) is wrong: (0.5 + 0) / 2.
  CHECK(data::auc(V{0.7f, 0.7f, 0.2f}, V{1, 0, 1}) == doctest::Approx(0.25));
  // Every score tied: exactly 1/2.
  CHECK(data::auc(V{0.3f, 0.3f, 0.3f, 0.3f}, V{1, 0, 1, 0}) == 0.5);
  // A perfect and a reversed ranking.
  CHECK(data::auc(V{0.1f, 0.2f, 0.8f, 0.9f}, V{0, 0, 1, 1}) == 1.0);
  CHECK(data::auc(V{0.1f, 0.2f, 0.8f, 0.9f}, V{1, 1, 0, 0}) == 0.0);
  // Ranks 1..6 of scores {1,2,2,2,3,3}: tied groups get ranks 3 and 5.5. Positives are one
  // of the 2s and both 3s: U = 3 + 5.5 + 5.5 - 3*4/2 = 8, P N = 3 * 3 -> 8/9.
  CHECK(data::auc(V{1, 2, 2, 2, 3, 3}, V{0, 1, 0, 0, 1, 1}) == doctest::Approx(8.0 / 9.0));
  // Infinite scores rank first / last.
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(data::auc(V{inf, -inf, 0.0f}, V{1, 0, 0}) == 1.0);
}

TEST_CASE("auc: single-class input is NaN, bad input is an error") {
  CHECK(std::isnan(data::auc(V{0.1f, 0.2f}, V{1, 1})));
  CHECK(std::isnan(data::auc(V{0.1f, 0.2f, 0.3f}, V{0, 0, 0})));
  CHECK(std::isnan(data::auc(V{0.5f}, V{1})));
  CHECK_THROWS_WITH_AS(data::auc(V{}, V{}), doctest::Contains("auc: no examples"), Error);
  CHECK_THROWS_WITH_AS(data::auc(V{0.1f, 0.3f, NAN}, V{1, 0, 1}), doctest::Contains("auc: score 2 is NaN"), Error);
  CHECK_THROWS_WITH_AS(data::auc(V{0.1f}, V{2}), doctest::Contains("label 0 is 2, not 0 or 1"), Error);
  CHECK_THROWS_WITH_AS(data::auc(V{0.1f, 0.2f}, V{0, 0.5f}), doctest::Contains("label 1 is 0.5"), Error);
  CHECK_THROWS_WITH_AS(data::auc(V{0.1f}, V{1, 0}), doctest::Contains("1 scores but 2 labels"), Error);
}

TEST_CASE("auc: equals the O(n^2) pairwise definition on random data with ties") {
  Generator gen(3);
  V s, y;
  for (int trial = 0; trial < 8; ++trial) {
    random_tied(gen, 200 + 50 * trial, trial % 2 ? 7 : 40, s, y);
    CHECK(data::auc(s, y) == doctest::Approx(pairwise_auc(s, y)).epsilon(1e-12));
  }
}

TEST_CASE("auc: one million scores, against the counting formula on integer scores") {
  // Scores in {0..999}: AUC = sum over levels of pos[l] (neg below l + neg[l] / 2) / (P N),
  // exact in O(n). The sort-based AUC must match it to rounding.
  Generator gen(11);
  const int n = 1'000'000, levels = 1000;
  V s(n), y(n);
  std::vector<double> pos(levels, 0), neg(levels, 0);
  for (int i = 0; i < n; ++i) {
    const int64_t l = gen.next_below(levels);
    s[static_cast<size_t>(i)] = static_cast<float>(l);
    y[static_cast<size_t>(i)] = gen.next_double() < 0.1 + 0.5 * static_cast<double>(l) / levels ? 1.0f : 0.0f;
    (y[static_cast<size_t>(i)] == 1 ? pos : neg)[static_cast<size_t>(l)] += 1;
  }
  double u = 0, below = 0, p = 0, q = 0;
  for (int l = 0; l < levels; ++l) {
    u += pos[static_cast<size_t>(l)] * (below + neg[static_cast<size_t>(l)] / 2);
    below += neg[static_cast<size_t>(l)];
    p += pos[static_cast<size_t>(l)], q += neg[static_cast<size_t>(l)];
  }
  CHECK(data::auc(s, y) == doctest::Approx(u / (p * q)).epsilon(1e-12));
}

TEST_CASE("logloss: hand values, clipping at 1e-7, logits in float64") {
  // -(log 0.8 + log(1 - 0.4)) / 2
  const double expect = -(std::log(0.8) + std::log(0.6)) / 2;
  CHECK(data::logloss(V{0.8f, 0.4f}, V{1, 0}) == doctest::Approx(expect).epsilon(1e-7));
  // p = 0 for a positive and p = 1 for a negative are clipped at 1e-7: -log(1e-7) each.
  CHECK(data::logloss(V{0.0f}, V{1}) == doctest::Approx(-std::log(1e-7)).epsilon(1e-12));
  CHECK(data::logloss(V{1.0f}, V{0}) == doctest::Approx(-std::log(1e-7)).epsilon(1e-6));
  // A right, certain answer costs -log(1 - 1e-7) ~ 1e-7, not 0.
  CHECK(data::logloss(V{1.0f}, V{1}) == doctest::Approx(-std::log1p(-1e-7)).epsilon(1e-6));
  // Logits: sigmoid(0) = 1/2 -> log 2; sigmoid(ln 4) = 0.8 -> the values above.
  CHECK(data::logloss_from_logits(V{0.0f, 0.0f}, V{1, 0}) == doctest::Approx(std::log(2.0)).epsilon(1e-12));
  const float l4 = static_cast<float>(std::log(4.0)), lm = static_cast<float>(std::log(0.4 / 0.6));
  CHECK(data::logloss_from_logits(V{l4, lm}, V{1, 0}) == doctest::Approx(expect).epsilon(1e-6));
  // Extreme logits are clipped like probabilities (p in [1e-7, 1 - 1e-7]); in between the
  // loss is the exact softplus, with no rounding of p to float on the way.
  CHECK(data::logloss_from_logits(V{100.0f}, V{0}) == doctest::Approx(-std::log(1e-7)).epsilon(1e-12));
  CHECK(data::logloss_from_logits(V{-100.0f}, V{1}) == doctest::Approx(-std::log(1e-7)).epsilon(1e-12));
  CHECK(data::logloss_from_logits(V{100.0f}, V{1}) == doctest::Approx(-std::log1p(-1e-7)).epsilon(1e-9));
  CHECK(data::logloss_from_logits(V{5.0f}, V{1}) == doctest::Approx(std::log1p(std::exp(-5.0))).epsilon(1e-12));
  // The two forms agree on random inputs.
  Generator gen(5);
  V logits, probs, y;
  for (int i = 0; i < 1000; ++i) {
    const double x = (gen.next_double() - 0.5) * 12;
    logits.push_back(static_cast<float>(x));
    probs.push_back(static_cast<float>(1 / (1 + std::exp(-static_cast<double>(logits.back())))));
    y.push_back(gen.next_double() < 0.5 ? 1.0f : 0.0f);
  }
  CHECK(data::logloss_from_logits(logits, y) == doctest::Approx(data::logloss(probs, y)).epsilon(1e-6));
  CHECK_THROWS_WITH_AS(data::logloss(V{1.5f}, V{1}), doctest::Contains("probability 0 is 1.5, outside [0, 1]"), Error);
  CHECK_THROWS_WITH_AS(data::logloss(V{}, V{}), doctest::Contains("logloss: no examples"), Error);
  CHECK_THROWS_WITH_AS(data::logloss_from_logits(V{0.0f, NAN}, V{1, 0}), doctest::Contains("score 1 is NaN"), Error);
}

TEST_CASE("group_auc: weighted by group size, single-class groups skipped") {
  V s = {0.9f, 0.1f, 0.2f, 0.8f, 0.5f, 0.6f, 0.7f};
  V y = {1, 0, 1, 0, 1, 1, 1};
  // group 1: AUC 1 (2 rows); group 2: AUC 0 (2 rows); group 3: one class, skipped.
  CHECK(data::group_auc(s, y, G{1, 1, 2, 2, 3, 3, 3}) == doctest::Approx(0.5));
  // group 1 pairs: 0.9>0.1, 0.9>0.8, 0.2>0.1 right, 0.2<0.8 wrong: 3/4; group 2 one class.
  CHECK(data::group_auc(s, y, G{1, 1, 1, 1, 2, 2, 2}) == doctest::Approx(0.75));
  // Weights: group 7 (AUC 1, 2 rows) and group 4 (AUC 3/4, 4 rows): (2 + 3) / 6; ids need
  // not be sorted or contiguous.
  CHECK(data::group_auc(V{0.9f, 0.9f, 0.1f, 0.2f, 0.8f, 0.1f}, V{1, 1, 0, 1, 0, 0}, G{7, 4, 7, 4, 4, 4}) ==
        doctest::Approx((2 * 1.0 + 4 * 0.75) / 6));
  CHECK(std::isnan(data::group_auc(s, y, G{1, 2, 3, 4, 5, 6, 7})));
  CHECK_THROWS_WITH_AS(data::group_auc(s, y, G{1, 2}), doctest::Contains("7 scores but 2 group ids"), Error);
  CHECK_THROWS_WITH_AS(data::group_auc(V{0.1f, NAN}, V{1, 0}, G{1, 1}), doctest::Contains("group_auc: score 1 is NaN"),
                       Error);
}

TEST_CASE("group_auc: equals per-group pairwise AUC weighted by rows, on random data") {
  Generator gen(8);
  V s, y;
  random_tied(gen, 600, 9, s, y);
  G g;
  for (size_t i = 0; i < s.size(); ++i) g.push_back(gen.next_below(25) * 3 - 20);
  std::map<int64_t, std::pair<V, V>> by;
  for (size_t i = 0; i < s.size(); ++i) by[g[i]].first.push_back(s[i]), by[g[i]].second.push_back(y[i]);
  double num = 0, den = 0;
  for (auto& [id, sy] : by) {
    const double a = pairwise_auc(sy.first, sy.second);
    if (std::isnan(a)) continue;
    num += a * static_cast<double>(sy.first.size()), den += static_cast<double>(sy.first.size());
  }
  CHECK(data::group_auc(s, y, g) == doctest::Approx(num / den).epsilon(1e-12));
}

TEST_CASE("precision, recall and F1 at K: per user, then averaged") {
  // user 1: scores 0.9 (1), 0.8 (0), 0.7 (1): top-2 holds 1 relevant -> P 1/2, R 1/2, F1 1/2
  // user 2: 0.4 (1), 0.6 (0): top-2 = both -> P 1/2, R 1, F1 2/3
  // user 3: 0.5 (0): P 0; no relevant row -> out of recall and F1
  V s = {0.9f, 0.8f, 0.7f, 0.4f, 0.6f, 0.5f};
  V y = {1, 0, 1, 1, 0, 0};
  G u = {1, 1, 1, 2, 2, 3};
  auto r = data::ranking_at_k(s, y, u, 2);
  CHECK(r.precision == doctest::Approx((0.5 + 0.5 + 0.0) / 3));
  CHECK(r.recall == doctest::Approx((0.5 + 1.0) / 2));
  CHECK(r.f1 == doctest::Approx((0.5 + 2.0 / 3.0) / 2));
  CHECK(r.users == 2);
  CHECK(data::precision_at_k(s, y, u, 2) == r.precision);
  CHECK(data::recall_at_k(s, y, u, 2) == r.recall);
  CHECK(data::f1_at_k(s, y, u, 2) == r.f1);
  // K = 1: user 1 top is relevant (P 1, R 1/2, F1 2/3); user 2 top is 0.6 (0) -> 0, 0, 0.
  auto r1 = data::ranking_at_k(s, y, u, 1);
  CHECK(r1.precision == doctest::Approx(1.0 / 3));
  CHECK(r1.recall == doctest::Approx(0.25));
  CHECK(r1.f1 == doctest::Approx(1.0 / 3));
  // Equal scores keep row order: row 0 (label 0) ranks before row 1 (label 1).
  CHECK(data::precision_at_k(V{0.5f, 0.5f}, V{0, 1}, G{4, 4}, 1) == 0.0);
  CHECK(data::precision_at_k(V{0.5f, 0.5f}, V{1, 0}, G{4, 4}, 1) == 1.0);
  // No user has a relevant row: precision 0, recall and F1 NaN.
  auto none = data::ranking_at_k(V{0.1f, 0.2f}, V{0, 0}, G{1, 2}, 3);
  CHECK(none.precision == 0.0);
  CHECK(std::isnan(none.recall));
  CHECK(std::isnan(none.f1));
  CHECK(none.users == 0);
  CHECK_THROWS_WITH_AS(data::ranking_at_k(s, y, u, 0), doctest::Contains("K must be >= 1, got 0"), Error);
  CHECK_THROWS_WITH_AS(data::recall_at_k(s, y, G{1}, 2), doctest::Contains("6 scores but 1 user ids"), Error);
  CHECK_THROWS_WITH_AS(data::f1_at_k(V{}, V{}, G{}, 2), doctest::Contains("no examples"), Error);
}
