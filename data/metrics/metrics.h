#pragma once
// Evaluation metrics for CTR models (namespace tg::data). Inputs are parallel spans: one
// score (or probability, or logit) and one label per example; labels must be exactly 0 or 1.
//
//   auc        exact ROC AUC = Mann-Whitney U / (P N): the examples are sorted once by score,
//              tied scores share their average rank, and
//                AUC = (sum of the positives' ranks - P (P + 1) / 2) / (P N),
//              which equals the fraction of (positive, negative) pairs ordered right with a
//              tie counting one half. O(n log n), one index array, no per-element allocation.
//              Single-class input (P = 0 or N = 0): AUC is undefined and the result is NaN
//              (not an error, so that a tiny validation split cannot crash a training run).
//   logloss    mean -[y log p + (1 - y) log(1 - p)] in float64 with p clipped to
//              [1e-7, 1 - 1e-7] (as FuxiCTR and sklearn's log_loss with eps = 1e-7).
//              From probabilities (each in [0, 1]) or from logits: the logit form is computed
//              from the logit in float64 without rounding p to float, and clipped at the same
//              eps, so the two agree whenever p = sigmoid(logit) is representable.
//   group_auc  DIN's GAUC: the AUC of each group (user) computed on its own rows, averaged
//              with weights = the group's number of rows; groups whose rows hold one class
//              only are skipped. NaN when every group is skipped. One sort by (group, score).
//   precision_at_k / recall_at_k / f1_at_k (EAIN's table): per user, rank the user's rows by
//              score (descending; equal scores keep row order), relevant = label 1, then
//                precision@K = relevant among the top K' / K',  K' = min(K, the user's rows),
//                recall@K    = relevant among the top K' / the user's relevant rows,
//                F1@K        = 2 P R / (P + R), 0 when P = R = 0,
//              each averaged over users. Users without a relevant row are counted by
//              precision (with 0) and skipped by recall and F1 (their recall is undefined).
//              NaN when no user qualifies.
// Errors (tg::Error): empty input, spans of different lengths, a label other than 0/1, a NaN
// score naming its position ("auc: score 17 is NaN"), a probability outside [0, 1], K < 1.
// +-inf scores are allowed (they rank first or last).
#include <cstdint>
#include <span>

namespace tg::data {

double auc(std::span<const float> scores, std::span<const float> labels);
double logloss(std::span<const float> probabilities, std::span<const float> labels);
double logloss_from_logits(std::span<const float> logits, std::span<const float> labels);
double group_auc(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> groups);

struct RankingAtK {
  double precision = 0, recall = 0, f1 = 0;
  int64_t users = 0;  // users counted by recall/F1 (those with at least one relevant row)
};
// All three in one pass (one sort by (user, score)).
RankingAtK ranking_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                        int64_t k);
double precision_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                      int64_t k);
double recall_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                   int64_t k);
double f1_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users, int64_t k);

}  // namespace tg::data
