// Vector norms and cosine similarity (compositions of elementwise/reduce ops, with one
// custom backward for the norm itself).
//
//   l2_norm(x, dim)             = sqrt(sum_dim x^2)
//     gradient x / ||x||, and 0 at the zero vector: we pick the zero subgradient there
//     (||.|| is not differentiable at 0; 0 is in its subdifferential, the unit ball, and it
//     keeps gradients finite where x / ||x|| would be 0/0 = NaN). Same choice as PyTorch's
//     norm backward.
//   normalize(x, dim, eps)      = x / max(||x||, eps)            (torch.nn.functional.normalize)
//     the max is differentiated as clamp_min: below eps the denominator is the constant eps,
//     so the gradient at the zero vector is g / eps (finite).
//   cosine_similarity(a, b, dim, eps)
//     a and b broadcast to a common shape first (dim refers to that shape), then
//       sum_dim (a / max(||a||, eps)) * (b / max(||b||, eps))
//     PyTorch 1.13's rule (aten/src/ATen/native/Distance.cpp: expand_outplace, then each
//     linalg_vector_norm clamped on its own with clamp_min(eps)), NOT the max(||a|| ||b||, eps)
//     of PyTorch <= 1.11; the result stays in [-1, 1]. Same forward formula as PyTorch 1.13.
//     Gradients equal PyTorch's wherever ||a||, ||b|| > eps; at a = 0 both give
//     da = g (b / max(||b||, eps)) / eps (finite) and db = 0. For 0 < ||a|| < eps PyTorch
//     clamps under no_grad (its gradient there is not the derivative of its own forward);
//     we return the true derivative of the clamped function.
//   pairwise_cosine(a [B, Z], b [M, Z], eps) -> [B, M]: out[i, j] = cosine_similarity(a_i, b_j)
//     under the same rule (each row normalised with its own clamp).
//
// Inputs are float32 or float64; a and b of the two-input ops must have the same dtype.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops {

Tensor l2_norm(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor normalize(const Tensor& x, int64_t dim, double eps = 1e-12);
Tensor cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim = -1, double eps = 1e-8);
Tensor pairwise_cosine(const Tensor& a, const Tensor& b, double eps = 1e-8);

}  // namespace tg::ops
