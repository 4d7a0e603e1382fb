#include "nn/layers/normalization.h"

#include <fmt/format.h>

#include "nn/layers/lazy_name.h"

#include "nn/layers/init.h"
#include "ops/nnfunc.h"

namespace tg::nn {

LayerNorm::LayerNorm(int64_t dim, LayerNormOptions options) : dim_(dim), options_(options) {
  check(dim > 0, "LayerNorm({}): dim must be positive", dim);
  check(options.eps > 0, "LayerNorm({}): eps must be positive, got {}", dim, options.eps);
  if (options.affine) {
    weight = add_param("weight", Tensor::empty({dim}));
    bias = add_param("bias", Tensor::empty({dim}));
  }
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!options_.affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNorm::operator()(const Tensor& x) const {
  check(x.dim() >= 1 && x.size(-1) == dim_, "{}: input {} must be [..., {}]", lazy_name(*this), x.shape(), dim_);
  return scoped_forward([&] { return ops::layer_norm(x, Shape{dim_}, weight, bias, options_.eps); });
}

std::string LayerNorm::describe() const {
  return fmt::format("LayerNorm({}, eps={}{})", dim_, options_.eps, options_.affine ? "" : ", no affine");
}

BatchNorm1d::BatchNorm1d(int64_t num_features, BatchNormOptions options)
    : num_features_(num_features), options_(options) {
  check(num_features > 0, "BatchNorm1d({}): num_features must be positive", num_features);
  check(options.momentum >= 0 && options.momentum <= 1, "BatchNorm1d({}): momentum must be in [0, 1], got {}",
        num_features, options.momentum);
  check(options.eps > 0, "BatchNorm1d({}): eps must be positive, got {}", num_features, options.eps);
  if (options.affine) {
    weight = add_param("weight", Tensor::empty({num_features}));
    bias = add_param("bias", Tensor::empty({num_features}));
  }
  if (options.track_running_stats) {
    running_mean = add_buffer("running_mean", Tensor::empty({num_features}));
    running_var = add_buffer("running_var", Tensor::empty({num_features}));
  }
  reset_parameters();
  reset_running_stats();
}

void BatchNorm1d::reset_parameters() {
  if (!options_.affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

void BatchNorm1d::reset_running_stats() {
  if (!options_.track_running_stats) return;
  init::zeros_(running_mean);
  init::ones_(running_var);
}

Tensor BatchNorm1d::operator()(const Tensor& x) const {
  const int64_t c = num_features_;
  check(x.dim() >= 2 && x.size(-1) == c, "{}: input {} must be [B, {}] or [..., {}]", lazy_name(*this), x.shape(), c,
        c);
  const bool batch_stats = is_training() || !options_.track_running_stats;
  check(!batch_stats || x.numel() / c > 1,
        "{}: input {} has one value per channel; batch statistics need more than one (training mode)", lazy_name(*this),
        x.shape());
  return scoped_forward([&] {
    Tensor x2 = x.dim() == 2 ? x : x.reshape({-1, c});
    Tensor y = ops::batch_norm(x2, running_mean, running_var, weight, bias, batch_stats, options_.momentum,
                               options_.eps);
    return x.dim() == 2 ? y : y.reshape(x.shape());
  });
}

std::string BatchNorm1d::describe() const {
  return fmt::format("BatchNorm1d({}, momentum={}, eps={})", num_features_, options_.momentum, options_.eps);
}

}  // namespace tg::nn
