// Losses.
//
// logloss: binary cross-entropy from logits, as torch.nn.functional.binary_cross_entropy_with_logits.
// Per element, with logit x, target y in [0, 1] and positive-class weight pw (1 when not given):
//
//   l = -[ pw y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)) ]
//     = (1 - y) x + (1 + (pw - 1) y) softplus(-x),   softplus(-x) = log1p(e^-|x|) + max(-x, 0)
//
// The second form is what is computed: it never takes exp of a positive number or log of
// 0, so the loss is finite and exact for any |x| (x = +-100, +-1e4 in float32 included).
//   dl/dx = (1 - y) - (1 + (pw - 1) y) sigmoid(-x)        (= sigmoid(x) - y when pw = 1)
// computed in one fused pass with a stable sigmoid, so the gradient has no NaN/Inf either.
//
// Reduction: Mean (default) divides the sum by the number of elements (NaN for an empty
// input, as torch); Sum adds them; None returns the per-element losses in the logits' shape.
//
// Targets are constants: no gradient flows into them, even when they require grad (detach
// is implied). They are not checked to lie in [0, 1]; values outside give the formula's
// value, as torch does. logits and targets must have the same shape and floating dtype
// (no broadcasting, no promotion).
#pragma once
#include <optional>

#include "core/tensor.h"

namespace tg::ops {

enum class Reduction { Mean, Sum, None };

struct LoglossOptions {
  Reduction reduction = Reduction::Mean;
  // Weight of the positive term (torch's pos_weight, one value for all elements): > 1
  // raises recall on rare positives. Must be finite and >= 0.
  std::optional<double> pos_weight = std::nullopt;
};

Tensor logloss(const Tensor& logits, const Tensor& targets, LoglossOptions options = {});

}  // namespace tg::ops
