// Padding masks as the layers take them: [B, T] (or [..., T]) with 1 = valid position,
// 0 = padding (models.md §0 "Sequence padding"). Any dtype is accepted: bool, uint8, int or
// {0, 1} floats; a nonzero value means valid. Masks are constants (never differentiated).
#pragma once
#include "core/tensor.h"

namespace tg::nn {

// The mask as a bool tensor (the form ops::softmax's mask argument takes).
Tensor keep_mask(const Tensor& mask);
// The mask as 0/1 values of a floating dtype (for products with scores or features).
Tensor weight_mask(const Tensor& mask, DType dtype);

}  // namespace tg::nn
