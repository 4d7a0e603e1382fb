#include "nn/layers/convert.h"

#include "core/autograd.h"

namespace tg::nn {

namespace {

// Points the shared TensorImpl at a converted contiguous copy, so every handle follows.
void convert_in_place(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return;
  Tensor copy = t.detach().to(dtype).contiguous();
  TensorImpl* impl = t.impl();
  impl->storage = copy.storage();
  impl->strides = copy.strides();
  impl->offset = copy.offset();
  impl->dtype = dtype;
  impl->grad.reset();
}

}  // namespace

void to_dtype(Module& module, DType dtype) {
  check(is_floating(dtype), "to_dtype: modules hold floating tensors; cannot convert {} to {}", module.describe(),
        dtype);
  NoGradGuard no_grad;
  for (const NamedParameter& p : module.named_parameters()) convert_in_place(p.value, dtype);
  for (const NamedBuffer& b : module.named_buffers())
    if (is_floating(b.value.dtype())) convert_in_place(b.value, dtype);
}

}  // namespace tg::nn
