#include "nn/optim/sgd.h"

#include "core/error.h"

namespace tg::nn {

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options)
    : Optimizer(std::move(groups), options.momentum != 0 ? std::vector<std::string>{"momentum_buffer"}
                                                         : std::vector<std::string>{},
                std::vector<double>(options.momentum != 0 ? 1 : 0, 0.0)),
      options_(options) {
  check(options_.momentum >= 0, "SGD: momentum must be >= 0, got {}", options_.momentum);
  check(!options_.nesterov || (options_.momentum > 0 && options_.dampening == 0),
        "SGD: Nesterov momentum needs momentum > 0 and dampening 0 (got momentum {}, dampening {})",
        options_.momentum, options_.dampening);
}
SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : SGD(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}}, options) {}
SGD::SGD(const std::vector<NamedParameter>& params, SGDOptions options)
    : SGD(make_param_groups(params, options.lr, options.weight_decay, options.embedding_weight_decay), options) {}

template <class T>
void SGD::update(const Slice& s, const StepInfo& info) const {
  T* p = static_cast<T*>(s.param);
  const T* grad = static_cast<const T*>(s.grad);
  const T lr = static_cast<T>(info.lr), wd = static_cast<T>(info.weight_decay);
  if (options_.momentum == 0) {
    for (int64_t i = 0; i < s.n; ++i) p[i] -= lr * (grad[i] + wd * p[i]);
    return;
  }
  T* b = static_cast<T*>(s.state[0]);
  const T mu = static_cast<T>(options_.momentum), keep = static_cast<T>(1 - options_.dampening);
  const bool first = info.step == 1, nesterov = options_.nesterov;
  for (int64_t i = 0; i < s.n; ++i) {
    T g = grad[i] + wd * p[i];
    b[i] = first ? g : mu * b[i] + keep * g;
    p[i] -= lr * (nesterov ? g + mu * b[i] : b[i]);
  }
}

void SGD::update_float(const Slice& s, const StepInfo& info) const { update<float>(s, info); }
void SGD::update_double(const Slice& s, const StepInfo& info) const { update<double>(s, info); }

}  // namespace tg::nn
