// Activation ops: checks, device switch, and the backward closure right below each forward.
// Every backward is a single fused kernel (ops/activation_cpu.cpp) computing dinp = g * f'
// in one pass; sigmoid and tanh save their output (out.detach()), the others their input.
#include "ops/activation.h"
#include "ops/activation_cpu.h"
#include "ops/cuda/activation.h"

#include <cmath>

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/reduce.h"

namespace tg::ops {

namespace {

void check_input(const Tensor& x, const char* op) {
  check(x.defined(), "{}: undefined tensor", op);
  check(is_floating(x.dtype()), "{}: needs a float32 or float64 tensor, got {}", op, x.describe());
}

Tensor forward_raw(cpu::Activation kind, const Tensor& x, const char* op, double p = 0) {
  check_input(x, op);
  Tensor out = Tensor::empty(x.shape(), {.dtype = x.dtype(), .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::activation_forward(kind, x, out, p); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::activation_forward(kind, x, out, p, op)); break;
  }
  return out;
}

// dinp = g * f'(saved) in one kernel; `saved` is x, or y for the ops that reuse the output.
Tensor backward_raw(cpu::Activation kind, const Tensor& g, const Tensor& saved, const char* op, double p = 0) {
  check(g.dtype() == saved.dtype() && g.shape() == saved.shape(),
        "backward of {}: gradient {} does not match the output {}", op, g.describe(), saved.describe());
  Tensor dinp = Tensor::empty(saved.shape(), {.dtype = saved.dtype(), .device = saved.device()});
  switch (saved.device().type) {
    case DeviceType::CPU: cpu::activation_backward(kind, g, saved, dinp, p); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::activation_backward(kind, g, saved, dinp, p, op)); break;
  }
  return dinp;
}

// The common shape of the ops with one input and one saved tensor.
Tensor unary_activation(cpu::Activation kind, const Tensor& x, const char* op, double p, bool saves_output) {
  Tensor out = forward_raw(kind, x, op, p);
  if (needs_grad({x})) {
    if (saves_output)
      record(out, op, {x}, [kind, op, p, y = out.detach()](const Tensor& g, const InputMask&) -> TensorList {
        return {backward_raw(kind, g, y, op, p)};
      }, {.check_input_versions = false});  // the input is not read by the backward
    else
      record(out, op, {x}, [kind, op, p, x = x.detach()](const Tensor& g, const InputMask&) -> TensorList {
        return {backward_raw(kind, g, x, op, p)};
      });
  }
  return out;
}

}  // namespace

Tensor relu(const Tensor& x) { return unary_activation(cpu::Activation::Relu, x, "relu", 0, false); }

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  check(std::isfinite(negative_slope), "leaky_relu: negative_slope must be finite, got {}", negative_slope);
  return unary_activation(cpu::Activation::LeakyRelu, x, "leaky_relu", negative_slope, false);
}

Tensor sigmoid(const Tensor& x) { return unary_activation(cpu::Activation::Sigmoid, x, "sigmoid", 0, true); }

Tensor tanh(const Tensor& x) { return unary_activation(cpu::Activation::Tanh, x, "tanh", 0, true); }

Tensor silu(const Tensor& x) { return unary_activation(cpu::Activation::Silu, x, "silu", 0, false); }

Tensor gelu(const Tensor& x, bool approximate) {
  return approximate ? unary_activation(cpu::Activation::GeluTanh, x, "gelu", 0, false)
                     : unary_activation(cpu::Activation::Gelu, x, "gelu", 0, false);
}

Tensor softplus(const Tensor& x, double beta) {
  check(std::isfinite(beta) && beta != 0, "softplus: beta must be finite and nonzero, got {}", beta);
  return unary_activation(cpu::Activation::Softplus, x, "softplus", beta, false);
}

// ---- prelu ----------------------------------------------------------------------------

Tensor prelu(const Tensor& x, const Tensor& weight) {
  check_input(x, "prelu");
  check(weight.defined(), "prelu: undefined weight");
  check(weight.dtype() == x.dtype(), "prelu: dtypes differ: input {} and weight {}", x.describe(), weight.describe());
  check(weight.device() == x.device(), "prelu: devices differ: input {} and weight {}", x.describe(),
        weight.describe());
  check(weight.dim() <= 1, "prelu: weight must be a scalar or 1-D (one slope per channel), got {}",
        weight.describe());
  // View the slopes so they broadcast against x: 0-d for one slope, [C, 1, ..., 1] for
  // channel dim 1 (or [C] for a 1-D x).
  Tensor w = weight.detach();
  if (weight.numel() == 1) {
    w = w.reshape(Shape{});
  } else {
    check(x.dim() >= 1, "prelu: input {} is 0-d, so weight {} must hold a single slope", x.shape(), weight.shape());
    int channel_dim = x.dim() >= 2 ? 1 : 0;
    int64_t channels = x.shape()[channel_dim];
    check(weight.numel() == channels,
          "prelu: weight {} has {} slopes but input {} has {} channels (dimension {}); give one slope or one per "
          "channel",
          weight.shape(), weight.numel(), x.shape(), channels, channel_dim);
    Shape view{channels};
    for (int d = channel_dim + 1; d < x.dim(); ++d) view.push_back(1);
    w = w.reshape(view);
  }

  Tensor out = Tensor::empty(x.shape(), {.dtype = x.dtype(), .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::prelu_forward(x, w, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("prelu", cuda::prelu_forward(x, w, out)); break;
  }

  if (needs_grad({x, weight}))
    record(out, "prelu", {x, weight},
           [x = x.detach(), w, wshape = weight.shape()](const Tensor& g, const InputMask& need) -> TensorList {
             check(g.dtype() == x.dtype() && g.shape() == x.shape(),
                   "backward of prelu: gradient {} does not match the output {}", g.describe(), x.describe());
             Tensor dx, dw;
             if (need[0]) {
               dx = Tensor::empty(x.shape(), {.dtype = x.dtype(), .device = x.device()});
               switch (x.device().type) {
                 case DeviceType::CPU: cpu::prelu_backward_input(g, x, w, dx); break;
                 case DeviceType::CUDA: TG_CUDA_KERNEL("prelu backward", cuda::prelu_backward_input(g, x, w, dx)); break;
               }
             }
             if (need[1]) {
               // dw_c = sum of [x <= 0] x g over every element that uses slope c.
               Tensor terms = Tensor::empty(x.shape(), {.dtype = x.dtype(), .device = x.device()});
               switch (x.device().type) {
                 case DeviceType::CPU: cpu::prelu_backward_weight_terms(g, x, terms); break;
                 case DeviceType::CUDA:
                   TG_CUDA_KERNEL("prelu backward", cuda::prelu_backward_weight_terms(g, x, terms));
                   break;
               }
               dw = sum_to(terms, w.shape()).reshape(wshape);
             }
             return {dx, dw};
           });
  return out;
}

}  // namespace tg::ops
