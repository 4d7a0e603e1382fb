// Launchers of the activation kernels (ops/cuda/activation.cu); raw pointers and plans.
#pragma once
#include "ops/cuda/activation_math.h"
#include "ops/cuda/elem_type.h"
#include "ops/cuda/strided.h"

namespace tg::ops::cuda {

// operands: out, x
void launch_activation_forward(Activation kind, ElemType t, const Strided<2>& ix, void* out, const void* x, double p,
                               void* stream);
// operands: dinp, dout, saved
void launch_activation_backward(Activation kind, ElemType t, const Strided<3>& ix, void* dinp, const void* dout,
                                const void* saved, double p, void* stream);
// operands: out, x, weight
void launch_prelu_forward(ElemType t, const Strided<3>& ix, void* out, const void* x, const void* w, void* stream);
// operands: dinp, dout, x, weight
void launch_prelu_backward_input(ElemType t, const Strided<4>& ix, void* dinp, const void* dout, const void* x,
                                 const void* w, void* stream);
// operands: terms, dout, x
void launch_prelu_weight_terms(ElemType t, const Strided<3>& ix, void* terms, const void* dout, const void* x,
                               void* stream);

}  // namespace tg::ops::cuda
