#include "ops/elementwise_cpu.h"

#include <cmath>

#include "ops/cpu_loops.h"
#include "ops/dispatch.h"

namespace tg::ops::cpu {

void binary_forward(Binary kind, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    auto run = [&](auto f) { map_into<T, T, T>(out, f, a, b); };
    switch (kind) {
      case Binary::Add: return run([](T x, T y) -> T { return x + y; });
      case Binary::Sub: return run([](T x, T y) -> T { return x - y; });
      case Binary::Mul: return run([](T x, T y) -> T { return x * y; });
      case Binary::Div: return run([](T x, T y) -> T { return x / y; });
      case Binary::Pow: return run([](T x, T y) -> T { return static_cast<T>(std::pow(x, y)); });
      case Binary::Max: return run([](T x, T y) -> T { return x > y || x != x ? x : y; });  // NaN propagates
      case Binary::Min: return run([](T x, T y) -> T { return x < y || x != x ? x : y; });
      case Binary::And: return run([](T x, T y) -> T { return (x != 0) && (y != 0); });
      case Binary::Or: return run([](T x, T y) -> T { return (x != 0) || (y != 0); });
    }
  });
}

void compare_forward(Compare kind, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    auto run = [&](auto f) { map_into<uint8_t, T, T>(out, f, a, b); };
    switch (kind) {
      case Compare::Eq: return run([](T x, T y) -> uint8_t { return x == y; });
      case Compare::Ne: return run([](T x, T y) -> uint8_t { return x != y; });
      case Compare::Lt: return run([](T x, T y) -> uint8_t { return x < y; });
      case Compare::Le: return run([](T x, T y) -> uint8_t { return x <= y; });
      case Compare::Gt: return run([](T x, T y) -> uint8_t { return x > y; });
      case Compare::Ge: return run([](T x, T y) -> uint8_t { return x >= y; });
    }
  });
}

void unary_forward(Unary kind, const Tensor& a, const Tensor& out, double p, double q) {
  dispatch_all(a.dtype(), [&]<class T>() {
    auto run = [&](auto f) { map_into<T, T>(out, f, a); };
    const T tp = static_cast<T>(p), tq = static_cast<T>(q);
    switch (kind) {
      case Unary::Neg: return run([](T x) -> T { return -x; });
      case Unary::Exp: return run([](T x) -> T { return static_cast<T>(std::exp(x)); });
      case Unary::Log: return run([](T x) -> T { return static_cast<T>(std::log(x)); });
      case Unary::Sqrt: return run([](T x) -> T { return static_cast<T>(std::sqrt(x)); });
      case Unary::Rsqrt: return run([](T x) -> T { return static_cast<T>(1 / std::sqrt(x)); });
      case Unary::Abs: return run([](T x) -> T { return x < 0 ? -x : x; });
      case Unary::Square: return run([](T x) -> T { return x * x; });
      case Unary::Reciprocal: return run([](T x) -> T { return 1 / x; });
      case Unary::Sign: return run([](T x) -> T { return (x > 0) - (x < 0); });
      case Unary::AddScalar: return run([tp](T x) -> T { return x + tp; });
      case Unary::MulScalar: return run([tp](T x) -> T { return x * tp; });
      case Unary::RsubScalar: return run([tp](T x) -> T { return tp - x; });
      case Unary::RdivScalar: return run([tp](T x) -> T { return tp / x; });
      case Unary::PowScalar:
        if (p == 2) return run([](T x) -> T { return x * x; });
        return run([p](T x) -> T { return static_cast<T>(std::pow(x, p)); });
      case Unary::Clamp: {
        bool has_lo = !std::isnan(p), has_hi = !std::isnan(q);
        return run([=](T x) -> T {
          if (has_lo && x < tp) return tp;
          if (has_hi && x > tq) return tq;
          return x;
        });
      }
      case Unary::Not: return run([](T x) -> T { return x == 0; });
    }
  });
}

void where_forward(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    map_into<T, uint8_t, T, T>(out, [](uint8_t c, T x, T y) -> T { return c ? x : y; }, cond, a, b);
  });
}

void fill_forward(const Tensor& out, double value) {
  dispatch_all(out.dtype(), [&]<class T>() {
    const T v = out.dtype() == DType::Bool ? static_cast<T>(value != 0) : static_cast<T>(value);
    map_into<T>(out, [v]() -> T { return v; });
  });
}

void copy_forward(const Tensor& src, const Tensor& dst) {
  dispatch_all(dst.dtype(), [&]<class D>() {
    dispatch_all(src.dtype(), [&]<class S>() {
      if (dst.dtype() == DType::Bool)
        map_into<D, S>(dst, [](S x) -> D { return x != 0; }, src);
      else
        map_into<D, S>(dst, [](S x) -> D { return static_cast<D>(x); }, src);
    });
  });
}

}  // namespace tg::ops::cpu
