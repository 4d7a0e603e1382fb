// exp (and tanh, below) for float32 kernels that the compiler can vectorise.
//
// std::exp(float) is a call into libm per element, so loops over it (softmax, the row
// exponentials of attention) run one element at a time. fast_exp is the classic Cephes
// expf reduction written branch-free in plain float arithmetic, so GCC turns a loop over it
// into AVX2 code:  x = n ln2 + r, |r| <= ln2/2;  exp(r) by a degree-6 polynomial;  2^n by
// writing n into the exponent bits. Relative error <= 2.5e-7 over the normal range (about
// 2 ulp; tests/ops check it against std::exp). Inputs below about -87.3 give 0 (the true
// value is a denormal under 1.2e-38), above 88.7 give +inf, and NaN gives NaN.
// Double kernels keep std::exp: they serve gradient checks, where exactness matters.
#pragma once
#include <bit>
#include <cstdint>

namespace tg::ops::cpu {

inline float fast_exp(float x) {
  constexpr float kHi = 88.7228394f, kLo = -87.3365479f;
  const float in = x;
  x = x > kHi ? kHi : x;
  x = x < kLo ? kLo : x;
  // n = round(x / ln2) through the 1.5 * 2^23 trick: the sum's low mantissa bits hold n.
  constexpr float kShift = 12582912.0f;
  const float t = x * 1.44269504088896341f + kShift;
  const float n = t - kShift;
  const int32_t ni = std::bit_cast<int32_t>(t) - std::bit_cast<int32_t>(kShift);
  // r = x - n ln2, with ln2 split in two so the product is exact.
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * r * r + r + 1.0f;
  // 2^n for n in [-126, 128]: n = 128 (x at kHi) is built as 2 * 2^127.
  const int32_t half = ni >> 1;
  const float s1 = std::bit_cast<float>((half + 127) << 23);
  const float s2 = std::bit_cast<float>((ni - half + 127) << 23);
  const float y = er * s1 * s2;
  // NaN fails both comparisons and propagates through the arithmetic (in + in).
  return in < kLo ? 0.0f : (in > kHi ? __builtin_inff() : (in == in ? y : in + in));
}

// tanh for float32 kernels, vectorisable like fast_exp (libm's tanhf is a call per element).
// |x| >= 0.625: 1 - 2 / (e^{2|x|} + 1) through fast_exp, where the result is >= 0.55 so the
// subtraction loses nothing; below, the odd minimax polynomial x + x^3 P(x^2) of Cephes'
// tanhf, which keeps full relative accuracy near 0. Both are computed and one is selected, so
// the loop has no branch. Relative error <= 5e-7 (tests/ops); +-inf gives +-1, NaN gives NaN.
inline float fast_tanh(float x) {
  const float a = x < 0.0f ? -x : x;
  const float big = 1.0f - 2.0f / (fast_exp(a + a) + 1.0f);  // e^{2a} = inf for large a: exactly 1
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  return a >= 0.625f ? (x < 0.0f ? -big : big) : small;  // NaN fails the comparison: small is NaN
}

}  // namespace tg::ops::cpu
