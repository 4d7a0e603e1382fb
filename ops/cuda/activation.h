// CUDA kernels of the activation family, called from ops/activation.cpp's device switches;
// the same contracts as ops/activation_cpu.h.
#pragma once
#include "core/tensor.h"
#include "ops/activation_cpu.h"

namespace tg::ops::cuda {

void activation_forward(cpu::Activation kind, const Tensor& x, const Tensor& out, double p, const char* op);
void activation_backward(cpu::Activation kind, const Tensor& dout, const Tensor& saved, const Tensor& dinp, double p,
                         const char* op);
void prelu_forward(const Tensor& x, const Tensor& weight, const Tensor& out);
void prelu_backward_input(const Tensor& dout, const Tensor& x, const Tensor& weight, const Tensor& dinp);
void prelu_backward_weight_terms(const Tensor& dout, const Tensor& x, const Tensor& terms);

}  // namespace tg::ops::cuda
