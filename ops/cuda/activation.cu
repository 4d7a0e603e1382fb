// CUDA kernels of the activation family: one thread per element (grid-stride), offsets from
// Strided<N>, values from ops/cuda/activation_math.h (shared with the host tests).
#include <cuda_runtime.h>

#include "ops/cuda/activation_kernels.h"
#include "ops/cuda/map_kernel.cuh"

namespace tg::ops::cuda {

namespace {

// The per-element bodies, as functors (the kernel is one template for all of them).
template <class T> struct ActivationForward {
  Activation kind;
  double p;
  const T* x;
  __device__ T operator()(const int64_t* off) const { return activation_value<T>(kind, x[off[1]], p); }
};
template <class T> struct ActivationBackward {
  Activation kind;
  double p;
  const T* g;
  const T* saved;
  __device__ T operator()(const int64_t* off) const { return activation_grad<T>(kind, g[off[1]], saved[off[2]], p); }
};
template <class T> struct PreluForward {
  const T* x;
  const T* w;
  __device__ T operator()(const int64_t* off) const { return prelu_value(x[off[1]], w[off[2]]); }
};
template <class T> struct PreluBackwardInput {
  const T* g;
  const T* x;
  const T* w;
  __device__ T operator()(const int64_t* off) const { return prelu_grad_input(g[off[1]], x[off[2]], w[off[3]]); }
};
template <class T> struct PreluWeightTerms {
  const T* g;
  const T* x;
  __device__ T operator()(const int64_t* off) const { return prelu_grad_weight_term(g[off[1]], x[off[2]]); }
};

}  // namespace

void launch_activation_forward(Activation kind, ElemType t, const Strided<2>& ix, void* out, const void* x, double p,
                               void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<2, T>(ix, out, stream, ActivationForward<T>{kind, p, static_cast<const T*>(x)});
  });
}

void launch_activation_backward(Activation kind, ElemType t, const Strided<3>& ix, void* dinp, const void* dout,
                                const void* saved, double p, void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<3, T>(ix, dinp, stream,
                     ActivationBackward<T>{kind, p, static_cast<const T*>(dout), static_cast<const T*>(saved)});
  });
}

void launch_prelu_forward(ElemType t, const Strided<3>& ix, void* out, const void* x, const void* w, void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<3, T>(ix, out, stream, PreluForward<T>{static_cast<const T*>(x), static_cast<const T*>(w)});
  });
}

void launch_prelu_backward_input(ElemType t, const Strided<4>& ix, void* dinp, const void* dout, const void* x,
                                 const void* w, void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<4, T>(ix, dinp, stream,
                     PreluBackwardInput<T>{static_cast<const T*>(dout), static_cast<const T*>(x),
                                           static_cast<const T*>(w)});
  });
}

void launch_prelu_weight_terms(ElemType t, const Strided<3>& ix, void* terms, const void* dout, const void* x,
                               void* stream) {
  dispatch_float(t, [&]<class T>() {
    launch_map<3, T>(ix, terms, stream, PreluWeightTerms<T>{static_cast<const T*>(dout), static_cast<const T*>(x)});
  });
}

}  // namespace tg::ops::cuda
