// MLP: a stack of Linear layers, sizes {in, h1, ..., out}, on inputs [..., in] -> [..., out].
//
// Each hidden layer i (every layer but the last) computes
//     x <- Dropout_p( act( LayerNorm( BatchNorm1d( Linear_i(x) ) ) ) )
// with the batch norm and layer norm only when enabled (FuxiCTR's MLP_Block order). The last
// layer is a bare Linear, plus the activation only when final_activation is set (no norm and
// no dropout there).
//
// Parameter names (children of the MLP):
//     "<i>.weight", "<i>.bias"         Linear i, i = 0 .. sizes.size() - 2
//     "batch_norms.<i>.weight/bias"    + buffers "batch_norms.<i>.running_mean/running_var"
//     "layer_norms.<i>.weight/bias"
//     "prelus.<i>.weight"              one PReLU slope per layer (Activation::PRelu), init 0.25
// so MLP({160, 200, 80, 1}) has "0.weight" [200,160], "1.weight" [80,200], "2.weight" [1,80].
// Linear layers are Xavier-normal with zero bias (models.md §0).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "nn/layers/activation.h"
#include "nn/layers/linear.h"
#include "nn/layers/normalization.h"
#include "nn/module.h"

namespace tg::nn {

struct MLPOptions {
  Activation activation = Activation::Relu;
  double dropout = 0.0;
  bool batch_norm = false;
  bool layer_norm = false;
  bool final_activation = false;
  bool bias = true;
  Generator* dropout_gen = nullptr;  // dropout masks (null: the global generator)
  Generator* init_gen = nullptr;     // initial weights (null: the global generator)
};

class MLP : public Module {
 public:
  using Sizes = std::vector<int64_t>;
  explicit MLP(Sizes sizes, MLPOptions options = {});

  Tensor operator()(const Tensor& x) const;
  // Runs the MLP from the output z of Linear `layer` (before its norm and activation):
  // operator()(x) == continue_from(0, linear(0)(x)). For callers that compute the first
  // product in a cheaper, equivalent way (TargetAttention's DIN unit).
  Tensor continue_from(size_t layer, const Tensor& z) const;

  // Linear layers Xavier-normal / zero bias, norms to identity, PReLU slopes to 0.25.
  void reset_parameters(Generator* gen = nullptr);

  size_t num_layers() const { return linears_.size(); }
  Linear& linear(size_t i) const;
  const Sizes& sizes() const { return sizes_; }
  const MLPOptions& options() const { return options_; }
  std::string describe() const override;  // "MLP(160 -> 200 -> 80 -> 1, relu)"

 private:
  Tensor layers_from(size_t layer, const Tensor& z) const;  // the body of both, in this module's scope

  Sizes sizes_;
  MLPOptions options_;
  std::vector<Linear*> linears_;
  std::vector<BatchNorm1d*> batch_norms_;
  std::vector<LayerNorm*> layer_norms_;
  std::vector<PReLU*> prelus_;
};

}  // namespace tg::nn
