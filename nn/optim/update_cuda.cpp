// Glue of the CUDA optimizer update: contiguous operands, pointers, the launch check.
#include "nn/optim/update_cuda.h"

#include "nn/optim/update_kernels.h"
#include "ops/cuda/glue.h"

namespace tg::nn {

void update_on_device(const UpdateRule& rule, const Tensor& param, const Tensor& grad, const Tensor& rows,
                      const std::array<Tensor, 3>& buffers) {
  check(param.is_contiguous(), "optimizer: the CUDA update needs a contiguous parameter, got {}", param.describe());
  ops::cuda::OnDevice on(param);
  Tensor g = grad.contiguous();
  void* s[3] = {};
  for (size_t b = 0; b < buffers.size(); ++b) s[b] = buffers[b].defined() ? buffers[b].raw_data() : nullptr;
  const bool sparse = rows.defined();
  const int64_t width = sparse ? (param.size(0) > 0 ? param.numel() / param.size(0) : 0) : param.numel();
  const int64_t n_rows = sparse ? rows.numel() : 1;
  if (n_rows * width == 0) return;
  launch_update(rule, ops::cuda::elem_type(param.dtype()), param.raw_data(), g.raw_data(), s[0], s[1], s[2],
                sparse ? static_cast<const int64_t*>(rows.raw_data()) : nullptr, n_rows, width, on.stream);
  tg::cuda::check_launch("optimizer step");
}

}  // namespace tg::nn
