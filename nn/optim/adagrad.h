#pragma once
// Adagrad, torch.optim.Adagrad's rule. For each parameter p at its step t, with g its gradient:
//   g = g + weight_decay * p
//   clr = lr / (1 + (t - 1) * lr_decay)
//   sum = sum + g^2                       (sum starts at initial_accumulator_value)
//   p = p - clr * g / (sqrt(sum) + eps)
// Row-sparse gradients update the touched rows only, with the parameter's t: equal to the
// dense update on every row (a zero gradient row changes nothing), weight decay aside.
#include <optional>

#include "nn/optim/optimizer.h"

namespace tg::nn {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  // For the NamedParameter constructor: weight decay of embedding tables (default: weight_decay).
  std::optional<double> embedding_weight_decay = std::nullopt;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  Adagrad(const std::vector<NamedParameter>& params, AdagradOptions options = {});
  // Groups carry their own lr and weight decay (options.lr/weight_decay are not used).
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions options);
  std::string name() const override { return "Adagrad"; }
  UpdateRule device_rule(const StepInfo& info) const override;

 protected:
  void update(const Block& block, const StepInfo& info) const override;

 private:
  template <class T> void run(const Block& block, const StepInfo& info) const;
  AdagradOptions options_;
};

}  // namespace tg::nn
