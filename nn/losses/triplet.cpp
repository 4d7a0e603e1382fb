#include "nn/losses/triplet.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "ops/ops.h"

namespace tg::nn {

namespace {

Tensor as_bool(const Tensor& mask) { return mask.dtype() == kBool ? mask : ops::ne(mask, 0.0); }

void check_float(const char* op, const Tensor& t, const char* what) {
  check(t.dtype() == DType::Float32 || t.dtype() == DType::Float64, "{}: {} must be float32 or float64, got {}", op,
        what, t.describe());
}

void check_candidates(const char* op, const char* side, const Tensor& anchor, const Tensor& cand, const Tensor& mask) {
  check(anchor.dim() == 2, "{}: anchor must be [B, Z], got {}", op, anchor.shape());
  check(cand.dim() == 3 && cand.size(0) == anchor.size(0) && cand.size(2) == anchor.size(1),
        "{}: {} candidates must be [B, T, Z] = [{}, T, {}], got {}", op, side, anchor.size(0), anchor.size(1),
        cand.shape());
  check(cand.dtype() == anchor.dtype(), "{}: {} candidates are {}, the anchor {}", op, side, cand.dtype(),
        anchor.dtype());
  check(mask.dim() == 2 && mask.size(0) == cand.size(0) && mask.size(1) == cand.size(1),
        "{}: {} mask must be [B, T] = [{}, {}], got {}", op, side, cand.size(0), cand.size(1), mask.shape());
}

// The loss from the chosen distances dp, dn [B] and indices (-1 = none); anchors lacking
// either side are left out of the mean.
TripletResult finish(const Tensor& dp, const Tensor& dn, Tensor pos_index, Tensor neg_index, double margin) {
  TripletResult r;
  r.positive_index = std::move(pos_index);
  r.negative_index = std::move(neg_index);
  const int64_t b = dp.size(0);
  std::vector<double> valid(static_cast<size_t>(b));
  // The count of anchors is a host number (the mean's divisor): indices chosen on a GPU are read back.
  const Tensor pos_host = r.positive_index.to(kCPU).contiguous(), neg_host = r.negative_index.to(kCPU).contiguous();
  const int64_t* pi = pos_host.data<int64_t>();
  const int64_t* ni = neg_host.data<int64_t>();
  for (int64_t i = 0; i < b; ++i) {
    const bool ok = pi[i] >= 0 && ni[i] >= 0;
    r.anchors += ok;
    valid[static_cast<size_t>(i)] = ok ? 1.0 : 0.0;
  }
  Tensor w = from_vector(valid, {b}, {.dtype = dp.dtype()}).to(dp.device());
  r.hinge = ops::mul(ops::relu(ops::add(ops::sub(dp, dn), margin)), w);
  r.loss = ops::div(ops::sum(r.hinge), static_cast<double>(std::max<int64_t>(r.anchors, 1)));
  return r;
}

// 1 - cos(anchor [B, Z], candidates [B, T, Z]) -> [B, T]: rows normalised (each with its own
// clamp, as ops::cosine_similarity), the dot products as one batched GEMM.
Tensor distances_own(const Tensor& anchor, const Tensor& candidates, double eps) {
  Tensor a = ops::normalize(anchor, 1, eps).unsqueeze(2);  // [B, Z, 1]
  Tensor c = ops::normalize(candidates, 2, eps);           // [B, T, Z]
  return ops::rsub(1.0, ops::bmm(c, a).squeeze(2));
}

// 1 - cos(anchor [B, Z], every candidate of the batch [B * T, Z]) -> [B, B * T].
Tensor distances_pool(const Tensor& anchor, const Tensor& candidates, double eps) {
  Tensor flat = candidates.reshape({candidates.size(0) * candidates.size(1), candidates.size(2)});
  return ops::rsub(1.0, ops::pairwise_cosine(anchor, flat, eps));
}

// For each of `rows` anchors, a uniformly drawn column among the true entries of its row of
// `mask` (bool [rows, N], or [1, N] shared by every anchor); -1 where the row has none. One
// draw per anchor that has a choice, anchors in order.
Tensor draw(const Tensor& mask, int64_t rows, Generator& gen) {
  Tensor m = mask.to(kCPU).contiguous();  // drawn on the host, from the host generator
  const int64_t n = m.size(1);
  const bool shared = m.size(0) == 1;
  const auto* mv = static_cast<const uint8_t*>(m.raw_data());  // any nonzero byte is true
  Tensor idx = Tensor::empty({rows}, {.dtype = kInt64});
  int64_t* out = idx.data<int64_t>();
  std::vector<int64_t> valid;
  for (int64_t i = 0; i < rows; ++i) {
    if (!shared || i == 0) {
      valid.clear();
      const uint8_t* row = mv + (shared ? 0 : i * n);
      for (int64_t j = 0; j < n; ++j)
        if (row[j]) valid.push_back(j);
    }
    out[i] = valid.empty() ? -1 : valid[static_cast<size_t>(gen.next_below(static_cast<int64_t>(valid.size())))];
  }
  return idx;
}

// Rows of `table` [N, Z] at index + offset * anchor (row 0 where index is -1: those anchors
// are left out of the loss, so what they read does not matter).
Tensor pick_rows(const Tensor& table, const Tensor& index, int64_t offset) {
  const int64_t b = index.numel();
  Tensor safe = Tensor::empty({b}, {.dtype = kInt64});
  const Tensor index_host = index.to(kCPU).contiguous();
  const int64_t* in = index_host.data<int64_t>();
  int64_t* out = safe.data<int64_t>();
  for (int64_t i = 0; i < b; ++i) out[i] = in[i] < 0 ? 0 : in[i] + i * offset;
  return ops::index_select(table, 0, safe.to(table.device()));
}

// The same-class mask [B, B] from labels [B] or a mask [B, B].
Tensor same_class(const char* op, const Tensor& classes, int64_t b) {
  if (classes.dim() == 2) {
    check(classes.size(0) == b && classes.size(1) == b, "{}: the same-class mask must be [{}, {}], got {}", op, b, b,
          classes.shape());
    return as_bool(classes);
  }
  check(classes.dim() == 1 && classes.size(0) == b, "{}: classes must be labels [{}] or a mask [{}, {}], got {}", op, b,
        b, b, classes.shape());
  Tensor lab = classes.to(kFloat64);
  return ops::eq(lab.unsqueeze(1), lab.unsqueeze(0));
}

// Positive and negative masks within the batch: same class but not itself; other class.
std::pair<Tensor, Tensor> batch_masks(const char* op, const Tensor& embeddings, const Tensor& classes) {
  check(embeddings.dim() == 2, "{}: embeddings must be [B, Z], got {}", op, embeddings.shape());
  check_float(op, embeddings, "embeddings");
  const int64_t b = embeddings.size(0);
  Tensor same = same_class(op, classes, b);
  Tensor ids = arange(0, b).to(embeddings.device());
  Tensor not_self = ops::ne(ids.unsqueeze(1), ids.unsqueeze(0));
  return {ops::logical_and(same, not_self), ops::logical_and(ops::logical_not(same), not_self)};
}

}  // namespace

Tensor cosine_distance(const Tensor& a, const Tensor& b, double eps) {
  return ops::rsub(1.0, ops::cosine_similarity(a, b, -1, eps));
}

Tensor triplet_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, TripletOptions options,
                    const Tensor& valid) {
  check(anchor.dim() == 2 && positive.shape() == anchor.shape() && negative.shape() == anchor.shape(),
        "triplet_loss: anchor, positive and negative must be the same [B, Z], got {}, {}, {}", anchor.shape(),
        positive.shape(), negative.shape());
  check_float("triplet_loss", anchor, "the anchor");
  const int64_t b = anchor.size(0);
  Tensor all = zeros({b}, {.dtype = kInt64});
  Tensor keep = all;
  if (valid.defined()) {
    check(valid.shape() == Shape{b}, "triplet_loss: valid must be [{}], got {}", b, valid.shape());
    Tensor v = as_bool(valid).to(kCPU).contiguous();
    keep = Tensor::empty({b}, {.dtype = kInt64});
    const auto* vv = static_cast<const uint8_t*>(v.raw_data());
    for (int64_t i = 0; i < b; ++i) keep.data<int64_t>()[i] = vv[i] ? 0 : -1;  // -1: left out
  }
  return finish(cosine_distance(anchor, positive, options.eps), cosine_distance(anchor, negative, options.eps), keep,
                all, options.margin)
      .loss;
}

