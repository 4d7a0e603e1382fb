#include "nn/layers/mask.h"

#include "ops/elementwise.h"

namespace tg::nn {

Tensor keep_mask(const Tensor& mask) {
  check(mask.defined(), "mask: undefined tensor");
  if (mask.dtype() == DType::Bool) return mask.detach();
  return ops::ne(mask.detach(), 0.0);
}

Tensor weight_mask(const Tensor& mask, DType dtype) {
  check(mask.defined(), "mask: undefined tensor");
  if (mask.dtype() == dtype) return mask.detach();  // already {0, 1} values of that dtype
  return keep_mask(mask).to(dtype);
}

}  // namespace tg::nn
