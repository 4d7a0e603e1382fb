#include "nn/optim/adamw.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tg::nn {

namespace {
std::vector<std::string> adam_buffers(bool amsgrad) {
  return amsgrad ? std::vector<std::string>{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
                 : std::vector<std::string>{"exp_avg", "exp_avg_sq"};
}
std::vector<ParamGroup> one_group(std::vector<Tensor> params, const AdamOptions& o, double default_decay) {
  return {{.params = std::move(params), .lr = o.lr, .weight_decay = o.weight_decay.value_or(default_decay)}};
}
std::vector<ParamGroup> model_groups(const std::vector<NamedParameter>& params, const AdamOptions& o,
                                     double default_decay) {
  const double wd = o.weight_decay.value_or(default_decay);
  return make_param_groups(params, o.lr, wd, o.embedding_weight_decay.value_or(wd));
}
}  // namespace

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options, bool decoupled)
    : Optimizer(std::move(groups), adam_buffers(options.amsgrad), std::vector<double>(options.amsgrad ? 3 : 2, 0.0)),
      options_(options),
      decoupled_(decoupled) {
  const char* who = decoupled ? "AdamW" : "Adam";
  check(options_.beta1 >= 0 && options_.beta1 < 1 && options_.beta2 >= 0 && options_.beta2 < 1,
        "{}: betas must be in [0, 1), got ({}, {})", who, options_.beta1, options_.beta2);
  check(options_.eps >= 0, "{}: eps must be >= 0, got {}", who, options_.eps);
}
Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options) : Adam(std::move(groups), options, false) {}
Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(one_group(std::move(params), options, 0.0), options, false) {}
Adam::Adam(const std::vector<NamedParameter>& params, AdamOptions options)
    : Adam(model_groups(params, options, 0.0), options, false) {}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamOptions options) : Adam(std::move(groups), options, true) {}
AdamW::AdamW(std::vector<Tensor> params, AdamOptions options)
    : Adam(one_group(std::move(params), options, kDefaultWeightDecay), options, true) {}
AdamW::AdamW(const std::vector<NamedParameter>& params, AdamOptions options)
    : Adam(model_groups(params, options, kDefaultWeightDecay), options, true) {}

// The flags are template arguments so that each inner loop is branch-free and vectorises.
template <class T, bool kDecoupled, bool kAmsgrad>
void Adam::run_rule(const Block& block, const StepInfo& info) const {
  const auto t = static_cast<double>(info.step);
  const T b1 = static_cast<T>(options_.beta1), b2 = static_cast<T>(options_.beta2);
  const T one_b1 = static_cast<T>(1 - options_.beta1), one_b2 = static_cast<T>(1 - options_.beta2);
  // Per-step constants in double, then rounded once to T (as PyTorch passes Python floats).
  const T step_size = static_cast<T>(info.lr / (1 - std::pow(options_.beta1, t)));
  const T bc2_sqrt = static_cast<T>(std::sqrt(1 - std::pow(options_.beta2, t)));
  const T eps = static_cast<T>(options_.eps);
  const T wd = static_cast<T>(info.weight_decay);
  const T decay = static_cast<T>(1 - info.lr * info.weight_decay);
  for_each_row<T>(block, [&](T* __restrict p, const T* __restrict grad, T* __restrict m, T* __restrict v,
                             T* __restrict vmax, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T g = grad[i];
      if constexpr (kDecoupled) {
        p[i] *= decay;
      } else {
        g += wd * p[i];
      }
      m[i] = b1 * m[i] + one_b1 * g;
      v[i] = b2 * v[i] + one_b2 * g * g;
      T second = v[i];
      if constexpr (kAmsgrad) second = vmax[i] = std::max(vmax[i], v[i]);
      p[i] -= step_size * m[i] / (std::sqrt(second) / bc2_sqrt + eps);
    }
  });
}

template <class T>
void Adam::run(const Block& block, const StepInfo& info) const {
  if (decoupled_) {
    options_.amsgrad ? run_rule<T, true, true>(block, info) : run_rule<T, true, false>(block, info);
  } else {
    options_.amsgrad ? run_rule<T, false, true>(block, info) : run_rule<T, false, false>(block, info);
  }
}

// run_rule's constants, as data (the CUDA kernel rounds them to the element type).
UpdateRule Adam::device_rule(const StepInfo& info) const {
  const auto t = static_cast<double>(info.step);
  UpdateRule r;
  r.kind = RuleKind::Adam;
  r.b1 = options_.beta1;
  r.b2 = options_.beta2;
  r.one_b1 = 1 - options_.beta1;
  r.one_b2 = 1 - options_.beta2;
  r.step_size = info.lr / (1 - std::pow(options_.beta1, t));
  r.bc2_sqrt = std::sqrt(1 - std::pow(options_.beta2, t));
  r.eps = options_.eps;
  r.wd = info.weight_decay;
  r.decay = 1 - info.lr * info.weight_decay;
  r.decoupled = decoupled_;
  r.amsgrad = options_.amsgrad;
  return r;
}

void Adam::update(const Block& block, const StepInfo& info) const {
  block.is_double ? run<double>(block, info) : run<float>(block, info);
}

}  // namespace tg::nn
