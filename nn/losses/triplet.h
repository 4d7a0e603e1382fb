#pragma once
// Triplet loss with cosine distance (DUMN, design/models.md §4.3, eqs. 16-20):
//
//   d(a, b) = 1 - cos(a, b)          cos as ops::cosine_similarity (each vector's norm clamped
//                                    at eps on its own)
//   per anchor:  hinge = max(0, d(a, p) - d(a, n) + margin)
//   loss = mean of hinge over the anchors that have both a positive and a negative; anchors
//          lacking either are left out of the mean (and get no gradient); 0 when none has.
//
// Ways to pick (p, n) for each anchor:
//   triplet_loss             given: positive and negative rows [B, Z]
//   triplet_loss_hardest     mined among each anchor's OWN candidate sets, what DUMN needs:
//                            anchor [B, Z], positive candidates [B, T, Z] with mask [B, T],
//                            negative candidates [B, T', Z] with mask [B, T'] (nonzero = a real
//                            candidate, zero = padding). The hardest positive is the valid one
//                            farthest from the anchor (largest d), the hardest negative the
//                            closest (smallest d); ties go to the first. The gradient flows
//                            through the chosen pair only.
//   triplet_loss_random      the same sets, one valid candidate of each drawn uniformly from a
//                            Generator (DUMN_RS). Same generator state, same draws.
//   triplet_loss_batch_hard  mined within the batch: embeddings [B, Z] with class labels [B]
//                            (equal values = same class) or a same-class mask [B, B]; positives
//                            are the other rows of the anchor's class (never itself), negatives
//                            the rows of other classes.
//   triplet_loss_batch_random  the same, one positive and one negative drawn per anchor.
//
// TripletOptions::pool = TripletPool::Batch (DUMN's triplet_pool=batch) makes the candidate
// forms pick among the valid candidates of EVERY sample of the batch (the B*T rows, masked by
// the flattened mask), not only the anchor's own; indices are then flat positions b * T + t.
//
// Distances for mining are computed as normalised rows and one batched product (no [B, T, Z]
// product per pair); the random forms compute only the B drawn pairs.
#include <cstdint>

#include "core/rng.h"
#include "core/tensor.h"

namespace tg::nn {

enum class TripletPool {
  Own,    // each anchor's own candidates (DUMN's default)
  Batch,  // the candidates of every sample in the batch
};

struct TripletOptions {
  double margin = 0.5;
  double eps = 1e-8;  // of the cosine's norms
  TripletPool pool = TripletPool::Own;
};

struct TripletResult {
  Tensor loss;            // scalar, differentiable
  Tensor hinge;           // [B], each anchor's hinge (0 where left out), differentiable
  Tensor positive_index;  // int64 [B]: the chosen positive (candidate t, flat b*T+t with the
                          // Batch pool, or row j for the batch forms); -1 where there is none
  Tensor negative_index;  // int64 [B], the same for the negative
  int64_t anchors = 0;    // anchors in the mean
};

// 1 - cos(a, b) along the last dimension (a and b broadcast), differentiable.
Tensor cosine_distance(const Tensor& a, const Tensor& b, double eps = 1e-8);

// anchor, positive, negative [B, Z]; valid [B] (optional; nonzero = counted in the mean).
Tensor triplet_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                    TripletOptions options = {}, const Tensor& valid = Tensor());

TripletResult triplet_loss_hardest(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                   const Tensor& negatives, const Tensor& negative_mask, TripletOptions options = {});
// gen: null = the default generator.
TripletResult triplet_loss_random(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                  const Tensor& negatives, const Tensor& negative_mask, Generator* gen = nullptr,
                                  TripletOptions options = {});

// classes: labels [B] (any dtype) or a same-class mask [B, B] (bool or nonzero = same).
// options.pool is ignored (the pool is the batch).
TripletResult triplet_loss_batch_hard(const Tensor& embeddings, const Tensor& classes, TripletOptions options = {});
TripletResult triplet_loss_batch_random(const Tensor& embeddings, const Tensor& classes, Generator* gen = nullptr,
                                        TripletOptions options = {});

}  // namespace tg::nn
