// CUDA kernels of the elementwise family: one thread per output element (grid-stride), the
// operand offsets from Strided<N>::offsets and the value from elementwise_math.h, both
// shared with the host tests. Only the launch itself is GPU-only.
#include <cuda_runtime.h>

#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/launch.h"

namespace tg::ops::cuda {

namespace {

__device__ inline int64_t thread_id() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t thread_count() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

template <class T> __global__ void binary_kernel(Binary kind, Strided<3> ix, T* out, const T* a, const T* b) {
  for_each_index(ix.numel, thread_id(), thread_count(), [&](int64_t i) {
    int64_t off[3];
    ix.offsets(i, off);
    out[off[0]] = apply_binary(kind, a[off[1]], b[off[2]]);
  });
}

template <class T> __global__ void compare_kernel(Compare kind, Strided<3> ix, uint8_t* out, const T* a, const T* b) {
  for_each_index(ix.numel, thread_id(), thread_count(), [&](int64_t i) {
    int64_t off[3];
    ix.offsets(i, off);
    out[off[0]] = apply_compare(kind, a[off[1]], b[off[2]]);
  });
}

template <class T> __global__ void unary_kernel(Unary kind, Strided<2> ix, T* out, const T* a, double p, double q) {
  for_each_index(ix.numel, thread_id(), thread_count(), [&](int64_t i) {
    int64_t off[2];
    ix.offsets(i, off);
    out[off[0]] = apply_unary(kind, a[off[1]], p, q);
  });
}

template <class T>
__global__ void where_kernel(Strided<4> ix, T* out, const uint8_t* cond, const T* a, const T* b) {
  for_each_index(ix.numel, thread_id(), thread_count(), [&](int64_t i) {
    int64_t off[4];
    ix.offsets(i, off);
    out[off[0]] = cond[off[1]] ? a[off[2]] : b[off[3]];
  });
}

template <class T> __global__ void fill_kernel(Strided<1> ix, T* out, T value) {
  for_each_index(ix.numel, thread_id(), thread_count(), [&](int64_t i) {
    int64_t off[1];
    ix.offsets(i, off);
    out[off[0]] = value;
  });
}

template <class D, class S> __global__ void copy_kernel(Strided<2> ix, bool to_bool, D* out, const S* in) {
  for_each_index(ix.numel, thread_id(), thread_count(), [&](int64_t i) {
    int64_t off[2];
    ix.offsets(i, off);
    out[off[0]] = convert<D, S>(in[off[1]], to_bool);
  });
}

cudaStream_t as_stream(void* s) { return static_cast<cudaStream_t>(s); }

}  // namespace

void launch_binary(Binary kind, ElemType t, const Strided<3>& ix, void* out, const void* a, const void* b,
                   void* stream) {
  Launch l = launch_for(ix.numel);
  dispatch_elem(t, [&]<class T>() {
    binary_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(kind, ix, static_cast<T*>(out),
                                                                      static_cast<const T*>(a), static_cast<const T*>(b));
  });
}

void launch_compare(Compare kind, ElemType t, const Strided<3>& ix, uint8_t* out, const void* a, const void* b,
                    void* stream) {
  Launch l = launch_for(ix.numel);
  dispatch_elem(t, [&]<class T>() {
    compare_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(kind, ix, out, static_cast<const T*>(a),
                                                                       static_cast<const T*>(b));
  });
}

void launch_unary(Unary kind, ElemType t, const Strided<2>& ix, void* out, const void* a, double p, double q,
                  void* stream) {
  Launch l = launch_for(ix.numel);
  dispatch_elem(t, [&]<class T>() {
    unary_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(kind, ix, static_cast<T*>(out),
                                                                     static_cast<const T*>(a), p, q);
  });
}

void launch_where(ElemType t, const Strided<4>& ix, void* out, const uint8_t* cond, const void* a, const void* b,
                  void* stream) {
  Launch l = launch_for(ix.numel);
  dispatch_elem(t, [&]<class T>() {
    where_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(ix, static_cast<T*>(out), cond,
                                                                     static_cast<const T*>(a), static_cast<const T*>(b));
  });
}

void launch_fill(ElemType t, const Strided<1>& ix, void* out, double value, void* stream) {
  Launch l = launch_for(ix.numel);
  dispatch_elem(t, [&]<class T>() {
    fill_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(ix, static_cast<T*>(out), static_cast<T>(value));
  });
}

void launch_copy(ElemType dst_t, ElemType src_t, bool to_bool, const Strided<2>& ix, void* out, const void* in,
                 void* stream) {
  Launch l = launch_for(ix.numel);
  dispatch_elem(dst_t, [&]<class D>() {
    dispatch_elem(src_t, [&]<class S>() {
      copy_kernel<D, S><<<l.blocks, l.threads, 0, as_stream(stream)>>>(ix, to_bool, static_cast<D*>(out),
                                                                         static_cast<const S*>(in));
    });
  });
}

}  // namespace tg::ops::cuda
