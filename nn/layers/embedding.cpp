#include "nn/layers/embedding.h"

#include <fmt/format.h>

#include "nn/layers/lazy_name.h"

#include "core/autograd.h"
#include "nn/layers/init.h"
#include "nn/layers/mask.h"
#include "ops/elementwise.h"
#include "ops/linalg.h"
#include "ops/reduce.h"

namespace tg::nn {

namespace {

void check_table(const char* layer, int64_t num, int64_t dim, int64_t padding_idx, double init_std) {
  check(num > 0 && dim > 0, "{}({}, {}): sizes must be positive", layer, num, dim);
  check(padding_idx >= -1 && padding_idx < num, "{}({}, {}): padding_idx {} is not a row of the table (or -1)", layer,
        num, dim, padding_idx);
  check(init_std >= 0, "{}({}, {}): init_std must be >= 0, got {}", layer, num, dim, init_std);
}

void init_table(const Tensor& weight, int64_t padding_idx, double std, Generator* gen) {
  init::normal_(weight, 0.0, std, gen);
  if (padding_idx >= 0) init::zeros_(weight.select(0, padding_idx));
}

// Runs a lookup, prefixing an error from the op (an id out of range, ...) with the layer.
template <class F> Tensor with_layer_name(LazyName layer, F lookup) {
  try {
    return lookup();
  } catch (const Error& e) {
    fail("{}: {}", layer, e.what());
  }
}

void check_ids(const Tensor& ids, LazyName layer) {
  if (!ids.defined()) fail("{}: ids must be int64 or int32, got an undefined tensor", layer);
  check(is_integral(ids.dtype()), "{}: ids must be int64 or int32, got {}", layer, ids.describe());
}

}  // namespace

// ---- Embedding ------------------------------------------------------------------------------

Embedding::Embedding(int64_t num_embeddings, int64_t dim, EmbeddingOptions options)
    : num_(num_embeddings), dim_(dim), options_(options) {
  check_table("Embedding", num_embeddings, dim, options.padding_idx, options.init_std);
  weight = add_param("weight", Tensor::empty({num_, dim_}), ParamRole::Embedding);
  reset_parameters(options.gen);
}

void Embedding::reset_parameters(Generator* gen) { init_table(weight, options_.padding_idx, options_.init_std, gen); }

Tensor Embedding::operator()(const Tensor& ids) const {
  check_ids(ids, lazy_name(*this));
  return scoped_forward([&] {
    return with_layer_name(lazy_name(*this), [&] {
      return ops::embedding(weight, ids, {.sparse_grad = options_.sparse_grad, .padding_idx = options_.padding_idx});
    });
  });
}

Tensor Embedding::bag(const Tensor& ids, BagMode mode) const {
  check_ids(ids, lazy_name(*this));
  check(ids.dim() >= 1, "{}: bag ids {} need a last dimension holding the bag", lazy_name(*this), ids.shape());
  return scoped_forward([&] {
    return with_layer_name(lazy_name(*this), [&] {
      return ops::embedding_bag(weight, ids,
                                {.mode = mode, .padding_idx = options_.padding_idx, .sparse_grad = options_.sparse_grad});
    });
  });
}

std::string Embedding::describe() const { return fmt::format("Embedding({}, {})", num_, dim_); }

// ---- EmbeddingBag ---------------------------------------------------------------------------

EmbeddingBag::EmbeddingBag(int64_t num_embeddings, int64_t dim, EmbeddingBagOptions options)
    : num_(num_embeddings), dim_(dim), options_(options) {
  check_table("EmbeddingBag", num_embeddings, dim, options.padding_idx, options.init_std);
  weight = add_param("weight", Tensor::empty({num_, dim_}), ParamRole::Embedding);
  reset_parameters(options.gen);
}

void EmbeddingBag::reset_parameters(Generator* gen) {
  init_table(weight, options_.padding_idx, options_.init_std, gen);
}

Tensor EmbeddingBag::operator()(const Tensor& ids) const {
  check_ids(ids, lazy_name(*this));
  check(ids.dim() >= 1, "{}: ids {} need a last dimension holding the bag", lazy_name(*this), ids.shape());
  return scoped_forward([&] {
    return with_layer_name(lazy_name(*this), [&] {
      return ops::embedding_bag(
          weight, ids, {.mode = options_.mode, .padding_idx = options_.padding_idx, .sparse_grad = options_.sparse_grad});
    });
  });
}

std::string EmbeddingBag::describe() const {
  return fmt::format("EmbeddingBag({}, {}, {})", num_, dim_, options_.mode == BagMode::Mean ? "mean" : "sum");
}

// ---- masked_mean ----------------------------------------------------------------------------

Tensor masked_mean(const Tensor& x, const Tensor& mask) {
  check(x.defined() && mask.defined(), "masked_mean: undefined input");
  check(is_floating(x.dtype()), "masked_mean: x must be floating, got {}", x.describe());
  const bool shapes_ok = x.dim() >= 2 && mask.dim() == x.dim() - 1 &&
                         std::equal(mask.shape().begin(), mask.shape().end(), x.shape().begin());
  check(shapes_ok, "masked_mean: x {} must be [..., T, d] and mask {} [..., T]", x.shape(), mask.shape());
  // The mask is a constant: converted to x's dtype, it weights the rows in one batched
  // product, sum_t m_t x_t = m^T x.
  Tensor m = weight_mask(mask, x.dtype());
  Tensor total = ops::matmul(m.unsqueeze(-2), x).squeeze(-2);       // [..., d]
  Tensor count = ops::clamp_min(ops::sum(m, -1, /*keepdim=*/true), 1.0);  // [..., 1]
  return ops::div(total, count);
}

}  // namespace tg::nn
