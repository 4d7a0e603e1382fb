#pragma once
// Adam and AdamW (PyTorch's update rules, torch.optim.Adam / AdamW), for step t:
//   Adam:  g = grad + weight_decay * p                (L2 folded into the gradient)
//   AdamW: p = p * (1 - lr * weight_decay); g = grad  (decoupled decay)
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   vmax = max(vmax, v) with amsgrad, and v := vmax below
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Row-sparse gradients update only the touched rows, with the parameter's step count t
// (PyTorch SparseAdam): see nn/optim/optimizer.h.
#include <optional>

#include "nn/optim/optimizer.h"

namespace tg::nn {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  // For the NamedParameter constructor: weight decay of embedding tables (default: weight_decay).
  std::optional<double> embedding_weight_decay = std::nullopt;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  Adam(const std::vector<NamedParameter>& params, AdamOptions options = {});
  Adam(std::vector<ParamGroup> groups, AdamOptions options);
  std::string name() const override { return decoupled_ ? "AdamW" : "Adam"; }

 protected:
  Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled);
  void update_float(const Slice& s, const StepInfo& info) const override;
  void update_double(const Slice& s, const StepInfo& info) const override;

 private:
  template <class T> void update(const Slice& s, const StepInfo& info) const;
  AdamOptions options_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  // PyTorch's AdamW default weight decay is 0.01.
  static AdamOptions defaults() { return {.weight_decay = 0.01}; }
  AdamW(std::vector<Tensor> params, AdamOptions options = defaults());
  AdamW(const std::vector<NamedParameter>& params, AdamOptions options = defaults());
};

}  // namespace tg::nn
