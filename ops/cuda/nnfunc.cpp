// Glue of the nnfunc kernels on the GPU (softmax, layer_norm, dropout so far).
#include "ops/cuda/nnfunc.h"

#include "ops/cuda/dropout_kernels.h"
#include "ops/cuda/glue.h"
#include "ops/cuda/layer_norm_kernels.h"
#include "ops/cuda/softmax_kernels.h"

namespace tg::ops::cuda {

namespace {
const uint8_t* mask_ptr(const Tensor& m) { return m.defined() ? static_cast<const uint8_t*>(m.raw_data()) : nullptr; }
const void* in_ptr(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }
void* out_ptr(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }
}  // namespace

void softmax_forward(const Tensor& x, const Tensor& mask, int64_t outer, int64_t n, int64_t inner, bool log,
                     const Tensor& out) {
  OnDevice on(out);
  launch_softmax_forward(elem_type(x.dtype()), x.raw_data(), mask_ptr(mask), outer, n, inner, log, out.raw_data(),
                         on.stream);
  tg::cuda::check_launch(log ? "log_softmax" : "softmax");
}

void softmax_backward(const Tensor& y, const Tensor& g, const Tensor& mask, int64_t outer, int64_t n, int64_t inner,
                      bool log, const Tensor& dx) {
  OnDevice on(dx);
  launch_softmax_backward(elem_type(y.dtype()), y.raw_data(), g.raw_data(), mask_ptr(mask), outer, n, inner, log,
                          dx.raw_data(), on.stream);
  tg::cuda::check_launch(log ? "log_softmax backward" : "softmax backward");
}

void layer_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t rows, int64_t n,
                        double eps, const Tensor& out, const Tensor& mean, const Tensor& rstd) {
  OnDevice on(out);
  launch_layer_norm_forward(elem_type(x.dtype()), x.raw_data(), in_ptr(weight), in_ptr(bias), rows, n, eps,
                            out.raw_data(), mean.raw_data(), rstd.raw_data(), on.stream);
  tg::cuda::check_launch("layer_norm");
}

void layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& weight, const Tensor& mean,
                         const Tensor& rstd, int64_t rows, int64_t n, const Tensor& dx, const Tensor& dweight,
                         const Tensor& dbias) {
  OnDevice on(x);
  launch_layer_norm_backward(elem_type(x.dtype()), g.raw_data(), x.raw_data(), in_ptr(weight), mean.raw_data(),
                             rstd.raw_data(), rows, n, out_ptr(dx), out_ptr(dweight), out_ptr(dbias), on.stream);
  tg::cuda::check_launch("layer_norm backward");
}

void dropout_forward(const Tensor& x, double p, uint64_t seed, uint64_t offset, const Tensor& out,
                     const Tensor& keep_mask) {
  OnDevice on(out);
  launch_dropout_forward(elem_type(x.dtype()), x.raw_data(), x.numel(), p, seed, offset, out.raw_data(),
                         static_cast<uint8_t*>(keep_mask.raw_data()), on.stream);
  tg::cuda::check_launch("dropout");
}

void dropout_backward(const Tensor& g, const Tensor& keep_mask, double scale, const Tensor& dx) {
  OnDevice on(dx);
  launch_dropout_backward(elem_type(g.dtype()), g.raw_data(), static_cast<const uint8_t*>(keep_mask.raw_data()),
                          g.numel(), scale, dx.raw_data(), on.stream);
  tg::cuda::check_launch("dropout backward");
}

}  // namespace tg::ops::cuda
