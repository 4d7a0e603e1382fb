#include "nn/optim/adagrad.h"

#include <cmath>

#include "core/error.h"

namespace tg::nn {

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions options)
    : Optimizer(std::move(groups), {"sum"}, {options.initial_accumulator_value}), options_(options) {
  check(options_.lr_decay >= 0, "Adagrad: lr_decay must be >= 0, got {}", options_.lr_decay);
  check(options_.initial_accumulator_value >= 0, "Adagrad: initial_accumulator_value must be >= 0, got {}",
        options_.initial_accumulator_value);
  check(options_.eps >= 0, "Adagrad: eps must be >= 0, got {}", options_.eps);
}
Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(std::vector<ParamGroup>{{.params = std::move(params), .lr = options.lr, .weight_decay = options.weight_decay}},
              options) {}
Adagrad::Adagrad(const std::vector<NamedParameter>& params, AdagradOptions options)
    : Adagrad(make_param_groups(params, options.lr, options.weight_decay, options.embedding_weight_decay), options) {}

template <class T>
void Adagrad::run(const Block& block, const StepInfo& info) const {
  const T clr = static_cast<T>(info.lr / (1 + static_cast<double>(info.step - 1) * options_.lr_decay));
  const T wd = static_cast<T>(info.weight_decay), eps = static_cast<T>(options_.eps);
  for_each_row<T>(block, [&](T* __restrict p, const T* __restrict grad, T* __restrict sum, T*, T*, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const T g = grad[i] + wd * p[i];
      sum[i] += g * g;
      p[i] -= clr * g / (std::sqrt(sum[i]) + eps);
    }
  });
}

UpdateRule Adagrad::device_rule(const StepInfo& info) const {
  UpdateRule r;
  r.kind = RuleKind::Adagrad;
  r.clr = info.lr / (1 + static_cast<double>(info.step - 1) * options_.lr_decay);
  r.wd = info.weight_decay;
  r.eps = options_.eps;
  return r;
}

void Adagrad::update(const Block& block, const StepInfo& info) const {
  block.is_double ? run<double>(block, info) : run<float>(block, info);
}

}  // namespace tg::nn
