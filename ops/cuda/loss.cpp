// Glue of logloss: tensors -> plans and pointers -> ops/cuda/loss.cu.
#include "ops/cuda/loss.h"

#include "ops/cuda/glue.h"
#include "ops/cuda/loss_kernels.h"

namespace tg::ops::cuda {

void logloss_forward(const Tensor& x, const Tensor& y, double pos_weight, const Tensor& loss) {
  OnDevice on(loss);
  launch_logloss_forward(elem_type(x.dtype()), plan_strided<3>(loss.shape(), {&loss, &x, &y}), loss.raw_data(),
                         x.raw_data(), y.raw_data(), pos_weight, on.stream);
  tg::cuda::check_launch("logloss");
}

void logloss_backward(const Tensor& g, const Tensor& x, const Tensor& y, double pos_weight, double scale,
                      const Tensor& dx) {
  OnDevice on(dx);
  launch_logloss_backward(elem_type(x.dtype()), plan_strided<4>(dx.shape(), {&dx, &g, &x, &y}), dx.raw_data(),
                          g.raw_data(), x.raw_data(), y.raw_data(), pos_weight, scale, on.stream);
  tg::cuda::check_launch("logloss backward");
}

}  // namespace tg::ops::cuda
