#include "nn/layers/linear.h"

#include <fmt/format.h>

#include "nn/layers/lazy_name.h"

#include "nn/layers/init.h"
#include "ops/linalg.h"

namespace tg::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, Generator* gen)
    : in_(in_features), out_(out_features) {
  check(in_features > 0 && out_features > 0, "Linear({} -> {}): feature counts must be positive", in_features,
        out_features);
  weight = add_param("weight", Tensor::empty({out_, in_}));
  if (with_bias) bias = add_param("bias", Tensor::empty({out_}));
  reset_parameters(gen);
}

void Linear::reset_parameters(Generator* gen) {
  init::xavier_normal_(weight, 1.0, gen);
  if (bias.defined()) init::zeros_(bias);
}

Tensor Linear::operator()(const Tensor& x) const {
  check(x.defined() && x.dim() >= 1 && x.size(-1) == in_, "{}: input {} must be [..., {}]", lazy_name(*this),
        lazy_shape(x), in_);
  return scoped_forward([&] { return ops::linear(x, weight, bias); });
}

std::string Linear::describe() const {
  return fmt::format("Linear({} -> {}{})", in_, out_, bias.defined() ? "" : ", no bias");
}

}  // namespace tg::nn
