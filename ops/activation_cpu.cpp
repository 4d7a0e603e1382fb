// CPU kernels of the activation family (math and conventions in ops/activation.h).
//
// Every kernel is one cpu::map_into pass: strides and broadcasting are handled by the loop
// machinery, the lambdas are branch-light so the contiguous inner loops vectorise, and the
// arithmetic stays in the element type T (float32 is not widened to double).
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "ops/activation.h"
#include "ops/activation_cpu.h"
#include "ops/cpu_loops.h"
#include "ops/dispatch.h"
#include "ops/fast_exp.h"

namespace tg::ops::cpu {

namespace {

constexpr double kSqrtHalf = 0.70710678118654752440;     // 1/sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/sqrt(2 pi)
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2/pi)
constexpr double kGeluCubic = 0.044715;

// e = exp(-|x|) lies in (0, 1], so neither branch can overflow: 1/(1+e) for x >= 0 and
// e/(1+e) = 1/(1+e^-x) for x < 0. Large negative x underflows gracefully to 0.
template <class T> inline T stable_sigmoid(T x) {
  T e = std::exp(-std::abs(x));
  T r = T(1) / (T(1) + e);
  return x >= T(0) ? r : e * r;
}

// tanh in the element type: the vectorisable fast_tanh for float32 (ops/fast_exp.h; EAIN's DIN
// unit spends a third of its step in tanh), libm for float64, which serves gradient checks.
template <class T> inline T tanh_of(T x) {
  if constexpr (std::is_same_v<T, float>) return fast_tanh(x);
  else return std::tanh(x);
}

// log(1 + e^z) = max(z, 0) + log1p(e^-|z|): exp of a non-positive number only.
template <class T> inline T stable_softplus(T z) { return std::max(z, T(0)) + std::log1p(std::exp(-std::abs(z))); }

}  // namespace

void activation_forward(Activation kind, const Tensor& x, const Tensor& out, double p) {
  dispatch_floating(x.dtype(), "activation", [&]<class T>() {
    auto run = [&](auto f) { map_into<T, T>(out, f, x); };
    const T tp = static_cast<T>(p);
    switch (kind) {
      // v < 0 ? 0 : v (not v > 0 ? v : 0) so that NaN propagates, as torch.relu.
      case Activation::Relu: return run([](T v) -> T { return v < T(0) ? T(0) : v; });
      case Activation::LeakyRelu: return run([tp](T v) -> T { return v > T(0) ? v : v * tp; });
      case Activation::Sigmoid: return run([](T v) -> T { return stable_sigmoid(v); });
      case Activation::Tanh: return run([](T v) -> T { return tanh_of(v); });
      case Activation::Silu: return run([](T v) -> T { return v * stable_sigmoid(v); });
      // x Phi(x) with Phi(x) = erfc(-x/sqrt2)/2: no cancellation in 1 + erf(x) for x << 0.
      case Activation::Gelu: return run([](T v) -> T { return T(0.5) * v * std::erfc(-v * T(kSqrtHalf)); });
      case Activation::GeluTanh:
        return run([](T v) -> T {
          T t = tanh_of(T(kSqrt2OverPi) * (v + T(kGeluCubic) * v * v * v));
          return T(0.5) * v * (T(1) + t);
        });
      case Activation::Softplus: {
        const T inv = static_cast<T>(1.0 / p);
        return run([tp, inv](T v) -> T { return stable_softplus(tp * v) * inv; });
      }
    }
  });
}

void activation_backward(Activation kind, const Tensor& dout, const Tensor& saved, const Tensor& dinp, double p) {
  dispatch_floating(saved.dtype(), "activation backward", [&]<class T>() {
    auto run = [&](auto f) { map_into<T, T, T>(dinp, f, dout, saved); };
    const T tp = static_cast<T>(p);
    switch (kind) {
      case Activation::Relu: return run([](T g, T x) -> T { return x > T(0) ? g : T(0); });
      case Activation::LeakyRelu: return run([tp](T g, T x) -> T { return x > T(0) ? g : g * tp; });
      case Activation::Sigmoid: return run([](T g, T y) -> T { return g * y * (T(1) - y); });
      case Activation::Tanh: return run([](T g, T y) -> T { return g * (T(1) - y * y); });
      case Activation::Silu:
        return run([](T g, T x) -> T {
          T s = stable_sigmoid(x);
          return g * s * (T(1) + x * (T(1) - s));
        });
      case Activation::Gelu:
        return run([](T g, T x) -> T {
          T cdf = T(0.5) * std::erfc(-x * T(kSqrtHalf));
          T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
          return g * (cdf + x * pdf);
        });
      case Activation::GeluTanh:
        // y = x/2 (1 + t), t = tanh(u), u = k (x + c x^3):  y' = (1 + t)/2 + x/2 (1 - t^2) k (1 + 3 c x^2)
        return run([](T g, T x) -> T {
          T x2 = x * x;
          T t = tanh_of(T(kSqrt2OverPi) * x * (T(1) + T(kGeluCubic) * x2));
          T du = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCubic) * x2);
          return g * T(0.5) * ((T(1) + t) + x * (T(1) - t * t) * du);
        });
      case Activation::Softplus: return run([tp](T g, T x) -> T { return g * stable_sigmoid(tp * x); });
    }
  });
}

void prelu_forward(const Tensor& x, const Tensor& weight, const Tensor& out) {
  dispatch_floating(x.dtype(), "prelu", [&]<class T>() {
    map_into<T, T, T>(out, [](T v, T w) -> T { return v > T(0) ? v : w * v; }, x, weight);
  });
}

void prelu_backward_input(const Tensor& dout, const Tensor& x, const Tensor& weight, const Tensor& dinp) {
  dispatch_floating(x.dtype(), "prelu backward", [&]<class T>() {
    map_into<T, T, T, T>(dinp, [](T g, T v, T w) -> T { return v > T(0) ? g : w * g; }, dout, x, weight);
  });
}

void prelu_backward_weight_terms(const Tensor& dout, const Tensor& x, const Tensor& terms) {
  dispatch_floating(x.dtype(), "prelu backward", [&]<class T>() {
    map_into<T, T, T>(terms, [](T g, T v) -> T { return v > T(0) ? T(0) : v * g; }, dout, x);
  });
}

}  // namespace tg::ops::cpu
