#pragma once
// Adam and AdamW (nn/optim/adamw.h), torch.optim.Adam / AdamW's rules. For each parameter p at its step t, with
// g its gradient:
//   Adam:   g = g + weight_decay * p                 (L2 folded into the gradient)
//   AdamW:  p = p * (1 - lr * weight_decay)          (decoupled decay; g unchanged)
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   amsgrad: vmax = max(vmax, v), and vmax replaces v below
//   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// (eps is added after the bias correction of v, as PyTorch does; Kingma & Ba's paper adds it
// to the corrected sqrt too, so the two agree.) m, v and vmax start at zero.
// Row-sparse gradients update only the touched rows, with the parameter's t: PyTorch's
// SparseAdam "lazy" rule, see nn/optim/optimizer.h (untouched rows' moments are not decayed;
// with every row touched at every step it is exactly the dense update).
#include <optional>

#include "nn/optim/optimizer.h"

namespace tg::nn {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  // Unset: 0 for Adam, 0.01 for AdamW (PyTorch's defaults).
  std::optional<double> weight_decay = std::nullopt;
  bool amsgrad = false;
  // For the NamedParameter constructor: weight decay of embedding tables (default: the
  // weight decay above).
  std::optional<double> embedding_weight_decay = std::nullopt;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  Adam(const std::vector<NamedParameter>& params, AdamOptions options = {});
  // Groups carry their own lr and weight decay (options.lr/weight_decay are not used).
  Adam(std::vector<ParamGroup> groups, AdamOptions options);
  std::string name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  UpdateRule device_rule(const StepInfo& info) const override;

 protected:
  Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled);
  void update(const Block& block, const StepInfo& info) const override;

 private:
  template <class T> void run(const Block& block, const StepInfo& info) const;
  template <class T, bool kDecoupled, bool kAmsgrad> void run_rule(const Block& block, const StepInfo& info) const;
  AdamOptions options_;
  bool decoupled_;
};

}  // namespace tg::nn