TripletResult triplet_loss_hardest(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                   const Tensor& negatives, const Tensor& negative_mask, TripletOptions options) {
  const char* op = "triplet_loss_hardest";
  check_candidates(op, "positive", anchor, positives, positive_mask);
  check_candidates(op, "negative", anchor, negatives, negative_mask);
  check_float(op, anchor, "the anchor");
  const bool pool = options.pool == TripletPool::Batch;
  auto distances = [&](const Tensor& cand) {
    return pool ? distances_pool(anchor, cand, options.eps) : distances_own(anchor, cand, options.eps);
  };
  auto mask_of = [&](const Tensor& m) { return pool ? as_bool(m).reshape({1, m.numel()}) : as_bool(m); };
  ops::MaxResult pos = ops::max(distances(positives), 1, false, mask_of(positive_mask));
  ops::MaxResult neg = ops::min(distances(negatives), 1, false, mask_of(negative_mask));
  return finish(pos.values, neg.values, pos.indices.contiguous(), neg.indices.contiguous(), options.margin);
}

TripletResult triplet_loss_random(const Tensor& anchor, const Tensor& positives, const Tensor& positive_mask,
                                  const Tensor& negatives, const Tensor& negative_mask, Generator* gen,
                                  TripletOptions options) {
  const char* op = "triplet_loss_random";
  check_candidates(op, "positive", anchor, positives, positive_mask);
  check_candidates(op, "negative", anchor, negatives, negative_mask);
  check_float(op, anchor, "the anchor");
  Generator& g = gen ? *gen : default_generator();
  const bool pool = options.pool == TripletPool::Batch;
  const int64_t b = anchor.size(0);
  auto mask_of = [&](const Tensor& m) { return pool ? as_bool(m).reshape({1, m.numel()}) : as_bool(m); };
  Tensor pos_index = draw(mask_of(positive_mask), b, g);
  Tensor neg_index = draw(mask_of(negative_mask), b, g);
  auto chosen = [&](const Tensor& cand, const Tensor& index) {
    const int64_t t = cand.size(1);
    Tensor rows = pick_rows(cand.reshape({b * t, cand.size(2)}), index, pool ? 0 : t);
    return cosine_distance(anchor, rows, options.eps);
  };
  return finish(chosen(positives, pos_index), chosen(negatives, neg_index), pos_index, neg_index, options.margin);
}

