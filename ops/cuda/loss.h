// CUDA kernels of logloss, called from ops/loss.cpp's device switches (same contracts as
// the CPU kernels there: per-element loss; dx = scale g dl/dx, g 0-d or of x's shape).
#pragma once
#include "core/tensor.h"

namespace tg::ops::cuda {

void logloss_forward(const Tensor& x, const Tensor& y, double pos_weight, const Tensor& loss);
void logloss_backward(const Tensor& g, const Tensor& x, const Tensor& y, double pos_weight, double scale,
                      const Tensor& dx);

}  // namespace tg::ops::cuda
