// Elementwise arithmetic with PyTorch broadcasting, and masks.
//
// Binary ops broadcast their operands to a common shape (right-aligned; size-1 dims
// stretch). Both tensors must have the same dtype and device (no silent promotion); the
// scalar forms take a double. Gradients of broadcast inputs are summed back to the
// input's shape by ops::sum_to (ops/reduce.h), the one un-broadcast helper.
#pragma once
#include "core/autograd.h"
#include "core/tensor.h"

namespace tg::ops {

// The broadcast shape of a and b, or an error naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& exponent);  // a > 0 where the exponent's gradient is needed
Tensor maximum(const Tensor& a, const Tensor& b);     // gradient to the larger (split evenly on ties)
Tensor minimum(const Tensor& a, const Tensor& b);

Tensor add(const Tensor& a, double s);
Tensor sub(const Tensor& a, double s);
Tensor rsub(double s, const Tensor& a);  // s - a
Tensor mul(const Tensor& a, double s);
Tensor div(const Tensor& a, double s);
Tensor rdiv(double s, const Tensor& a);  // s / a
Tensor pow(const Tensor& a, double exponent);

Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor rsqrt(const Tensor& a);
Tensor abs(const Tensor& a);        // gradient sign(a), 0 at 0
Tensor square(const Tensor& a);
Tensor reciprocal(const Tensor& a);
Tensor sign(const Tensor& a);       // no gradient (zero almost everywhere)
// Limits values to [lo, hi]; either bound may be omitted (NaN = none). Gradient passes
// where lo <= a <= hi.
Tensor clamp(const Tensor& a, double lo, double hi);
Tensor clamp_min(const Tensor& a, double lo);
Tensor clamp_max(const Tensor& a, double hi);

// cond ? a : b, broadcasting all three; cond is a bool/uint8 mask.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, double b);
// a with `value` where mask is true (mask broadcasts to a's shape); gradient 0 there.
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);

// Comparisons give bool tensors and are not differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double s);
Tensor ne(const Tensor& a, double s);
Tensor lt(const Tensor& a, double s);
Tensor le(const Tensor& a, double s);
Tensor gt(const Tensor& a, double s);
Tensor ge(const Tensor& a, double s);
Tensor logical_not(const Tensor& mask);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);

}  // namespace tg::ops

namespace tg {
inline Tensor operator+(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return ops::sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return ops::mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return ops::div(a, b); }
inline Tensor operator+(const Tensor& a, double s) { return ops::add(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return ops::sub(a, s); }
inline Tensor operator*(const Tensor& a, double s) { return ops::mul(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return ops::div(a, s); }
inline Tensor operator+(double s, const Tensor& a) { return ops::add(a, s); }
inline Tensor operator-(double s, const Tensor& a) { return ops::rsub(s, a); }
inline Tensor operator*(double s, const Tensor& a) { return ops::mul(a, s); }
inline Tensor operator/(double s, const Tensor& a) { return ops::rdiv(s, a); }
inline Tensor operator-(const Tensor& a) { return ops::neg(a); }
}  // namespace tg
