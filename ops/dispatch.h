// dtype dispatch: turns a runtime DType into a C++ element type for a templated lambda.
//   dispatch_floating(t.dtype(), "exp", [&]<class T>() { ...T... });
#pragma once
#include <cstdint>

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
// The CUDA branch of an op's device switch until the CUDA backend provides its kernel.
[[noreturn]] inline void no_cuda_kernel(const char* op) {
  fail("{}: no CUDA kernel in this build (tapegrad was built without the CUDA backend); move the tensors to the "
       "cpu",
       op);
}
}  // namespace tg::ops
