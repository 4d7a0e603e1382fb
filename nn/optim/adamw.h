#pragma once
// AdamW, torch.optim.AdamW's rule: Adam (nn/optim/adam.h) with decoupled weight decay.
// For a parameter p at its step t, learning rate lr:
//   p = p * (1 - lr * weight_decay)                  (decay first, not through the moments)
//   g = grad; m, v, vmax and the update as Adam
// weight_decay defaults to 0.01 (PyTorch's AdamW default) when AdamOptions leaves it unset.
// Row-sparse gradients: as Adam (lazy moments); the decay applies to the touched rows only.
#include "nn/optim/adam.h"

namespace tg::nn {

using AdamWOptions = AdamOptions;

class AdamW : public Adam {
 public:
  static constexpr double kDefaultWeightDecay = 1e-2;
  AdamW(std::vector<Tensor> params, AdamOptions options = {});
  AdamW(const std::vector<NamedParameter>& params, AdamOptions options = {});
  // Groups carry their own lr and weight decay (options.lr/weight_decay are not used).
  AdamW(std::vector<ParamGroup> groups, AdamOptions options);
};

}  // namespace tg::nn
