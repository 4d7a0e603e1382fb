// Launcher of the optimizer update kernel (nn/optim/update_cuda.cu): `rows` rows of `width`
// elements; row i is at param/state offset index[i] * width (index null: i * width) and at
// gradient offset i * width, as Optimizer::Block describes a CPU update.
#pragma once
#include "nn/optim/update_rule.h"
#include "ops/cuda/elem_type.h"

namespace tg::nn {

void launch_update(const UpdateRule& rule, ops::cuda::ElemType t, void* param, const void* grad, void* s0, void* s1,
                   void* s2, const int64_t* index, int64_t rows, int64_t width, void* stream);

}  // namespace tg::nn
