// Glue of the reduction family: checks what the kernel assumes, then launches it.
#include "ops/cuda/reduce.h"

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

}  // namespace tg::ops::cuda
