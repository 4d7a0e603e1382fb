// Activation functions, elementwise on float32/float64 tensors of any shape and strides.
//
//   relu(x)            = max(x, 0)                      d/dx = [x > 0]
//   leaky_relu(x, a)   = x > 0 ? x : a x                d/dx = x > 0 ? 1 : a
//   prelu(x, w)        = x > 0 ? x : w_c x              d/dx = x > 0 ? 1 : w_c,  d/dw_c = [x <= 0] x
//   sigmoid(x)         = 1 / (1 + e^-x)                 d/dx = y (1 - y)
//   tanh(x)                                             d/dx = 1 - y^2
//   silu(x)            = x sigmoid(x)                   d/dx = s (1 + x (1 - s)),  s = sigmoid(x)
//   gelu(x)            = x Phi(x) = x/2 erfc(-x/sqrt2)  d/dx = Phi(x) + x phi(x)  (normal cdf, pdf)
//   gelu(x, true)      = x/2 (1 + tanh(k (x + 0.044715 x^3))),  k = sqrt(2/pi)  (torch's approximate='tanh')
//   softplus(x, b)     = log(1 + e^(b x)) / b           d/dx = sigmoid(b x)
//
// Conventions. At the kink x = 0 of relu/leaky_relu/prelu the derivative is the left one, as in
// PyTorch: 0 for relu, the slope for leaky_relu/prelu. relu(NaN) is NaN. sigmoid
// and softplus never evaluate exp of a positive number, so they stay finite for any |x| (no
// overflow to inf/NaN at x = -100 in float32). gelu uses erfc rather than 1 + erf so its
// left tail keeps full relative precision. Each input gradient is one fused pass over the
// data (ops::cpu kernels below); sigmoid and tanh save their output for it, the others x.
// prelu's weight gradient is one more pass plus a sum over the non-channel dims.
//
// prelu's weight holds one slope for every element (numel 1), or one slope per channel
// (numel C): the channel is dimension 1 of x, or dimension 0 when x is 1-D (PyTorch only
// allows a single slope for 1-D inputs). Its gradient is summed over all other dimensions.
#pragma once
#include "core/tensor.h"

namespace tg::ops {

Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor prelu(const Tensor& x, const Tensor& weight);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor silu(const Tensor& x);
// approximate = false: the exact erf form; true: the tanh approximation.
Tensor gelu(const Tensor& x, bool approximate = false);
// beta must be finite and nonzero; computed as (max(b x, 0) + log1p(e^-|b x|)) / b.
Tensor softplus(const Tensor& x, double beta = 1.0);

}  // namespace tg::ops
