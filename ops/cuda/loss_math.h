// Per-element logloss (binary cross-entropy on logits) and its gradient, as ops/loss.cpp's
// CPU kernels compute them, for host and device (ops/cuda/loss.cu; checked in tests/cuda).
#pragma once
#include "core/cuda/hd.h"
#include "ops/cuda/activation_math.h"
#include "ops/cuda/device_math.h"

namespace tg::ops::cuda {

// loss = (1 - y) x + (1 + (pw - 1) y) (log1p(e^-|x|) + max(-x, 0)).
template <class T> TG_HD inline T logloss_value(T v, T t, double pos_weight) {
  const T pw1 = static_cast<T>(pos_weight - 1);
  T softplus_neg = math::log1p(math::exp(-math::abs(v))) + math::max(-v, T(0));
  return (T(1) - t) * v + (T(1) + pw1 * t) * softplus_neg;
}

// dx = scale g ((1 + (pw - 1) y) sigmoid(x) - pw y).
template <class T> TG_HD inline T logloss_grad(T g, T v, T t, double pos_weight, double scale) {
  const T pw = static_cast<T>(pos_weight), pw1 = static_cast<T>(pos_weight - 1), s = static_cast<T>(scale);
  return s * g * ((T(1) + pw1 * t) * stable_sigmoid(v) - pw * t);
}

}  // namespace tg::ops::cuda
