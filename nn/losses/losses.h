#pragma once
// Losses that models add to the logloss (ops::logloss, re-exported here):
//
// l2_penalty(params, lambda) = lambda / 2 * sum_w ||w||^2 over whole tensors (FuxiCTR's
//   regularizer, design/models.md §0: whole tables every step, not only the rows looked up).
//
// Triplet loss with cosine distance d(a, b) = 1 - cos(a, b) and a margin (DUMN, models.md
// §4.3): per anchor, hinge max(0, d(a, p) - d(a, n) + margin), averaged over the anchors that
// have both a positive and a negative (zero when none has). Three ways to choose (p, n):
//   given          positive and negative tensors [B, Z]
//   hardest        per anchor among its own candidates [B, T, Z] with masks [B, T]: the
//                  positive farthest from the anchor (largest d), the negative closest
//                  (smallest d); the gradient flows to the chosen pair only
//   random         one uniformly drawn valid candidate of each set (DUMN_RS), from a Generator
//   batch_hard     within the batch by labels: positives share the anchor's label (itself
//                  excluded), negatives do not
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "nn/module.h"
#include "ops/loss.h"

namespace tg::nn {

using ops::logloss;
using ops::LoglossOptions;

Tensor l2_penalty(const std::vector<Tensor>& params, double lambda);
enum class L2Scope { All, Embeddings, Dense };
Tensor l2_penalty(const Module& module, double lambda, L2Scope scope = L2Scope::All);

struct TripletOptions {
  double margin = 0.5;
  double eps = 1e-8;  // of the cosine
};

struct TripletResult {
  Tensor loss;            // scalar
  Tensor positive_index;  // int64 [B], -1 where the anchor has no positive
  Tensor negative_index;  // int64 [B], -1 where it has no negative
  int64_t anchors = 0;    // anchors in the mean
};

// anchor, positive, negative [B, Z]; valid [B] (optional, nonzero = counted).
Tensor triplet_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                    TripletOptions options = {}, const Tensor& valid = Tensor());
// anchor [B, Z]; candidates [B, T, Z] with masks [B, T] (nonzero = a real candidate).
TripletResult triplet_loss_hardest(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                   const Tensor& negatives, const Tensor& negative_mask, TripletOptions options = {});
TripletResult triplet_loss_random(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                  const Tensor& negatives, const Tensor& negative_mask, Generator* gen = nullptr,
                                  TripletOptions options = {});
// embeddings [B, Z], labels [B] (any dtype; equal values = same class).
TripletResult triplet_loss_batch_hard(const Tensor& embeddings, const Tensor& labels, TripletOptions options = {});

}  // namespace tg::nn
