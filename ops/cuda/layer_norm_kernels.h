// Launchers of the layer_norm kernels (ops/cuda/layer_norm.cu): contiguous [rows, n].
#pragma once
#include <cstdint>

#include "ops/cuda/elem_type.h"

namespace tg::ops::cuda {

void launch_layer_norm_forward(ElemType t, const void* x, const void* w, const void* b, int64_t rows, int64_t n,
                               double eps, void* y, void* mean, void* rstd, void* stream);
// dx, dw, db may each be null (not wanted).
void launch_layer_norm_backward(ElemType t, const void* g, const void* x, const void* w, const void* mean,
                                const void* rstd, int64_t rows, int64_t n, void* dx, void* dw, void* db,
                                void* stream);

}  // namespace tg::ops::cuda
