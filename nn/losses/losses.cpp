#include "nn/losses/losses.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/error.h"
#include "ops/ops.h"

namespace tg::nn {

Tensor l2_penalty(const std::vector<Tensor>& params, double lambda) {
  check(lambda >= 0, "l2_penalty: lambda must be >= 0, got {}", lambda);
  check(!params.empty(), "l2_penalty: no parameters");
  Tensor total;
  for (const auto& p : params) {
    Tensor s = ops::sum(ops::mul(p, p));
    total = total.defined() ? ops::add(total, s) : s;
  }
  return ops::mul(total, scalar_tensor(lambda / 2, {.dtype = total.dtype()}));
}

Tensor l2_penalty(const Module& module, double lambda, L2Scope scope) {
  std::vector<Tensor> chosen;
  for (const auto& p : module.named_parameters()) {
    const bool table = p.role == ParamRole::Embedding;
    if (scope == L2Scope::All || (scope == L2Scope::Embeddings) == table) chosen.push_back(p.value);
  }
  check(!chosen.empty(), "l2_penalty: the module has no parameters in the chosen scope");
  return l2_penalty(chosen, lambda);
}

namespace {

Tensor as_bool(const Tensor& mask) { return mask.dtype() == kBool ? mask : ops::ne(mask, 0.0); }

// The mean of max(0, dp - dn + margin) over rows where `valid` (bool [B]) holds.
Tensor hinge_mean(const Tensor& dp, const Tensor& dn, const Tensor& valid, double margin, int64_t& count) {
  Tensor w = valid.to(dp.dtype());
  count = static_cast<int64_t>(ops::sum(w).item());
  Tensor h = ops::mul(ops::relu(ops::add(ops::sub(dp, dn), scalar_tensor(margin, {.dtype = dp.dtype()}))), w);
  return ops::div(ops::sum(h), scalar_tensor(static_cast<double>(std::max<int64_t>(count, 1)), {.dtype = dp.dtype()}));
}

// 1 - cos(anchor [B, Z], candidates [B, T, Z]) -> [B, T], each vector normalised with its own
// clamp (the rule of ops::cosine_similarity), the dot products as one batched GEMM.
Tensor cosine_distance_rows(const Tensor& anchor, const Tensor& candidates, double eps) {
  Tensor a = ops::normalize(anchor, 1, eps).unsqueeze(2);  // [B, Z, 1]
  Tensor c = ops::normalize(candidates, 2, eps);           // [B, T, Z]
  Tensor cos = ops::bmm(c, a).squeeze(2);
  return ops::sub(scalar_tensor(1.0, {.dtype = cos.dtype()}), cos);
}

void check_candidates(const char* op, const Tensor& anchor, const Tensor& cand, const Tensor& mask) {
  check(anchor.dim() == 2, "{}: anchor must be [B, Z], got {}", op, anchor.shape());
  check(cand.dim() == 3 && cand.size(0) == anchor.size(0) && cand.size(2) == anchor.size(1),
        "{}: candidates must be [B, T, Z] = [{}, T, {}], got {}", op, anchor.size(0), anchor.size(1), cand.shape());
  check(mask.dim() == 2 && mask.size(0) == cand.size(0) && mask.size(1) == cand.size(1),
        "{}: mask must be [B, T] = [{}, {}], got {}", op, cand.size(0), cand.size(1), mask.shape());
}

Tensor valid_of(const Tensor& pos_index, const Tensor& neg_index) {
  return ops::logical_and(ops::ge(pos_index, 0.0), ops::ge(neg_index, 0.0));
}

// The loss of the selected (hardest) pairs; anchors lacking either side are left out.
TripletResult from_hardest(const ops::MaxResult& pos, const ops::MaxResult& neg, double margin) {
  TripletResult r;
  r.positive_index = pos.indices;
  r.negative_index = neg.indices;
  r.loss = hinge_mean(pos.values, neg.values, valid_of(r.positive_index, r.negative_index), margin, r.anchors);
  return r;
}

}  // namespace

Tensor triplet_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, TripletOptions options,
                    const Tensor& valid) {
  check(anchor.dim() == 2 && positive.shape() == anchor.shape() && negative.shape() == anchor.shape(),
        "triplet_loss: anchor, positive and negative must be the same [B, Z], got {}, {}, {}", anchor.shape(),
        positive.shape(), negative.shape());
  Tensor dp = ops::sub(scalar_tensor(1.0, {.dtype = anchor.dtype()}), ops::cosine_similarity(anchor, positive, -1, options.eps));
  Tensor dn = ops::sub(scalar_tensor(1.0, {.dtype = anchor.dtype()}), ops::cosine_similarity(anchor, negative, -1, options.eps));
  Tensor v = valid.defined() ? as_bool(valid) : ones({anchor.size(0)}, {.dtype = kBool});
  check(v.shape() == Shape{anchor.size(0)}, "triplet_loss: valid must be [{}], got {}", anchor.size(0), v.shape());
  int64_t count = 0;
  return hinge_mean(dp, dn, v, options.margin, count);
}

