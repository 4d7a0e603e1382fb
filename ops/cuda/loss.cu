// CUDA kernels of logloss: ops/cuda/loss_math.h's functions over a broadcast plan.
#include "ops/cuda/loss_kernels.h"
#include "ops/cuda/map_kernel.cuh"

namespace tg::ops::cuda {

namespace {
template <class T> struct LoglossForward {
  const T* x;
  const T* y;
  double pw;
  __device__ T operator()(const int64_t* off) const { return logloss_value(x[off[1]], y[off[2]], pw); }
};
template <class T> struct LoglossBackward {
  const T* g;
  const T* x;
  const T* y;
  double pw, scale;
  __device__ T operator()(const int64_t* off) const { return logloss_grad(g[off[1]], x[off[2]], y[off[3]], pw, scale); }
};
}  // namespace

void launch_logloss_forward(ElemType t, const Strided<3>& ix, void* loss, const void* x, const void* y, double pw,
                            void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<3, T>(ix, loss, stream, LoglossForward<T>{static_cast<const T*>(x), static_cast<const T*>(y), pw});
  });
}

void launch_logloss_backward(ElemType t, const Strided<4>& ix, void* dx, const void* g, const void* x, const void* y,
                             double pw, double scale, void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<4, T>(ix, dx, stream,
                     LoglossBackward<T>{static_cast<const T*>(g), static_cast<const T*>(x), static_cast<const T*>(y),
                                        pw, scale});
  });
}

}  // namespace tg::ops::cuda
