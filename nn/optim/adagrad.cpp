#include "nn/optim/adagrad.h"

#include <cmath>

#include "core/error.h"

namespace tg::nn {

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions options)
    : Optimizer(std::move(groups), {"sum"}, {options.initial_accumulator_value}), options_(options) {
  check(options_.lr_decay >= 0, "Adagrad: lr_decay must be >= 0, got {}", options_.lr_decay);
  check(options_.initial_accumulator_value >= 0, "Adagrad: initial_accumulator_value must be >= 0, got {}",
        options_.initial_accumulator_value);
}
Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}}, options) {}
Adagrad::Adagrad(const std::vector<NamedParameter>& params, AdagradOptions options)
    : Adagrad(make_param_groups(params, options.lr, options.weight_decay, options.embedding_weight_decay), options) {}

template <class T>
void Adagrad::update(const Slice& s, const StepInfo& info) const {
  T* p = static_cast<T*>(s.param);
  const T* grad = static_cast<const T*>(s.grad);
  T* sum = static_cast<T*>(s.state[0]);
  const T clr = static_cast<T>(info.lr / (1 + static_cast<double>(info.step - 1) * options_.lr_decay));
  const T wd = static_cast<T>(info.weight_decay), eps = static_cast<T>(options_.eps);
  for (int64_t i = 0; i < s.n; ++i) {
    T g = grad[i] + wd * p[i];
    sum[i] += g * g;
    p[i] -= clr * g / (std::sqrt(sum[i]) + eps);
  }
}

void Adagrad::update_float(const Slice& s, const StepInfo& info) const { update<float>(s, info); }
void Adagrad::update_double(const Slice& s, const StepInfo& info) const { update<double>(s, info); }

}  // namespace tg::nn
