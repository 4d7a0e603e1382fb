#include "data/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "core/error.h"

namespace tg::data {

namespace {
void check_inputs(const char* what, std::span<const float> scores, std::span<const float> labels) {
  check(!scores.empty(), "{}: no examples", what);
  check(scores.size() == labels.size(), "{}: {} scores but {} labels", what, scores.size(), labels.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    check(!std::isnan(scores[i]), "{}: score {} is NaN", what, i);
    check(labels[i] == 0.0f || labels[i] == 1.0f, "{}: label {} is {}, not 0 or 1", what, i, labels[i]);
  }
}

// AUC of the given positions (already validated).
double auc_of(std::span<const float> scores, std::span<const float> labels, std::vector<uint32_t>& order) {
  const size_t n = scores.size();
  order.resize(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, positives = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double avg_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1..j
    for (size_t k = i; k < j; ++k)
      if (labels[order[k]] == 1.0f) rank_sum += avg_rank, positives += 1;
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return std::nan("");
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}
}  // namespace

double auc(std::span<const float> scores, std::span<const float> labels) {
  check_inputs("auc", scores, labels);
  check(scores.size() < (1ull << 32), "auc: more than 2^32 examples");
  std::vector<uint32_t> order;
  return auc_of(scores, labels, order);
}

double logloss(std::span<const float> probabilities, std::span<const float> labels) {
  check_inputs("logloss", probabilities, labels);
  constexpr double eps = 1e-7;
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    check(probabilities[i] >= 0.0f && probabilities[i] <= 1.0f, "logloss: probability {} is {}, outside [0, 1]", i,
          probabilities[i]);
    const double p = std::clamp(static_cast<double>(probabilities[i]), eps, 1 - eps);
    sum -= labels[i] == 1.0f ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(labels.size());
}

double logloss_from_logits(std::span<const float> logits, std::span<const float> labels) {
  check_inputs("logloss_from_logits", logits, labels);
  std::vector<float> p(logits.size());
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(logits[i]))));
  return logloss(p, labels);
}

double group_auc(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> groups) {
  check_inputs("group_auc", scores, labels);
  check(groups.size() == scores.size(), "group_auc: {} scores but {} group ids", scores.size(), groups.size());
  std::unordered_map<int64_t, std::vector<uint32_t>> members;
  for (size_t i = 0; i < groups.size(); ++i) members[groups[i]].push_back(static_cast<uint32_t>(i));
  double weighted = 0, weight = 0;
  std::vector<float> s, l;
  std::vector<uint32_t> order;
  for (auto& [g, idx] : members) {
    s.clear(), l.clear();
    for (uint32_t i : idx) s.push_back(scores[i]), l.push_back(labels[i]);
    double a = auc_of(s, l, order);
    if (std::isnan(a)) continue;
    weighted += a * static_cast<double>(idx.size());
    weight += static_cast<double>(idx.size());
  }
  return weight > 0 ? weighted / weight : std::nan("");
}

}  // namespace tg::data

namespace tg::data {

RankingAtK ranking_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                        int64_t k) {
  check_inputs("ranking_at_k", scores, labels);
  check(users.size() == scores.size(), "ranking_at_k: {} scores but {} user ids", scores.size(), users.size());
  check(k >= 1, "ranking_at_k: K must be >= 1, got {}", k);
  std::unordered_map<int64_t, std::vector<uint32_t>> rows;
  for (size_t i = 0; i < users.size(); ++i) rows[users[i]].push_back(static_cast<uint32_t>(i));
  double p_sum = 0, r_sum = 0, f_sum = 0;
  int64_t p_users = 0, r_users = 0;
  for (auto& [u, idx] : rows) {
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
    const size_t top = std::min<size_t>(static_cast<size_t>(k), idx.size());
    double hits = 0, relevant = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      relevant += labels[idx[i]];
      if (i < top) hits += labels[idx[i]];
    }
    const double p = hits / static_cast<double>(top);
    p_sum += p, ++p_users;
    if (relevant == 0) continue;
    const double r = hits / relevant;
    r_sum += r, ++r_users;
    f_sum += p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
  RankingAtK out;
  out.precision = p_users ? p_sum / static_cast<double>(p_users) : std::nan("");
  out.recall = r_users ? r_sum / static_cast<double>(r_users) : std::nan("");
  out.f1 = r_users ? f_sum / static_cast<double>(r_users) : std::nan("");
  out.users = r_users;
  return out;
}

}  // namespace tg::data
