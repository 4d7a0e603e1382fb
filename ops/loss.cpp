// Losses: checks, device switch and backward closure; the CPU kernels sit in the `cpu`
// section at the top (the loss family has no separate _cpu.cpp file). Math in ops/loss.h.
#include "ops/activation_cpu.h"
#include "ops/loss.h"
#include "ops/cuda/loss.h"

#include <algorithm>
#include <cmath>

#include "core/autograd.h"
#include "ops/cpu_loops.h"
#include "ops/dispatch.h"
#include "ops/reduce.h"

namespace tg::ops {

// ---- CPU kernels -----------------------------------------------------------------------

namespace cpu {
namespace {

// e = exp(-|x|) is in (0, 1]: no overflow on either side.
template <class T> inline T stable_sigmoid(T x) {
  T e = std::exp(-std::abs(x));
  T r = T(1) / (T(1) + e);
  return x >= T(0) ? r : e * r;
}

// loss = (1 - y) x + (1 + (pw - 1) y) (log1p(e^-|x|) + max(-x, 0)), per element.
void logloss_forward(const Tensor& x, const Tensor& y, double pos_weight, const Tensor& loss) {
  dispatch_floating(x.dtype(), "logloss", [&]<class T>() {
    const T pw1 = static_cast<T>(pos_weight - 1);
    map_into<T, T, T>(loss, [pw1](T v, T t) -> T {
      T softplus_neg = std::log1p(std::exp(-std::abs(v))) + std::max(-v, T(0));
      return (T(1) - t) * v + (T(1) + pw1 * t) * softplus_neg;
    }, x, y);
  });
}

// dx = scale * g * dl/dx with dl/dx = (1 + (pw - 1) y) sigmoid(x) - pw y, which is the exact
// sigmoid(x) - y for pw = 1. g is 0-d (Mean/Sum: broadcast) or has x's shape (None).
void logloss_backward(const Tensor& g, const Tensor& x, const Tensor& y, double pos_weight, double scale,
                      const Tensor& dx) {
  dispatch_floating(x.dtype(), "logloss backward", [&]<class T>() {
    const T pw = static_cast<T>(pos_weight), pw1 = static_cast<T>(pos_weight - 1), s = static_cast<T>(scale);
    map_into<T, T, T, T>(dx, [pw, pw1, s](T gv, T v, T t) -> T {
      return s * gv * ((T(1) + pw1 * t) * stable_sigmoid(v) - pw * t);
    }, g, x, y);
  });
}

}  // namespace
}  // namespace cpu

// ---- logloss ---------------------------------------------------------------------------

Tensor logloss(const Tensor& logits, const Tensor& targets, LoglossOptions options) {
  check(logits.defined() && targets.defined(), "logloss: undefined logits or targets");
  check(is_floating(logits.dtype()), "logloss: needs float32 or float64 logits, got {}", logits.describe());
  check(targets.dtype() == logits.dtype(),
        "logloss: dtypes differ: logits {} and targets {} (targets are probabilities in [0, 1] of the logits' "
        "dtype; convert with .to(dtype))",
        logits.describe(), targets.describe());
  check(logits.device() == targets.device(), "logloss: devices differ: logits {} and targets {}", logits.describe(),
        targets.describe());
  check(logits.shape() == targets.shape(), "logloss: logits {} and targets {} must have the same shape",
        logits.shape(), targets.shape());
  const double pw = options.pos_weight.value_or(1.0);
  check(std::isfinite(pw) && pw >= 0, "logloss: pos_weight must be finite and >= 0, got {}", pw);
  const Reduction reduction = options.reduction;
  check(reduction == Reduction::Mean || reduction == Reduction::Sum || reduction == Reduction::None,
        "logloss: unknown reduction {}", static_cast<int>(reduction));

  Tensor per_element = Tensor::empty(logits.shape(), {.dtype = logits.dtype(), .device = logits.device()});
  switch (logits.device().type) {
    case DeviceType::CPU: cpu::logloss_forward(logits, targets, pw, per_element); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("logloss", cuda::logloss_forward(logits, targets, pw, per_element)); break;
  }
  Tensor out = per_element;
  double scale = 1.0;  // d(out)/d(per-element loss), for the backward
  if (reduction != Reduction::None) {
    NoGradGuard no_grad;  // per_element has no history: the reduction is raw arithmetic
    out = sum(per_element);
    if (reduction == Reduction::Mean) {
      scale = 1.0 / static_cast<double>(logits.numel());  // inf for an empty input: NaN loss, as torch
      out.mul_(scale);
    }
  }

  // targets are recorded detached: no edge (they are constants) but their storage version is
  // still checked, since the backward reads them.
  if (needs_grad({logits}))
    record(out, "logloss", {logits, targets.detach()},
           [x = logits.detach(), y = targets.detach(), pw, scale](const Tensor& g, const InputMask& need) -> TensorList {
             if (!need[0]) return {Tensor(), Tensor()};
             check(g.dtype() == x.dtype(), "backward of logloss: gradient {} does not match the logits {}",
                   g.describe(), x.describe());
             Tensor dx = Tensor::empty(x.shape(), {.dtype = x.dtype(), .device = x.device()});
             switch (x.device().type) {
               case DeviceType::CPU: cpu::logloss_backward(g, x, y, pw, scale, dx); break;
               case DeviceType::CUDA:
                 TG_CUDA_KERNEL("logloss backward", cuda::logloss_backward(g, x, y, pw, scale, dx));
                 break;
             }
             return {dx, Tensor()};
           });
  return out;
}

}  // namespace tg::ops
