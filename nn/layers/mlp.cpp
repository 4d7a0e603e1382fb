#include "nn/layers/mlp.h"

#include <fmt/format.h>

#include "nn/layers/lazy_name.h"

#include "ops/nnfunc.h"

namespace tg::nn {

MLP::MLP(Sizes sizes, MLPOptions options) : sizes_(std::move(sizes)), options_(options) {
  check(sizes_.size() >= 2, "MLP: sizes {{in, ..., out}} need at least 2 entries, got {}", sizes_.size());
  for (int64_t s : sizes_) check(s > 0, "MLP({}): every size must be positive", fmt::join(sizes_, " -> "));
  check(options.dropout >= 0 && options.dropout < 1, "MLP({}): dropout must be in [0, 1), got {}",
        fmt::join(sizes_, " -> "), options.dropout);
  const size_t n = sizes_.size() - 1;
  for (size_t i = 0; i < n; ++i)
    linears_.push_back(&add<Linear>(std::to_string(i), sizes_[i], sizes_[i + 1], options.bias, options.init_gen));
  const size_t hidden = n - 1;
  if (options.batch_norm && hidden > 0) {
    auto& list = add<ModuleList>("batch_norms");
    for (size_t i = 0; i < hidden; ++i) batch_norms_.push_back(&list.emplace_back<BatchNorm1d>(sizes_[i + 1]));
  }
  if (options.layer_norm && hidden > 0) {
    auto& list = add<ModuleList>("layer_norms");
    for (size_t i = 0; i < hidden; ++i) layer_norms_.push_back(&list.emplace_back<LayerNorm>(sizes_[i + 1]));
  }
  if (options.activation == Activation::PRelu) {
    const size_t count = options.final_activation ? n : hidden;
    if (count > 0) {
      auto& list = add<ModuleList>("prelus");
      for (size_t i = 0; i < count; ++i) prelus_.push_back(&list.emplace_back<PReLU>());
    }
  }
}

void MLP::reset_parameters(Generator* gen) {
  for (Linear* l : linears_) l->reset_parameters(gen);
  for (BatchNorm1d* bn : batch_norms_) {
    bn->reset_parameters();
    bn->reset_running_stats();
  }
  for (LayerNorm* ln : layer_norms_) ln->reset_parameters();
  for (PReLU* p : prelus_) p->reset_parameters();
}

Linear& MLP::linear(size_t i) const {
  check(i < linears_.size(), "{}: no layer {} (it has {})", lazy_name(*this), i, linears_.size());
  return *linears_[i];
}

Tensor MLP::operator()(const Tensor& x) const {
  check(x.defined() && x.dim() >= 1 && x.size(-1) == sizes_[0], "{}: input {} must be [..., {}]", lazy_name(*this),
        lazy_shape(x), sizes_[0]);
  ModuleScope scope(*this);
  return scope.output(layers_from(0, (*linears_[0])(x)));
}

Tensor MLP::continue_from(size_t layer, const Tensor& z) const {
  check(layer < linears_.size(), "{}: continue_from layer {} (it has {})", lazy_name(*this), layer, linears_.size());
  ModuleScope scope(*this);
  return scope.output(layers_from(layer, z));
}

Tensor MLP::layers_from(size_t layer, const Tensor& z) const {
  const size_t last = linears_.size() - 1;
  Tensor x = z;
  for (size_t i = layer;; ++i) {
    if (i > layer) x = (*linears_[i])(x);
    const bool hidden = i < last;
    if (hidden && !batch_norms_.empty()) x = (*batch_norms_[i])(x);
    if (hidden && !layer_norms_.empty()) x = (*layer_norms_[i])(x);
    if (hidden || options_.final_activation)
      x = options_.activation == Activation::PRelu ? (*prelus_[i])(x) : apply_activation(x, options_.activation);
    if (hidden && options_.dropout > 0) x = ops::dropout(x, options_.dropout, is_training(), options_.dropout_gen);
    if (i == last) return x;
  }
}

std::string MLP::describe() const {
  return fmt::format("MLP({}, {})", fmt::join(sizes_, " -> "), activation_name(options_.activation));
}

}  // namespace tg::nn
