#pragma once
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
//
// clip_grad_norm_: total = (sum over every gradient element |g|^p)^(1/p), the p-norm of all
// gradients seen as one vector (p = inf: max |g|). When total > max_norm every gradient is
// multiplied by max_norm / (total + 1e-6) in place. Parameters without a gradient are
// skipped; a row-sparse gradient counts its stored rows (the others are zero) and stays
// sparse. Returns the total norm before clipping; when it is NaN or inf (a gradient holds
// one) the gradients are left as they are (PyTorch would scale them to NaN). The sums run in
// double over fixed blocks, so the result does not depend on the thread count.
//
// grad_norm: the same total, without clipping (for logging).
// clip_grad_value_: every gradient element is clamped to [-clip_value, clip_value].
#include <vector>

#include "core/tensor.h"

namespace tg::nn {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);
double grad_norm(const std::vector<Tensor>& params, double norm_type = 2.0);
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace tg::nn
