// The per-element functions of the activation family (ops/activation_cpu.cpp's lambdas,
// written once for host and device): the CUDA kernels (ops/cuda/activation.cu) call them
// and tests/cuda checks them against the CPU backend.
#pragma once
#include "core/cuda/hd.h"
#include "ops/cuda/device_math.h"

namespace tg::ops::cuda {

enum class Activation { Relu, LeakyRelu, Sigmoid, Tanh, Silu, Gelu, GeluTanh, Softplus };  // mirrors cpu::Activation

inline constexpr double kSqrtHalf = 0.70710678118654752440;     // 1/sqrt(2)
inline constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/sqrt(2 pi)
inline constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2/pi)
inline constexpr double kGeluCubic = 0.044715;

// e = exp(-|x|) in (0, 1]: neither branch overflows.
template <class T> TG_HD inline T stable_sigmoid(T x) {
  T e = math::exp(-math::abs(x));
  T r = T(1) / (T(1) + e);
  return x >= T(0) ? r : e * r;
}

// log(1 + e^z) = max(z, 0) + log1p(e^-|z|).
template <class T> TG_HD inline T stable_softplus(T z) {
  return math::max(z, T(0)) + math::log1p(math::exp(-math::abs(z)));
}

// f(v); p is leaky_relu's slope or softplus's beta (rounded to T as on the CPU).
template <class T> TG_HD inline T activation_value(Activation kind, T v, double p_) {
  const T p = static_cast<T>(p_);
  switch (kind) {
    case Activation::Relu: return v < T(0) ? T(0) : v;  // NaN propagates
    case Activation::LeakyRelu: return v > T(0) ? v : v * p;
    case Activation::Sigmoid: return stable_sigmoid(v);
    case Activation::Tanh: return math::tanh(v);
    case Activation::Silu: return v * stable_sigmoid(v);
    case Activation::Gelu: return T(0.5) * v * math::erfc(-v * T(kSqrtHalf));
    case Activation::GeluTanh: {
      T t = math::tanh(T(kSqrt2OverPi) * (v + T(kGeluCubic) * v * v * v));
      return T(0.5) * v * (T(1) + t);
    }
    case Activation::Softplus: return stable_softplus(p * v) * static_cast<T>(1.0 / p_);
  }
  return v;
}

// dinp = g f'(.), `s` the saved output y (Sigmoid, Tanh) or the input x (the others).
template <class T> TG_HD inline T activation_grad(Activation kind, T g, T s, double p_) {
  const T p = static_cast<T>(p_);
  switch (kind) {
    case Activation::Relu: return s > T(0) ? g : T(0);
    case Activation::LeakyRelu: return s > T(0) ? g : g * p;
    case Activation::Sigmoid: return g * s * (T(1) - s);
    case Activation::Tanh: return g * (T(1) - s * s);
    case Activation::Silu: {
      T sig = stable_sigmoid(s);
      return g * sig * (T(1) + s * (T(1) - sig));
    }
    case Activation::Gelu: {
      T cdf = T(0.5) * math::erfc(-s * T(kSqrtHalf));
      T pdf = T(kInvSqrt2Pi) * math::exp(T(-0.5) * s * s);
      return g * (cdf + s * pdf);
    }
    case Activation::GeluTanh: {
      T x2 = s * s;
      T t = math::tanh(T(kSqrt2OverPi) * s * (T(1) + T(kGeluCubic) * x2));
      T du = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCubic) * x2);
      return g * T(0.5) * ((T(1) + t) + s * (T(1) - t * t) * du);
    }
    case Activation::Softplus: return g * stable_sigmoid(p * s);
  }
  return g;
}

template <class T> TG_HD inline T prelu_value(T v, T w) { return v > T(0) ? v : w * v; }
template <class T> TG_HD inline T prelu_grad_input(T g, T v, T w) { return v > T(0) ? g : w * g; }
template <class T> TG_HD inline T prelu_grad_weight_term(T g, T v) { return v > T(0) ? T(0) : v * g; }

}  // namespace tg::ops::cuda
