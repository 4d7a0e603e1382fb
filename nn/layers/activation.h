// Activations as a choice (the Activation enum, for MLP and attention options), PReLU and
// Dropout.
//
//   PReLU: y = x > 0 ? x : w_c x. One learnable slope shared by every element (default), or
//     one per channel, the channel being the LAST dimension (the CTR convention [..., C];
//     for 2-D inputs this is PyTorch's dim 1). Parameter "weight" [num_parameters], init 0.25.
//   Dropout(p): y = x * keep / (1 - p) in training mode, identity in eval mode
//     (ops::dropout; masks drawn from `gen`, null = the global generator).
#pragma once
#include <cstdint>
#include <string>

#include "core/rng.h"
#include "nn/module.h"

namespace tg::nn {

// None is the identity. PRelu needs a learnable slope, so it is only valid where a layer
// builds a PReLU module for it (MLP, TargetAttention's DIN unit); apply_activation refuses it.
enum class Activation { None, Relu, PRelu, LeakyRelu, Sigmoid, Tanh, Gelu, Silu };

const char* activation_name(Activation a);
// Applies a parameter-free activation (LeakyRelu with slope 0.01).
Tensor apply_activation(const Tensor& x, Activation a);

struct PReLUOptions {
  int64_t num_parameters = 1;
  double init = 0.25;
};

class PReLU : public Module {
 public:
  explicit PReLU(PReLUOptions options = {});
  Tensor operator()(const Tensor& x) const;
  void reset_parameters();
  std::string describe() const override;  // "PReLU(1)"

  Tensor weight;  // [num_parameters]

 private:
  PReLUOptions options_;
};

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* gen = nullptr);
  Tensor operator()(const Tensor& x) const;
  double p() const { return p_; }
  std::string describe() const override;  // "Dropout(p=0.1)"

 private:
  double p_;
  Generator* gen_;
};

}  // namespace tg::nn
