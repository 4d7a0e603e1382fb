// Neural-network functions with fused forward and backward kernels: softmax, log_softmax,
// layer_norm, batch_norm, dropout.
//
//   softmax(x)_i     = m_i exp(x_i - c) / sum_j m_j exp(x_j - c),   c = max_{j: m_j} x_j
//   log_softmax(x)_i = m_i (x_i - c - log sum_j m_j exp(x_j - c))
//     m is the optional keep-mask (1 when no mask is given). Masked positions (m_i = 0) come
//     out as exactly 0 with exactly zero gradient, and a row with every position masked comes
//     out as all zeros — never NaN. For log_softmax that means masked positions hold 0, not
//     -inf, so a downstream sum (e.g. a masked NLL) stays finite; mask them again yourself
//     if you need them to act as log(0). A row whose kept values are all -inf is treated
//     like an all-masked row (zeros; its gradient is not meaningful); NaN propagates.
//     backward: softmax dx = y (g - sum_j g_j y_j);  log_softmax dx = m (g - p sum_j m_j g_j), p = exp(y)
//   layer_norm over the last k dims (a "row" of n = prod(normalized_shape) values):
//     y = (x - mean) * rstd * w + b,  rstd = 1/sqrt(var + eps), var biased (divides by n)
//     backward, with xhat = (x - mean) rstd and gw = g w:
//     dx = rstd (gw - mean(gw) - xhat mean(gw xhat)),  dw = sum_rows g xhat,  db = sum_rows g
//   batch_norm on x [N, C] or [N, C, L], statistics per channel c over the M = N*L values:
//     training: y = (x - mean_B) rstd_B w + b with the biased batch variance, and in place
//       running_mean = (1 - momentum) running_mean + momentum mean_B
//       running_var  = (1 - momentum) running_var  + momentum var_B * M / (M - 1)  (unbiased, as PyTorch)
//     eval: y = (x - running_mean) / sqrt(running_var + eps) w + b
//     backward (training, statistics depend on x): dx = w rstd (g - mean(g) - xhat mean(g xhat))
//              (eval, statistics are constants):   dx = w rstd g;   dw = sum g xhat, db = sum g
//   dropout: y = x * keep / (1 - p), keep ~ Bernoulli(1 - p) drawn from the Philox stream
//     (core/philox.h) at counters reserved from the Generator: element i (row-major) of the
//     mask depends only on (seed, offset, i), so a seed gives the same mask whatever the thread
//     count or the dtype. dx = g * keep / (1 - p).
//
// Every op takes float32 or float64 (gradchecks use float64); masks are bool or uint8
// (nonzero = keep). Non-contiguous inputs are copied to contiguous first.
#pragma once
#include <cstdint>

#include "core/rng.h"
#include "core/tensor.h"

namespace tg::ops {

// mask (optional) broadcasts to x's shape; true = keep.
Tensor softmax(const Tensor& x, int64_t dim, const Tensor& mask = Tensor());
Tensor log_softmax(const Tensor& x, int64_t dim, const Tensor& mask = Tensor());

// normalized_shape must equal the last normalized_shape.size() dims of x; weight and bias
// (either optional) have shape normalized_shape.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// Channels at dim 1, as torch. running_mean / running_var [C] are updated in place in
// training mode (no gradient flows into them); they may be undefined only in training mode.
// weight / bias [C] are optional.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5);

// Identity when !training or p == 0 (returns x itself); zeros when p == 1. gen: null means
// the default generator (tg::manual_seed).
Tensor dropout(const Tensor& x, double p, bool training, Generator* gen = nullptr);

}  // namespace tg::ops
