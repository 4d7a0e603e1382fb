#pragma once
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
// clip_grad_norm_: total = (sum over all gradient elements |g|^p)^(1/p) (p = inf: max |g|);
// when total > max_norm every gradient is scaled by max_norm / (total + 1e-6). Row-sparse
// gradients count their stored rows (the others are zero). Returns the total norm before
// clipping (NaN/inf when a gradient holds one; the gradients are then left unscaled).
#include <vector>

#include "core/tensor.h"

namespace tg::nn {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace tg::nn
