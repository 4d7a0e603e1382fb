#include "data/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/error.h"

namespace tg::data {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = 1e-7;

void check_inputs(const char* what, std::span<const float> scores, std::span<const float> labels) {
  check(!scores.empty(), "{}: no examples", what);
  check(scores.size() == labels.size(), "{}: {} scores but {} labels", what, scores.size(), labels.size());
  check(scores.size() < (size_t{1} << 32), "{}: {} examples, more than 2^32", what, scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    check(!std::isnan(scores[i]), "{}: score {} is NaN", what, i);
    check(labels[i] == 0.0f || labels[i] == 1.0f, "{}: label {} is {}, not 0 or 1", what, i, labels[i]);
  }
}

void check_groups(const char* what, size_t n, size_t groups, const char* kind) {
  check(groups == n, "{}: {} scores but {} {} ids", what, n, groups, kind);
}

// Mann-Whitney AUC of the rows order[0..n), which are sorted by ascending score.
double auc_sorted(const uint32_t* order, size_t n, std::span<const float> scores, std::span<const float> labels) {
  double rank_sum = 0, positives = 0;
  for (size_t i = 0; i < n;) {
    const float s = scores[order[i]];
    size_t j = i;
    double tied_positives = 0;
    for (; j < n && scores[order[j]] == s; ++j) tied_positives += labels[order[j]];
    rank_sum += tied_positives * 0.5 * static_cast<double>(i + 1 + j);  // the average of ranks i+1..j
    positives += tied_positives;
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

// -log of a clipped probability from a logit, in float64: softplus(-x) for y = 1 and
// softplus(x) for y = 0, bounded as -log(clip(p)) is.
double clipped_logit_loss(double x, bool positive) {
  const double t = positive ? -x : x;
  const double softplus = std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t)));
  return std::clamp(softplus, -std::log1p(-kEps), -std::log(kEps));
}

// Row indices sorted by (user ascending, score descending, row ascending).
std::vector<uint32_t> order_by_user_then_score(std::span<const float> scores, std::span<const int64_t> users) {
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (users[a] != users[b]) return users[a] < users[b];
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return a < b;
  });
  return order;
}

}  // namespace

double auc(std::span<const float> scores, std::span<const float> labels) {
  check_inputs("auc", scores, labels);
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] < scores[b]; });
  return auc_sorted(order.data(), order.size(), scores, labels);
}

double logloss(std::span<const float> probabilities, std::span<const float> labels) {
  check_inputs("logloss", probabilities, labels);
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    check(probabilities[i] >= 0.0f && probabilities[i] <= 1.0f, "logloss: probability {} is {}, outside [0, 1]", i,
          probabilities[i]);
    const double p = std::clamp(static_cast<double>(probabilities[i]), kEps, 1 - kEps);
    sum -= labels[i] == 1.0f ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(labels.size());
}

double logloss_from_logits(std::span<const float> logits, std::span<const float> labels) {
  check_inputs("logloss_from_logits", logits, labels);
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) sum += clipped_logit_loss(logits[i], labels[i] == 1.0f);
  return sum / static_cast<double>(labels.size());
}

double group_auc(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> groups) {
  check_inputs("group_auc", scores, labels);
  check_groups("group_auc", scores.size(), groups.size(), "group");
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return groups[a] != groups[b] ? groups[a] < groups[b] : scores[a] < scores[b];
  });
  double weighted = 0, weight = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && groups[order[j]] == groups[order[i]]) ++j;
    const double a = auc_sorted(order.data() + i, j - i, scores, labels);
    if (!std::isnan(a)) {
      weighted += a * static_cast<double>(j - i);
      weight += static_cast<double>(j - i);
    }
    i = j;
  }
  return weight > 0 ? weighted / weight : kNaN;
}

RankingAtK ranking_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                        int64_t k) {
  check_inputs("ranking_at_k", scores, labels);
  check_groups("ranking_at_k", scores.size(), users.size(), "user");
  check(k >= 1, "ranking_at_k: K must be >= 1, got {}", k);
  const std::vector<uint32_t> order = order_by_user_then_score(scores, users);
  double p_sum = 0, r_sum = 0, f_sum = 0;
  int64_t p_users = 0, r_users = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && users[order[j]] == users[order[i]]) ++j;
    const size_t top = std::min<size_t>(static_cast<size_t>(k), j - i);
    double hits = 0, relevant = 0;
    for (size_t r = i; r < j; ++r) {
      relevant += labels[order[r]];
      if (r < i + top) hits += labels[order[r]];
    }
    const double p = hits / static_cast<double>(top);
    p_sum += p, ++p_users;
    if (relevant > 0) {
      const double rec = hits / relevant;
      r_sum += rec, ++r_users;
      f_sum += p + rec > 0 ? 2 * p * rec / (p + rec) : 0.0;
    }
    i = j;
  }
  RankingAtK out;
  out.precision = p_users ? p_sum / static_cast<double>(p_users) : kNaN;
  out.recall = r_users ? r_sum / static_cast<double>(r_users) : kNaN;
  out.f1 = r_users ? f_sum / static_cast<double>(r_users) : kNaN;
  out.users = r_users;
  return out;
}

double precision_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                      int64_t k) {
  return ranking_at_k(scores, labels, users, k).precision;
}
double recall_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                   int64_t k) {
  return ranking_at_k(scores, labels, users, k).recall;
}
double f1_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users, int64_t k) {
  return ranking_at_k(scores, labels, users, k).f1;
}

}  // namespace tg::data
