#pragma once
// L2 regularization, FuxiCTR's semantics (design/models.md §0 "Regularization"):
//
//   l2_penalty(params, lambda) = lambda / 2 * sum over the tensors w of ||w||^2
//
// over WHOLE tensors at every step (an embedding table's rows that the batch did not look up
// count too; its gradient lambda * w is dense). Differentiable: one fused node whose forward
// sums squares in double over fixed-size blocks (the value does not depend on the thread
// count) and whose backward writes d/dw = lambda * g * w in one pass, with no [w]-sized
// temporaries in the forward. The result is a scalar of the tensors' dtype (all the same,
// float32 or float64). lambda = 0 gives a constant 0 and records nothing.
//
// The Module form picks parameters by role: EAIN's lambda ||Theta||^2 is
// l2_penalty(model, lambda) (L2Scope::All), QIN's embedding regularizer is
// l2_penalty(model, 2e-4, L2Scope::Embeddings) (ParamRole::Embedding tables only).
#include <vector>

#include "core/tensor.h"
#include "nn/module.h"

namespace tg::nn {

enum class L2Scope { All, Embeddings, Dense };

Tensor l2_penalty(const std::vector<Tensor>& params, double lambda);
Tensor l2_penalty(const Module& module, double lambda, L2Scope scope = L2Scope::All);
// The parameters of `module` in `scope`, in named_parameters() order.
std::vector<Tensor> parameters_in(const Module& module, L2Scope scope);

}  // namespace tg::nn
