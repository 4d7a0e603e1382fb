#include "nn/layers/activation.h"

#include <fmt/format.h>

#include "nn/layers/lazy_name.h"

#include "nn/layers/init.h"
#include "ops/activation.h"
#include "ops/nnfunc.h"

namespace tg::nn {

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::None: return "none";
    case Activation::Relu: return "relu";
    case Activation::PRelu: return "prelu";
    case Activation::LeakyRelu: return "leaky_relu";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Tanh: return "tanh";
    case Activation::Gelu: return "gelu";
    case Activation::Silu: return "silu";
  }
  return "?";
}

Tensor apply_activation(const Tensor& x, Activation a) {
  switch (a) {
    case Activation::None: return x;
    case Activation::Relu: return ops::relu(x);
    case Activation::LeakyRelu: return ops::leaky_relu(x);
    case Activation::Sigmoid: return ops::sigmoid(x);
    case Activation::Tanh: return ops::tanh(x);
    case Activation::Gelu: return ops::gelu(x);
    case Activation::Silu: return ops::silu(x);
    case Activation::PRelu: break;
  }
  fail("apply_activation: prelu has a learnable slope; use a PReLU module");
}

PReLU::PReLU(PReLUOptions options) : options_(options) {
  check(options.num_parameters >= 1, "PReLU: num_parameters must be >= 1, got {}", options.num_parameters);
  weight = add_param("weight", Tensor::empty({options.num_parameters}));
  reset_parameters();
}

void PReLU::reset_parameters() { init::constant_(weight, options_.init); }

Tensor PReLU::operator()(const Tensor& x) const {
  const int64_t c = options_.num_parameters;
  check(c == 1 || (x.dim() >= 1 && x.size(-1) == c), "{}: input {} must have {} channels in its last dimension",
        lazy_name(*this), x.shape(), c);
  return scoped_forward([&] {
    if (c == 1 || x.dim() <= 2) return ops::prelu(x, weight);  // ops::prelu's channel dim is the last here
    return ops::prelu(x.reshape({-1, c}), weight).reshape(x.shape());
  });
}

std::string PReLU::describe() const { return fmt::format("PReLU({})", options_.num_parameters); }

Dropout::Dropout(double p, Generator* gen) : p_(p), gen_(gen) {
  check(p >= 0.0 && p <= 1.0, "Dropout: p must be in [0, 1], got {}", p);
}

Tensor Dropout::operator()(const Tensor& x) const {
  return scoped_forward([&] { return ops::dropout(x, p_, is_training(), gen_); });
}

std::string Dropout::describe() const { return fmt::format("Dropout(p={})", p_); }

}  // namespace tg::nn
