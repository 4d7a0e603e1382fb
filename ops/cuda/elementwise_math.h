// The per-element functions of the elementwise family, shared by the CUDA kernels
// (ops/cuda/elementwise.cu) and the host tests that check them against the CPU backend.
//
// The enums mirror ops/elementwise_cpu.h's (same order: the glue casts one to the other,
// and tests/cuda checks every value). Each function is the CPU kernel's lambda for that
// case, written once for both sides: float math goes to the float function (expf, powf),
// integers through double, exactly as the CPU's std:: overloads do.
#pragma once
#include <cstdint>

#include "core/cuda/hd.h"
#include "ops/cuda/device_math.h"

namespace tg::ops::cuda {

enum class Binary { Add, Sub, Mul, Div, Pow, Max, Min, And, Or };
enum class Compare { Eq, Ne, Lt, Le, Gt, Ge };
enum class Unary { Neg, Exp, Log, Sqrt, Rsqrt, Abs, Square, Reciprocal, Sign, AddScalar, MulScalar, RsubScalar,
                   RdivScalar, PowScalar, Clamp, Not };


template <class T> TG_HD inline T apply_binary(Binary kind, T x, T y) {
  switch (kind) {
    case Binary::Add: return x + y;
    case Binary::Sub: return x - y;
    case Binary::Mul: return x * y;
    case Binary::Div: return x / y;
    case Binary::Pow: return math::pow(x, y);
    case Binary::Max: return x > y || x != x ? x : y;  // NaN propagates
    case Binary::Min: return x < y || x != x ? x : y;
    case Binary::And: return (x != 0) && (y != 0);
    case Binary::Or: return (x != 0) || (y != 0);
  }
  return T(0);
}

template <class T> TG_HD inline uint8_t apply_compare(Compare kind, T x, T y) {
  switch (kind) {
    case Compare::Eq: return x == y;
    case Compare::Ne: return x != y;
    case Compare::Lt: return x < y;
    case Compare::Le: return x <= y;
    case Compare::Gt: return x > y;
    case Compare::Ge: return x >= y;
  }
  return 0;
}

// Scalar forms carry their scalar in p (q: Clamp's upper bound; NaN p or q: no bound).
template <class T> TG_HD inline T apply_unary(Unary kind, T x, double p, double q) {
  const T tp = static_cast<T>(p), tq = static_cast<T>(q);
  switch (kind) {
    case Unary::Neg: return -x;
    case Unary::Exp: return math::exp(x);
    case Unary::Log: return math::log(x);
    case Unary::Sqrt: return math::sqrt(x);
    case Unary::Rsqrt: return math::rsqrt(x);
    case Unary::Abs: return math::is_negative(x) ? -x : x;
    case Unary::Square: return x * x;
    case Unary::Reciprocal: return 1 / x;
    case Unary::Sign: return (x > 0) - math::is_negative(x);
    case Unary::AddScalar: return x + tp;
    case Unary::MulScalar: return x * tp;
    case Unary::RsubScalar: return tp - x;
    case Unary::RdivScalar: return tp / x;
    case Unary::PowScalar:
      if (p == 2) return x * x;
      return static_cast<T>(::pow(static_cast<double>(x), p));
    case Unary::Clamp:
      if (!math::is_nan(p) && x < tp) return tp;
      if (!math::is_nan(q) && x > tq) return tq;
      return x;
    case Unary::Not: return x == 0;
  }
  return T(0);
}

// dst = src converted; bool destinations hold 0 or 1 (any nonzero source is true).
template <class D, class S> TG_HD inline D convert(S x, bool to_bool) {
  return to_bool ? static_cast<D>(x != 0) : static_cast<D>(x);
}

}  // namespace tg::ops::cuda
