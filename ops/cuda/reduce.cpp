// Glue of the reduction family: checks what the kernel assumes, then launches it.
#include "ops/cuda/reduce.h"

#include "ops/cuda/elementwise.h"
#include "ops/cuda/glue.h"
#include "ops/cuda/reduce_kernels.h"

namespace tg::ops::cuda {

void reduce_forward(cpu::Reduce kind, const Tensor& in, int64_t outer, int64_t r, int64_t inner, const Tensor& out,
                    const char* op) {
  check(!is_mask_type(in.dtype()), "{}: needs a numeric tensor (float or int), got {}", op, in.describe());
  check(in.is_contiguous() && out.is_contiguous(), "{}: the CUDA reduction needs contiguous tensors", op);
  OnDevice on(out);
  launch_reduce(static_cast<Reduce>(kind), elem_type(in.dtype()), in.raw_data(), outer, r, inner, out.raw_data(),
                on.stream);
  tg::cuda::check_launch(op);
}

void extreme_dim_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t r, int64_t inner, bool is_max,
                         const Tensor& values, const Tensor& indices, const char* op) {
  check(!is_mask_type(x.dtype()), "{}: needs a numeric tensor (float or int), got {}", op, x.describe());
  OnDevice on(indices);
  launch_extreme(elem_type(x.dtype()), x.raw_data(),
                 mask.defined() ? static_cast<const uint8_t*>(mask.raw_data()) : nullptr, outer, r, inner, is_max,
                 values.defined() ? values.raw_data() : nullptr, static_cast<int64_t*>(indices.raw_data()), on.stream);
  tg::cuda::check_launch(op);
}

void extreme_dim_backward(const Tensor& g, const Tensor& indices, int64_t outer, int64_t r, int64_t inner,
                          const Tensor& dx, const char* op) {
  OnDevice on(dx);
  fill_forward(dx, 0.0);
  launch_extreme_backward(elem_type(g.dtype()), g.raw_data(), static_cast<const int64_t*>(indices.raw_data()), outer,
                          r, inner, dx.raw_data(), on.stream);
  tg::cuda::check_launch(op);
}

}  // namespace tg::ops::cuda
