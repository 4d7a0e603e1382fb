#pragma once
// SGD, torch.optim.SGD's rule. For each parameter p at its step t, with g its gradient:
//   g = g + weight_decay * p
//   with momentum mu:  b = g                          (t = 1)
//                      b = mu * b + (1 - dampening) g (t > 1)
//                      g = g + mu * b  (Nesterov)   or   g = b
//   p = p - lr * g
// Row-sparse gradients (see nn/optim/optimizer.h): touched rows follow the same rule with the
// parameter's t. A row first touched at t > 1 has a zero momentum buffer, so its first b is
// (1 - dampening) g: PyTorch's b = g only when dampening = 0 (the default).
#include <optional>

#include "nn/optim/optimizer.h"

namespace tg::nn {

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  // For the NamedParameter constructor: weight decay of embedding tables (default: weight_decay).
  std::optional<double> embedding_weight_decay = std::nullopt;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options = {});
  SGD(const std::vector<NamedParameter>& params, SGDOptions options = {});
  // Groups carry their own lr and weight decay (options.lr/weight_decay are not used).
  SGD(std::vector<ParamGroup> groups, SGDOptions options);
  std::string name() const override { return "SGD"; }
  UpdateRule device_rule(const StepInfo& info) const override;

 protected:
  void update(const Block& block, const StepInfo& info) const override;

 private:
  template <class T> void run(const Block& block, const StepInfo& info) const;
  SGDOptions options_;
};

}  // namespace tg::nn
