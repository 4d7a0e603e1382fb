#pragma once
// Evaluation metrics for CTR models.
//   auc        exact ROC AUC = Mann-Whitney U / (P N), ranks from one sort, tied scores get
//              their average rank. NaN when the labels hold one class only (AUC undefined).
//   logloss    mean -[y log p + (1 - y) log(1 - p)] in float64 with p clipped to
//              [1e-7, 1 - 1e-7] (as FuxiCTR/sklearn), from probabilities or from logits.
//   group_auc  per-group (user) AUC averaged with weights = the group's row count; groups
//              with one class only are skipped (DIN's GAUC); NaN when every group is.
// Errors: empty input, different lengths, a label other than 0/1, a NaN score (naming its
// position).
#include <cstdint>
#include <span>
#include <vector>

namespace tg::data {

double auc(std::span<const float> scores, std::span<const float> labels);
double logloss(std::span<const float> probabilities, std::span<const float> labels);
double logloss_from_logits(std::span<const float> logits, std::span<const float> labels);
double group_auc(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> groups);

}  // namespace tg::data

namespace tg::data {

// Ranking metrics per user, then averaged over users (EAIN's table): each user's rows are
// ranked by score (descending; ties by row order), relevant = label 1.
//   precision@K = relevant among the top K / K (K = min(K, the user's rows)),
//   recall@K    = relevant among the top K / the user's relevant rows,
//   F1@K        = 2 P R / (P + R) (0 when both are 0).
// Users without any relevant row are skipped by recall and F1 (their recall is undefined)
// and counted by precision. NaN when no user qualifies.
struct RankingAtK {
  double precision = 0, recall = 0, f1 = 0;
  int64_t users = 0;  // users counted by recall/F1
};
RankingAtK ranking_at_k(std::span<const float> scores, std::span<const float> labels, std::span<const int64_t> users,
                        int64_t k);

}  // namespace tg::data
