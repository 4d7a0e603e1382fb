// Glue of the elementwise family: tensors -> index plans and pointers -> the launchers of
// ops/cuda/elementwise.cu, then the launch check naming the op.
#include "ops/cuda/elementwise.h"

#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/glue.h"

namespace tg::ops::cuda {

void binary_forward(cpu::Binary kind, const Tensor& a, const Tensor& b, const Tensor& out, const char* op) {
  OnDevice on(out);
  launch_binary(static_cast<Binary>(kind), elem_type(a.dtype()), plan_strided<3>(out.shape(), {&out, &a, &b}),
                out.raw_data(), a.raw_data(), b.raw_data(), on.stream);
  tg::cuda::check_launch(op);
}

void compare_forward(cpu::Compare kind, const Tensor& a, const Tensor& b, const Tensor& out, const char* op) {
  OnDevice on(out);
  launch_compare(static_cast<Compare>(kind), elem_type(a.dtype()), plan_strided<3>(out.shape(), {&out, &a, &b}),
                 static_cast<uint8_t*>(out.raw_data()), a.raw_data(), b.raw_data(), on.stream);
  tg::cuda::check_launch(op);
}

void unary_forward(cpu::Unary kind, const Tensor& a, const Tensor& out, double p, double q, const char* op) {
  OnDevice on(out);
  launch_unary(static_cast<Unary>(kind), elem_type(a.dtype()), plan_strided<2>(out.shape(), {&out, &a}),
               out.raw_data(), a.raw_data(), p, q, on.stream);
  tg::cuda::check_launch(op);
}

void where_forward(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  OnDevice on(out);
  launch_where(elem_type(a.dtype()), plan_strided<4>(out.shape(), {&out, &cond, &a, &b}), out.raw_data(),
               static_cast<const uint8_t*>(cond.raw_data()), a.raw_data(), b.raw_data(), on.stream);
  tg::cuda::check_launch("where");
}

void fill_forward(const Tensor& out, double value) {
  OnDevice on(out);
  if (out.dtype() == DType::Bool) value = value != 0;
  launch_fill(elem_type(out.dtype()), plan_strided<1>(out.shape(), {&out}), out.raw_data(), value, on.stream);
  tg::cuda::check_launch("fill_");
}

void copy_forward(const Tensor& src, const Tensor& dst, const char* op) {
  OnDevice on(dst);
  launch_copy(elem_type(dst.dtype()), elem_type(src.dtype()), dst.dtype() == DType::Bool,
              plan_strided<2>(dst.shape(), {&dst, &src}), dst.raw_data(), src.raw_data(), on.stream);
  tg::cuda::check_launch(op);
}

}  // namespace tg::ops::cuda
