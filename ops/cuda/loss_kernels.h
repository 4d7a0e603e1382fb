// Launchers of the logloss kernels (ops/cuda/loss.cu).
#pragma once
#include "ops/cuda/elem_type.h"
#include "ops/cuda/loss_math.h"
#include "ops/cuda/strided.h"

namespace tg::ops::cuda {

// operands: loss, x, y
void launch_logloss_forward(ElemType t, const Strided<3>& ix, void* loss, const void* x, const void* y, double pw,
                            void* stream);
// operands: dx, g, x, y
void launch_logloss_backward(ElemType t, const Strided<4>& ix, void* dx, const void* g, const void* x, const void* y,
                             double pw, double scale, void* stream);

}  // namespace tg::ops::cuda
