// The optimizer update of one CUDA parameter (called from Optimizer::update_param's device
// switch): dense (rows undefined: the whole tensor) or row-sparse (rows: the unique row
// ids of `grad`'s values, on the device).
#pragma once
#include <array>

#include "core/tensor.h"
#include "nn/optim/update_rule.h"

namespace tg::nn {

void update_on_device(const UpdateRule& rule, const Tensor& param, const Tensor& grad, const Tensor& rows,
                      const std::array<Tensor, 3>& buffers);

}  // namespace tg::nn
