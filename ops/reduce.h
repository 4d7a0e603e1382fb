// Reductions: sum, mean, var, logsumexp over dimensions (keepdim) or over all elements,
// and sum_to — the one un-broadcast helper every broadcasting op's backward uses.
// (max/min/argmax with masks live in ops/select.h.)
#pragma once
#include "core/tensor.h"

namespace tg::ops {

Tensor sum(const Tensor& a);  // all elements -> scalar
Tensor sum(const Tensor& a, const Shape& dims, bool keepdim = false);
Tensor sum(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& a, int64_t dim, bool keepdim = false);
// Variance with Bessel's correction when unbiased (as torch.var's default).
Tensor var(const Tensor& a, const Shape& dims, bool unbiased = true, bool keepdim = false);
Tensor var(const Tensor& a, int64_t dim, bool unbiased = true, bool keepdim = false);
Tensor var(const Tensor& a);  // all elements, unbiased
// log(sum(exp(a))) over `dim`, computed stably (max-shifted); gradient softmax(a).
Tensor logsumexp(const Tensor& a, int64_t dim, bool keepdim = false);

// Sums `g` down to `shape` (the inverse of broadcasting `shape` up to g's shape):
// leading extra dims are summed away and dims where shape has 1 are summed with keepdim.
Tensor sum_to(const Tensor& g, const Shape& shape);

}  // namespace tg::ops