TripletResult triplet_loss_hardest(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                   const Tensor& negatives, const Tensor& negative_mask, TripletOptions options) {
  check_candidates("triplet_loss_hardest (positives)", anchor, positives, positive_mask);
  check_candidates("triplet_loss_hardest (negatives)", anchor, negatives, negative_mask);
  auto hardest_pos = ops::max(cosine_distance_rows(anchor, positives, options.eps), 1, false, as_bool(positive_mask));
  auto hardest_neg = ops::min(cosine_distance_rows(anchor, negatives, options.eps), 1, false, as_bool(negative_mask));
  return from_hardest(hardest_pos, hardest_neg, options.margin);
}

TripletResult triplet_loss_random(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                  const Tensor& negatives, const Tensor& negative_mask, Generator* gen,
                                  TripletOptions options) {
  check_candidates("triplet_loss_random (positives)", anchor, positives, positive_mask);
  check_candidates("triplet_loss_random (negatives)", anchor, negatives, negative_mask);
  Generator& g = gen ? *gen : default_generator();
  auto draw = [&](const Tensor& mask) {
    Tensor m = as_bool(mask).contiguous();
    const int64_t b = m.size(0), t = m.size(1);
    Tensor idx = Tensor::empty({b}, {.dtype = kInt64});
    const bool* mv = m.data<bool>();
    int64_t* out = idx.data<int64_t>();
    std::vector<int64_t> valid;
    for (int64_t i = 0; i < b; ++i) {
      valid.clear();
      for (int64_t j = 0; j < t; ++j)
        if (mv[i * t + j]) valid.push_back(j);
      out[i] = valid.empty() ? -1 : valid[static_cast<size_t>(g.next_below(static_cast<int64_t>(valid.size())))];
    }
    return idx;
  };
  TripletResult r;
  r.positive_index = draw(positive_mask);
  r.negative_index = draw(negative_mask);
  auto pick = [&](const Tensor& cand, const Tensor& idx) {
    Tensor safe = idx.clone();  // rows without a candidate (-1) read position 0, masked out below
    for (int64_t i = 0, n = safe.numel(); i < n; ++i) safe.data<int64_t>()[i] = std::max<int64_t>(idx.data<int64_t>()[i], 0);
    safe = safe.unsqueeze(1);
    return ops::gather(cosine_distance_rows(anchor, cand, options.eps), 1, safe).squeeze(1);
  };
  r.loss = hinge_mean(pick(positives, r.positive_index), pick(negatives, r.negative_index),
                      valid_of(r.positive_index, r.negative_index), options.margin, r.anchors);
  return r;
}

TripletResult triplet_loss_batch_hard(const Tensor& embeddings, const Tensor& labels, TripletOptions options) {
  check(embeddings.dim() == 2, "triplet_loss_batch_hard: embeddings must be [B, Z], got {}", embeddings.shape());
  const int64_t b = embeddings.size(0);
  check(labels.numel() == b, "triplet_loss_batch_hard: {} labels for {} embeddings", labels.numel(), b);
  Tensor cos = ops::pairwise_cosine(embeddings, embeddings, options.eps);
  Tensor d = ops::sub(scalar_tensor(1.0, {.dtype = cos.dtype()}), cos);
  Tensor lab = labels.reshape({b}).to(kFloat64);
  Tensor same = ops::eq(lab.unsqueeze(1), lab.unsqueeze(0));  // [B, B]
  Tensor not_self = ops::logical_not(ops::eq(arange(0, b).unsqueeze(1), arange(0, b).unsqueeze(0)));
  auto hardest_pos = ops::max(d, 1, false, ops::logical_and(same, not_self));
  auto hardest_neg = ops::min(d, 1, false, ops::logical_not(same));
  return from_hardest(hardest_pos, hardest_neg, options.margin);
}

}  // namespace tg::nn
