// CPU kernels of the activation family (ops/activation_cpu.cpp), internal to ops/.
#pragma once
#include "ops/activation.h"

// ---- CPU kernels (ops/activation_cpu.cpp), called from activation.cpp's device switch.
// Outputs are preallocated with the right shape; inputs may be strided; the gradient of
// the output `dout` broadcasts to the input's shape.
namespace tg::ops::cpu {

enum class Activation { Relu, LeakyRelu, Sigmoid, Tanh, Silu, Gelu, GeluTanh, Softplus };

// out = f(x); p is the op's parameter (leaky_relu's slope, softplus's beta), 0 otherwise.
void activation_forward(Activation kind, const Tensor& x, const Tensor& out, double p);
// dinp = dout * f'(.), where `saved` is the output y for Sigmoid/Tanh and the input x otherwise.
void activation_backward(Activation kind, const Tensor& dout, const Tensor& saved, const Tensor& dinp, double p);

// `weight` is already viewed so that it broadcasts against x (0-d, [C] or [C,1,...,1]).
void prelu_forward(const Tensor& x, const Tensor& weight, const Tensor& out);
void prelu_backward_input(const Tensor& dout, const Tensor& x, const Tensor& weight, const Tensor& dinp);
// Per-element terms of the weight gradient, [x <= 0] x dout; the caller sums them per slope.
void prelu_backward_weight_terms(const Tensor& dout, const Tensor& x, const Tensor& terms);

}  // namespace tg::ops::cpu
