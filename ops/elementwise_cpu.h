// CPU kernels of the elementwise family (called from elementwise.cpp's device switch).
// Every kernel writes into `out`, which already has the broadcast shape (possibly strided).
#pragma once
#include "core/tensor.h"

namespace tg::ops::cpu {

enum class Binary { Add, Sub, Mul, Div, Pow, Max, Min, And, Or };
enum class Compare { Eq, Ne, Lt, Le, Gt, Ge };
// Scalar forms carry their scalar in p (and q for Clamp's upper bound).
enum class Unary { Neg, Exp, Log, Sqrt, Rsqrt, Abs, Square, Reciprocal, Sign, AddScalar, MulScalar, RsubScalar,
                   RdivScalar, PowScalar, Clamp, Not };

void binary_forward(Binary kind, const Tensor& a, const Tensor& b, const Tensor& out);
void compare_forward(Compare kind, const Tensor& a, const Tensor& b, const Tensor& out);
void unary_forward(Unary kind, const Tensor& a, const Tensor& out, double p = 0, double q = 0);
void where_forward(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out);
void fill_forward(const Tensor& out, double value);
// dst = src broadcast to dst's shape, converting the dtype.
void copy_forward(const Tensor& src, const Tensor& dst);

}  // namespace tg::ops::cpu
