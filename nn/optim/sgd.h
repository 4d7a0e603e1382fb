#pragma once
// SGD (PyTorch's torch.optim.SGD rule), for step t:
//   g = grad + weight_decay * p
//   with momentum mu: b = g on the first step, else b = mu b + (1 - dampening) g;
//                     g = g + mu b (Nesterov) or g = b
//   p -= lr * g
// Row-sparse gradients: the touched rows follow the same rule; a row's momentum buffer starts
// at zero, so a row's first update equals PyTorch's only when dampening = 0 (the default).
#include <optional>

#include "nn/optim/optimizer.h"

namespace tg::nn {

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  std::optional<double> embedding_weight_decay = std::nullopt;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options = {});
  SGD(const std::vector<NamedParameter>& params, SGDOptions options = {});
  std::string name() const override { return "SGD"; }

 protected:
  void update_float(const Slice& s, const StepInfo& info) const override;
  void update_double(const Slice& s, const StepInfo& info) const override;

 private:
  SGD(std::vector<ParamGroup> groups, SGDOptions options);
  template <class T> void update(const Slice& s, const StepInfo& info) const;
  SGDOptions options_;
};

}  // namespace tg::nn
