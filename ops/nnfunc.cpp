// softmax, log_softmax, layer_norm, batch_norm, dropout: checks, device switch, and the
// backward closure right below each forward. The math is in ops/nnfunc.h, the kernels in
// ops/nnfunc_cpu.cpp.
//
// Every op hands the kernels contiguous copies taken from x.detach(), so the copy itself
// is not recorded; closures capture those copies (or the detached output) and run the
// fused backward kernel on a contiguous gradient.
#include "ops/nnfunc.h"
#include "ops/nnfunc_cpu.h"
#include "ops/cuda/nnfunc.h"

#include <cmath>

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg::ops {

namespace {

TensorOptions like(const Tensor& t) { return {.dtype = t.dtype(), .device = t.device()}; }

void check_float_input(const Tensor& x, const char* op) {
  check(x.defined(), "{}: undefined input tensor", op);
  check(is_floating(x.dtype()), "{}: needs a float32 or float64 input, got {}", op, x.describe());
}

// An optional parameter tensor (weight, bias, running stats): same dtype/device as x and
// exactly `shape`.
void check_param(const Tensor& p, const Tensor& x, const Shape& shape, const char* op, const char* what) {
  if (!p.defined()) return;
  check(p.dtype() == x.dtype(), "{}: {} is {} but the input is {}", op, what, p.describe(), x.describe());
  check(p.device() == x.device(), "{}: {} is on {} but the input is on {}", op, what, p.device(), x.device());
  check(p.shape() == shape, "{}: {} has shape {}, expected {} for input {}", op, what, p.shape(), shape, x.shape());
}

Tensor contiguous_data(const Tensor& t) { return t.defined() ? t.detach().contiguous() : Tensor(); }

// ---- softmax / log_softmax -----------------------------------------------------------

Tensor softmax_impl(const Tensor& x, int64_t dim, const Tensor& mask, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  check_float_input(x, op);
  int d = wrap_dim(dim, x.dim(), op);
  Tensor m;
  if (mask.defined()) {
    check(is_mask_type(mask.dtype()), "{}: mask must be bool or uint8, got {}", op, mask.describe());
    check(mask.device() == x.device(), "{}: mask is on {} but the input is on {}", op, mask.device(), x.device());
    check(broadcast_shapes(x.shape(), mask.shape(), op) == x.shape(), "{}: mask {} does not broadcast to input {}",
          op, mask.shape(), x.shape());
    m = mask.detach().expand(x.shape()).contiguous();
  }
  // [outer, n, inner] around the softmax dim; a 0-dim input is one row of one element.
  int64_t outer = 1, n = x.dim() == 0 ? 1 : x.shape()[d], inner = 1;
  for (int i = 0; i < d; ++i) outer *= x.shape()[i];
  for (int i = d + 1; i < x.dim(); ++i) inner *= x.shape()[i];

  Tensor xc = contiguous_data(x);
  Tensor out = Tensor::empty(x.shape(), like(x));
  switch (x.device().type) {
    case DeviceType::CPU: cpu::softmax_forward(xc, m, outer, n, inner, log, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::softmax_forward(xc, m, outer, n, inner, log, out)); break;
  }
  if (needs_grad({x})) {
    // Reads only the output (and the mask), so later in-place writes to x are harmless.
    record(out, op, {x}, [y = out.detach(), m, outer, n, inner, log, op](const Tensor& g, const InputMask&) -> TensorList {
      Tensor gc = g.contiguous();
      Tensor dx = Tensor::empty(y.shape(), like(y));
      switch (y.device().type) {
        case DeviceType::CPU: cpu::softmax_backward(y, gc, m, outer, n, inner, log, dx); break;
        case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::softmax_backward(y, gc, m, outer, n, inner, log, dx)); break;
      }
      return {dx};
    }, kNoVersionCheck);
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, const Tensor& mask) { return softmax_impl(x, dim, mask, false); }
Tensor log_softmax(const Tensor& x, int64_t dim, const Tensor& mask) { return softmax_impl(x, dim, mask, true); }

// ---- layer_norm ------------------------------------------------------------------------

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  check_float_input(x, "layer_norm");
  int k = normalized_shape.size();
  check(k >= 1 && k <= x.dim(), "layer_norm: normalized_shape {} must name 1 to {} trailing dims of input {}",
        normalized_shape, x.dim(), x.shape());
  for (int i = 0; i < k; ++i)
    check(x.shape()[x.dim() - k + i] == normalized_shape[i],
          "layer_norm: normalized_shape {} does not match the last {} dims of input {}", normalized_shape, k, x.shape());
  check(eps >= 0, "layer_norm: eps {} must be non-negative", eps);
  check_param(weight, x, normalized_shape, "layer_norm", "weight");
  check_param(bias, x, normalized_shape, "layer_norm", "bias");
  int64_t n = normalized_shape.numel();
  int64_t rows = 1;
  for (int i = 0; i < x.dim() - k; ++i) rows *= x.shape()[i];

  Tensor xc = contiguous_data(x), wc = contiguous_data(weight), bc = contiguous_data(bias);
  Tensor out = Tensor::empty(x.shape(), like(x));
  Tensor mean = Tensor::empty({rows}, like(x)), rstd = Tensor::empty({rows}, like(x));
  if (n > 0) {
    switch (x.device().type) {
      case DeviceType::CPU: cpu::layer_norm_forward(xc, wc, bc, rows, n, eps, out, mean, rstd); break;
      case DeviceType::CUDA:
        TG_CUDA_KERNEL("layer_norm", cuda::layer_norm_forward(xc, wc, bc, rows, n, eps, out, mean, rstd));
        break;
    }
  }
  if (needs_grad({x, weight, bias})) {
    record(out, "layer_norm", {x, weight, bias},
           [xc, wc, mean, rstd, rows, n, pshape = normalized_shape](const Tensor& g, const InputMask& need) -> TensorList {
             Tensor gc = g.contiguous();
             Tensor dx = need[0] ? Tensor::empty(xc.shape(), like(xc)) : Tensor();
             Tensor dw = need[1] ? Tensor::empty(pshape, like(xc)) : Tensor();
             Tensor db = need[2] ? Tensor::empty(pshape, like(xc)) : Tensor();
             if (n == 0) return {dx, dw, db};  // nothing to normalise: empty gradients
             switch (xc.device().type) {
               case DeviceType::CPU: cpu::layer_norm_backward(gc, xc, wc, mean, rstd, rows, n, dx, dw, db); break;
               case DeviceType::CUDA:
                 TG_CUDA_KERNEL("layer_norm", cuda::layer_norm_backward(gc, xc, wc, mean, rstd, rows, n, dx, dw, db));
                 break;
             }
             return {dx, dw, db};
           });
  }
  return out;
}

// ---- batch_norm ------------------------------------------------------------------------

namespace {
// batch_norm on the GPU, composed from ops that have CUDA kernels (mean over the batch and
// spatial dims, elementwise arithmetic), so autograd derives the same gradient the CPU
// kernel computes in closed form. Arguments already checked by batch_norm().
Tensor batch_norm_composed(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                           const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  const int64_t channels = x.shape()[1], count = x.numel() / std::max<int64_t>(channels, 1);
  const Shape dims = x.dim() == 3 ? Shape{0, 2} : Shape{0};
  const Shape per_channel = x.dim() == 3 ? Shape{1, channels, 1} : Shape{1, channels};
  Tensor y;
  if (training) {
    Tensor mu = mean(x, dims, true);
    Tensor centered = sub(x, mu);
    Tensor var = mean(mul(centered, centered), dims, true);  // biased, as the CPU kernel
    y = mul(centered, rsqrt(add(var, eps)));
    if (running_mean.defined()) {
      NoGradGuard no_grad;
      Tensor rm = running_mean, rv = running_var;
      rm.mul_(1.0 - momentum);
      rm.add_(mu.detach().reshape({channels}), momentum);
      rv.mul_(1.0 - momentum);
      rv.add_(var.detach().reshape({channels}), momentum * static_cast<double>(count) / static_cast<double>(count - 1));
    }
  } else {
    Tensor mu = running_mean.detach().clone().reshape(per_channel);
    Tensor rstd = rsqrt(add(running_var.detach().reshape(per_channel), eps));
    y = mul(sub(x, mu), rstd);
  }
  if (weight.defined()) y = mul(y, weight.reshape(per_channel));
  if (bias.defined()) y = add(y, bias.reshape(per_channel));
  return y;
}
}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  check_float_input(x, "batch_norm");
  check(x.dim() == 2 || x.dim() == 3, "batch_norm: expected a [N, C] or [N, C, L] input, got {}", x.shape());
  int64_t batch = x.shape()[0], channels = x.shape()[1], spatial = x.dim() == 3 ? x.shape()[2] : 1;
  int64_t count = batch * spatial;
  Shape cshape{channels};
  check(running_mean.defined() == running_var.defined(),
        "batch_norm: running_mean and running_var must be both given or both undefined");
  check(training || running_mean.defined(),
        "batch_norm: eval mode needs running_mean and running_var (undefined here) for input {}", x.shape());
  check_param(running_mean, x, cshape, "batch_norm", "running_mean");
  check_param(running_var, x, cshape, "batch_norm", "running_var");
  check_param(weight, x, cshape, "batch_norm", "weight");
  check_param(bias, x, cshape, "batch_norm", "bias");
  check(eps >= 0, "batch_norm: eps {} must be non-negative", eps);
  if (training)
    check(count > 1, "batch_norm: expected more than 1 value per channel when training, got input size {}", x.shape());
  if (x.device().is_cuda()) return batch_norm_composed(x, running_mean, running_var, weight, bias, training, momentum, eps);

  Tensor xc = contiguous_data(x), wc = contiguous_data(weight), bc = contiguous_data(bias);
  Tensor mean, rstd;
  {
    NoGradGuard no_grad;
    if (training) {
      mean = Tensor::empty(cshape, like(x));
      Tensor var = Tensor::empty(cshape, like(x));
      switch (x.device().type) {
        case DeviceType::CPU: cpu::batch_norm_stats(xc, batch, channels, spatial, mean, var); break;
        case DeviceType::CUDA: no_cuda_kernel("batch_norm");
      }
      rstd = rsqrt(add(var, eps));
      if (running_mean.defined()) {
        // The running variance uses the unbiased batch variance (as PyTorch).
        Tensor rm = running_mean, rv = running_var;
        rm.mul_(1.0 - momentum);
        rm.add_(mean, momentum);
        rv.mul_(1.0 - momentum);
        rv.add_(var, momentum * static_cast<double>(count) / static_cast<double>(count - 1));
      }
    } else {
      // Copies: the saved statistics must not change if the buffers are updated later.
      mean = running_mean.detach().clone();
      rstd = rsqrt(add(running_var.detach(), eps));
    }
  }
  Tensor out = Tensor::empty(x.shape(), like(x));
  switch (x.device().type) {
    case DeviceType::CPU: cpu::batch_norm_forward(xc, mean, rstd, wc, bc, batch, channels, spatial, out); break;
    case DeviceType::CUDA: no_cuda_kernel("batch_norm");
  }
  if (needs_grad({x, weight, bias})) {
    record(out, "batch_norm", {x, weight, bias},
           [xc, wc, mean, rstd, batch, channels, spatial, training, cshape](const Tensor& g,
                                                                            const InputMask& need) -> TensorList {
             Tensor gc = g.contiguous();
             Tensor dx = need[0] ? Tensor::empty(xc.shape(), like(xc)) : Tensor();
             Tensor dw = need[1] ? Tensor::empty(cshape, like(xc)) : Tensor();
             Tensor db = need[2] ? Tensor::empty(cshape, like(xc)) : Tensor();
             switch (xc.device().type) {
               case DeviceType::CPU:
                 cpu::batch_norm_backward(gc, xc, mean, rstd, wc, batch, channels, spatial, training, dx, dw, db);
                 break;
               case DeviceType::CUDA: no_cuda_kernel("batch_norm");
             }
             return {dx, dw, db};
           });
  }
  return out;
}

