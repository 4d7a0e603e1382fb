// dtype dispatch: turns a runtime DType into a C++ element type for a templated lambda.
//   dispatch_floating(t.dtype(), "exp", [&]<class T>() { ...T... });
#pragma once
#include <cstdint>

#include "core/cuda/config.h"
#include "core/dtype.h"
#include "core/error.h"

namespace tg::ops {

template <class F> decltype(auto) dispatch_floating(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    default: fail("{}: needs a float32 or float64 tensor, got {}", op, t);
  }
}

// Numeric dtypes (floats and integer ids); masks are read as uint8_t.
template <class F> decltype(auto) dispatch_numeric(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Int32: return f.template operator()<int32_t>();
    default: fail("{}: needs a numeric tensor (float or int), got {}", op, t);
  }
}

template <class F> decltype(auto) dispatch_all(DType t, F&& f) {
  switch (t) {
    case DType::Float32: return f.template operator()<float>();
    case DType::Float64: return f.template operator()<double>();
    case DType::Int64: return f.template operator()<int64_t>();
    case DType::Int32: return f.template operator()<int32_t>();
    case DType::Bool:
    case DType::UInt8: return f.template operator()<uint8_t>();
  }
  fail("dispatch: unknown dtype");
}

}  // namespace tg::ops

namespace tg::ops {
// What the CUDA branch of a device switch does without a kernel: in a build without the
// backend (TG_CUDA_KERNEL below), or for an op whose CUDA kernel is not written yet.
[[noreturn]] inline void no_cuda_kernel(const char* op) {
  fail("{}: no CUDA kernel in this build ({}); move the tensors to the cpu", op,
       TG_HAVE_CUDA ? "this op has no CUDA kernel yet" : "tapegrad was built without the CUDA backend");
}
}  // namespace tg::ops

// The CUDA branch of an op's device switch:
//   case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::binary_forward(kind, a, b, out)); break;
// calls the kernel glue of ops/cuda/ in builds with the backend, and fails naming the op in
// CPU-only builds (where that glue is not compiled, so the call must not even be named).
#if TG_HAVE_CUDA
#define TG_CUDA_KERNEL(op, ...) __VA_ARGS__
#else
#define TG_CUDA_KERNEL(op, ...) ::tg::ops::no_cuda_kernel(op)
#endif
