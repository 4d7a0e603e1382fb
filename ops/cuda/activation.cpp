// Glue of the activation family: tensors -> plans and pointers -> ops/cuda/activation.cu.
#include "ops/cuda/activation.h"

#include "ops/cuda/activation_kernels.h"
#include "ops/cuda/glue.h"

namespace tg::ops::cuda {

void activation_forward(cpu::Activation kind, const Tensor& x, const Tensor& out, double p, const char* op) {
  OnDevice on(out);
  launch_activation_forward(static_cast<Activation>(kind), elem_type(x.dtype()), plan_strided<2>(out.shape(), {&out, &x}),
                            out.raw_data(), x.raw_data(), p, on.stream);
  tg::cuda::check_launch(op);
}

void activation_backward(cpu::Activation kind, const Tensor& dout, const Tensor& saved, const Tensor& dinp, double p,
                         const char* op) {
  OnDevice on(dinp);
  launch_activation_backward(static_cast<Activation>(kind), elem_type(saved.dtype()),
                             plan_strided<3>(dinp.shape(), {&dinp, &dout, &saved}), dinp.raw_data(), dout.raw_data(),
                             saved.raw_data(), p, on.stream);
  tg::cuda::check_launch(op);
}

void prelu_forward(const Tensor& x, const Tensor& weight, const Tensor& out) {
  OnDevice on(out);
  launch_prelu_forward(elem_type(x.dtype()), plan_strided<3>(out.shape(), {&out, &x, &weight}), out.raw_data(),
                       x.raw_data(), weight.raw_data(), on.stream);
  tg::cuda::check_launch("prelu");
}

void prelu_backward_input(const Tensor& dout, const Tensor& x, const Tensor& weight, const Tensor& dinp) {
  OnDevice on(dinp);
  launch_prelu_backward_input(elem_type(x.dtype()), plan_strided<4>(dinp.shape(), {&dinp, &dout, &x, &weight}),
                              dinp.raw_data(), dout.raw_data(), x.raw_data(), weight.raw_data(), on.stream);
  tg::cuda::check_launch("prelu backward");
}

void prelu_backward_weight_terms(const Tensor& dout, const Tensor& x, const Tensor& terms) {
  OnDevice on(terms);
  launch_prelu_weight_terms(elem_type(x.dtype()), plan_strided<3>(terms.shape(), {&terms, &dout, &x}),
                            terms.raw_data(), dout.raw_data(), x.raw_data(), on.stream);
  tg::cuda::check_launch("prelu backward");
}

}  // namespace tg::ops::cuda
