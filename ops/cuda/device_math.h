// Math functions callable from host and device code with the CPU backend's semantics:
// float arguments go to the float function (expf, tanhf, ...) as std::'s float overloads
// do, everything else through double. On the host these are libm's, so the host tests of
// the kernels' per-element logic compute exactly what the CPU backend computes; on the GPU
// they are CUDA's (within 1-2 ulp of libm's).
#pragma once
#include <math.h>

#include <type_traits>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

namespace math {
template <class T> TG_HD inline T exp(T x) {
  if constexpr (std::is_same_v<T, float>) return ::expf(x);
  else return static_cast<T>(::exp(static_cast<double>(x)));
}
template <class T> TG_HD inline T log(T x) {
  if constexpr (std::is_same_v<T, float>) return ::logf(x);
  else return static_cast<T>(::log(static_cast<double>(x)));
}
template <class T> TG_HD inline T sqrt(T x) {
  if constexpr (std::is_same_v<T, float>) return ::sqrtf(x);
  else return static_cast<T>(::sqrt(static_cast<double>(x)));
}
template <class T> TG_HD inline T rsqrt(T x) {
  if constexpr (std::is_same_v<T, float>) return 1.0f / ::sqrtf(x);
  else return static_cast<T>(1 / ::sqrt(static_cast<double>(x)));
}
template <class T> TG_HD inline T pow(T x, T y) {
  if constexpr (std::is_same_v<T, float>) return ::powf(x, y);
  else return static_cast<T>(::pow(static_cast<double>(x), static_cast<double>(y)));
}
template <class T> TG_HD inline bool is_nan(T x) { return x != x; }
template <class T> TG_HD inline bool is_negative(T x) {
  if constexpr (std::is_unsigned_v<T>) return false;  // masks: no "x < 0 is always false" warning
  else return x < 0;
}
template <class T> TG_HD inline T tanh(T x) {
  if constexpr (std::is_same_v<T, float>) return ::tanhf(x);
  else return static_cast<T>(::tanh(static_cast<double>(x)));
}
template <class T> TG_HD inline T erfc(T x) {
  if constexpr (std::is_same_v<T, float>) return ::erfcf(x);
  else return static_cast<T>(::erfc(static_cast<double>(x)));
}
template <class T> TG_HD inline T log1p(T x) {
  if constexpr (std::is_same_v<T, float>) return ::log1pf(x);
  else return static_cast<T>(::log1p(static_cast<double>(x)));
}
template <class T> TG_HD inline T abs(T x) { return x < T(0) ? -x : x; }
template <class T> TG_HD inline T max(T a, T b) { return a < b ? b : a; }  // std::max's choice on ties and NaN
}  // namespace math

}  // namespace tg::ops::cuda
