#include "nn/optim/sgd.h"

#include "core/error.h"

namespace tg::nn {

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options)
    : Optimizer(std::move(groups),
                options.momentum != 0 ? std::vector<std::string>{"momentum_buffer"} : std::vector<std::string>{},
                std::vector<double>(options.momentum != 0 ? 1 : 0, 0.0)),
      options_(options) {
  check(options_.momentum >= 0, "SGD: momentum must be >= 0, got {}", options_.momentum);
  check(options_.dampening >= 0 && options_.dampening <= 1, "SGD: dampening must be in [0, 1], got {}",
        options_.dampening);
  check(!options_.nesterov || (options_.momentum > 0 && options_.dampening == 0),
        "SGD: Nesterov momentum needs momentum > 0 and dampening 0 (got momentum {}, dampening {})",
        options_.momentum, options_.dampening);
}
SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : SGD(std::vector<ParamGroup>{{.params = std::move(params), .lr = options.lr, .weight_decay = options.weight_decay}},
          options) {}
SGD::SGD(const std::vector<NamedParameter>& params, SGDOptions options)
    : SGD(make_param_groups(params, options.lr, options.weight_decay, options.embedding_weight_decay), options) {}

template <class T>
void SGD::run(const Block& block, const StepInfo& info) const {
  const T lr = static_cast<T>(info.lr), wd = static_cast<T>(info.weight_decay);
  if (options_.momentum == 0) {
    for_each_row<T>(block, [&](T* __restrict p, const T* __restrict g, T*, T*, T*, int64_t n) {
      for (int64_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + wd * p[i]);
    });
    return;
  }
  const T mu = static_cast<T>(options_.momentum), keep = static_cast<T>(1 - options_.dampening);
  const bool first = info.step == 1, nesterov = options_.nesterov;
  for_each_row<T>(block, [&](T* __restrict p, const T* __restrict g, T* __restrict b, T*, T*, int64_t n) {
    if (first) {
      for (int64_t i = 0; i < n; ++i) {
        const T d = g[i] + wd * p[i];
        b[i] = d;
        p[i] -= lr * (nesterov ? d + mu * d : d);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const T d = g[i] + wd * p[i];
        b[i] = mu * b[i] + keep * d;
        p[i] -= lr * (nesterov ? d + mu * b[i] : b[i]);
      }
    }
  });
}

UpdateRule SGD::device_rule(const StepInfo& info) const {
  UpdateRule r;
  r.kind = options_.momentum == 0 ? RuleKind::Sgd : RuleKind::SgdMomentum;
  r.lr = info.lr;
  r.wd = info.weight_decay;
  r.mu = options_.momentum;
  r.keep = 1 - options_.dampening;
  r.first = info.step == 1;
  r.nesterov = options_.nesterov;
  return r;
}

void SGD::update(const Block& block, const StepInfo& info) const {
  block.is_double ? run<double>(block, info) : run<float>(block, info);
}

}  // namespace tg::nn
