// Copies and conversions: contiguous(), clone(), to(dtype), to(device).
// All are differentiable: the gradient of a copy is the gradient itself (converted back
// to the input's dtype for to(dtype)).
#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/elementwise_cpu.h"
#include "ops/cuda/elementwise.h"
#include "core/cuda/runtime.h"

namespace tg {

namespace {

Tensor copy_to_new(const Tensor& src, DType dtype, const char* op) {
  Tensor out = Tensor::empty(src.shape(), {.dtype = dtype, .device = src.device()});
  switch (src.device().type) {
    case DeviceType::CPU: ops::cpu::copy_forward(src, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, ops::cuda::copy_forward(src, out, op)); break;
  }
  return out;
}
}  // namespace

Tensor Tensor::clone() const {
  Tensor out = copy_to_new(*this, dtype(), "clone");
  if (is_row_sparse()) {
    out.impl()->row_index = impl()->row_index;
    out.impl()->dense_rows = impl()->dense_rows;
  }
  if (needs_grad({*this}))
    record(out, "clone", {*this}, [](const Tensor& g, const InputMask&) -> TensorList { return {g}; }, kNoVersionCheck);
  return out;
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = copy_to_new(*this, dtype(), "contiguous");
  if (needs_grad({*this}))
    record(out, "contiguous", {*this}, [](const Tensor& g, const InputMask&) -> TensorList { return {g}; },
           kNoVersionCheck);
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  check(!requires_grad() || !grad_mode_enabled() || is_floating(target),
        "to: converting {} (requires grad) to {} would cut the gradient; detach() first", describe(), target);
  Tensor out = copy_to_new(*this, target, "to");
  if (needs_grad({*this}))
    record(out, "to_dtype", {*this}, [from = dtype()](const Tensor& g, const InputMask&) -> TensorList {
      return {g.to(from)};
    }, kNoVersionCheck);
  return out;
}

// A move between devices copies the elements in their row-major order (a strided source
// is made contiguous on its own device first); its gradient moves back.
Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  if (target.is_cuda()) cuda::require_device(target, "to");
  Tensor src = detach().contiguous();
  Tensor out = Tensor::empty(shape(), {.dtype = dtype(), .device = target});
  cuda::copy_bytes(out.raw_data(), target, src.raw_data(), src.device(), static_cast<size_t>(numel()) * element_size(),
                   "to");
  if (needs_grad({*this}))
    record(out, "to_device", {*this}, [from = device()](const Tensor& g, const InputMask&) -> TensorList {
      return {g.to(from)};
    }, kNoVersionCheck);
  return out;
}

}  // namespace tg
