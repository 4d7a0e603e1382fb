#include "nn/optim/adam.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tg::nn {

namespace {
std::vector<std::string> adam_buffers(bool amsgrad) {
  return amsgrad ? std::vector<std::string>{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
                 : std::vector<std::string>{"exp_avg", "exp_avg_sq"};
}
void check_adam(const AdamOptions& o) {
  check(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1, "Adam: betas must be in [0, 1), got ({}, {})",
        o.beta1, o.beta2);
  check(o.eps >= 0, "Adam: eps must be >= 0, got {}", o.eps);
}
}  // namespace

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled)
    : Optimizer(std::move(groups), adam_buffers(options.amsgrad), std::vector<double>(options.amsgrad ? 3 : 2, 0.0)),
      options_(options),
      decoupled_(decoupled) {
  check_adam(options_);
}
Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options) : Adam(std::move(groups), options, false) {}
Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}}, options, false) {}
Adam::Adam(const std::vector<NamedParameter>& params, AdamOptions options)
    : Adam(make_param_groups(params, options.lr, options.weight_decay, options.embedding_weight_decay), options,
           false) {}

AdamW::AdamW(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::vector<ParamGroup>{{std::move(params), options.lr, options.weight_decay}}, options, true) {}
AdamW::AdamW(const std::vector<NamedParameter>& params, AdamOptions options)
    : Adam(make_param_groups(params, options.lr, options.weight_decay, options.embedding_weight_decay), options,
           true) {}

template <class T>
void Adam::update(const Slice& s, const StepInfo& info) const {
  T* p = static_cast<T*>(s.param);
  const T* grad = static_cast<const T*>(s.grad);
  T* m = static_cast<T*>(s.state[0]);
  T* v = static_cast<T*>(s.state[1]);
  T* vmax = options_.amsgrad ? static_cast<T*>(s.state[2]) : nullptr;
  const auto t = static_cast<double>(info.step);
  const T b1 = static_cast<T>(options_.beta1), b2 = static_cast<T>(options_.beta2);
  const T step_size = static_cast<T>(info.lr / (1 - std::pow(options_.beta1, t)));
  const T inv_sqrt_bc2 = static_cast<T>(1 / std::sqrt(1 - std::pow(options_.beta2, t)));
  const T eps = static_cast<T>(options_.eps);
  const T wd = static_cast<T>(info.weight_decay);
  const T decay = static_cast<T>(1 - info.lr * info.weight_decay);
  const bool decoupled = decoupled_;
  for (int64_t i = 0; i < s.n; ++i) {
    T g = grad[i];
    if (decoupled) {
      p[i] *= decay;
    } else {
      g += wd * p[i];
    }
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    T second = v[i];
    if (vmax) second = vmax[i] = std::max(vmax[i], v[i]);
    p[i] -= step_size * m[i] / (std::sqrt(second) * inv_sqrt_bc2 + eps);
  }
}

void Adam::update_float(const Slice& s, const StepInfo& info) const { update<float>(s, info); }
void Adam::update_double(const Slice& s, const StepInfo& info) const { update<double>(s, info); }

}  // namespace tg::nn
