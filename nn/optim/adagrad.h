#pragma once
// Adagrad (PyTorch's torch.optim.Adagrad rule), for step t:
//   g = grad + weight_decay * p;  clr = lr / (1 + (t - 1) lr_decay)
//   sum += g^2;  p -= clr * g / (sqrt(sum) + eps)
// The accumulator starts at initial_accumulator_value. Row-sparse gradients update the
// touched rows only, with the parameter's step count t (equal to the dense update there).
#include <optional>

#include "nn/optim/optimizer.h"

namespace tg::nn {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  std::optional<double> embedding_weight_decay = std::nullopt;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  Adagrad(const std::vector<NamedParameter>& params, AdagradOptions options = {});
  std::string name() const override { return "Adagrad"; }

 protected:
  void update_float(const Slice& s, const StepInfo& info) const override;
  void update_double(const Slice& s, const StepInfo& info) const override;

 private:
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions options);
  template <class T> void update(const Slice& s, const StepInfo& info) const;
  AdagradOptions options_;
};

}  // namespace tg::nn