// ---- dropout ---------------------------------------------------------------------------

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  check_float_input(x, "dropout");
  check(p >= 0.0 && p <= 1.0, "dropout: probability p = {} is not in [0, 1] (input {})", p, x.shape());
  if (!training || p == 0.0) return x;
  if (p == 1.0) {  // everything dropped: exact zeros (not x * 0, which is NaN for inf)
    Tensor out = zeros(x.shape(), like(x));
    if (needs_grad({x}))
      record(out, "dropout", {x}, [](const Tensor& g, const InputMask&) -> TensorList { return {zeros_like(g)}; },
             kNoVersionCheck);
    return out;
  }
  Generator& rng = gen ? *gen : default_generator();
  uint64_t seed = rng.seed();
  uint64_t offset = rng.advance((static_cast<uint64_t>(x.numel()) + 3) / 4);  // 4 uniforms per Philox block
  double scale = 1.0 / (1.0 - p);

  Tensor xc = contiguous_data(x);
  Tensor out = Tensor::empty(x.shape(), like(x));
  Tensor keep = Tensor::empty(x.shape(), {.dtype = kUInt8, .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::dropout_forward(xc, p, seed, offset, out, keep); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("dropout", cuda::dropout_forward(xc, p, seed, offset, out, keep)); break;
  }
  if (needs_grad({x}))
    record(out, "dropout", {x}, [keep, scale](const Tensor& g, const InputMask&) -> TensorList {
      Tensor gc = g.contiguous();
      Tensor dx = Tensor::empty(gc.shape(), like(gc));
      switch (gc.device().type) {
        case DeviceType::CPU: cpu::dropout_backward(gc, keep, scale, dx); break;
        case DeviceType::CUDA: TG_CUDA_KERNEL("dropout", cuda::dropout_backward(gc, keep, scale, dx)); break;
      }
      return {dx};
    }, kNoVersionCheck);
  return out;
}

}  // namespace tg::ops