TripletResult triplet_loss_batch_hard(const Tensor& embeddings, const Tensor& classes, TripletOptions options) {
  auto [pos_mask, neg_mask] = batch_masks("triplet_loss_batch_hard", embeddings, classes);
  Tensor d = ops::rsub(1.0, ops::pairwise_cosine(embeddings, embeddings, options.eps));
  ops::MaxResult pos = ops::max(d, 1, false, pos_mask);
  ops::MaxResult neg = ops::min(d, 1, false, neg_mask);
  return finish(pos.values, neg.values, pos.indices.contiguous(), neg.indices.contiguous(), options.margin);
}

TripletResult triplet_loss_batch_random(const Tensor& embeddings, const Tensor& classes, Generator* gen,
                                        TripletOptions options) {
  auto [pos_mask, neg_mask] = batch_masks("triplet_loss_batch_random", embeddings, classes);
  Generator& g = gen ? *gen : default_generator();
  const int64_t b = embeddings.size(0);
  Tensor pos_index = draw(pos_mask, b, g);
  Tensor neg_index = draw(neg_mask, b, g);
  return finish(cosine_distance(embeddings, pick_rows(embeddings, pos_index, 0), options.eps),
                cosine_distance(embeddings, pick_rows(embeddings, neg_index, 0), options.eps), pos_index, neg_index,
                options.margin);
}

}  // namespace tg::nn
