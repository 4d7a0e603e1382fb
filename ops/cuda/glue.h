// Host-side helpers of the CUDA glue (ops/cuda/*.cpp): from tensors to what the kernel
// launchers take (element type tags, index plans, raw pointers, the device's stream).
#pragma once
#include <array>

#include "core/cuda/runtime.h"
#include "core/tensor.h"
#include "ops/cpu_loops.h"
#include "ops/cuda/elem_type.h"
#include "ops/cuda/strided.h"

namespace tg::ops::cuda {

static_assert(kStridedDims == kMaxDims, "ops/cuda/strided.h must allow as many dims as core/shape.h");

inline ElemType elem_type(DType t) {
  switch (t) {
    case DType::Float32: return ElemType::F32;
    case DType::Float64: return ElemType::F64;
    case DType::Int64: return ElemType::I64;
    case DType::Int32: return ElemType::I32;
    case DType::Bool:
    case DType::UInt8: return ElemType::U8;
  }
  fail("cuda: unknown dtype");
}

// The broadcast/strided loop over `shape` for operands ops (operand 0 the output), planned
// exactly as the CPU loops plan it (ops/cpu_loops.h: size-1 dims dropped, contiguous
// dims merged), so both backends visit the same elements in the same order.
template <int N> Strided<N> plan_strided(const Shape& shape, const std::array<const Tensor*, N>& ops) {
  cpu::LoopPlan<N> p = cpu::make_plan<N>(shape, ops);
  Strided<N> s;
  s.ndim = p.ndim;
  s.numel = shape.numel();
  for (int d = 0; d < p.ndim; ++d) {
    s.sizes[d] = p.sizes[d];
    for (int k = 0; k < N; ++k) s.strides[k][d] = p.strides[k][d];
  }
  return s;
}

// Makes the tensor's device current and returns its stream: the start of every launch.
struct OnDevice {
  explicit OnDevice(const Tensor& t) : guard(t.device()), stream(tg::cuda::stream(t.device().index)) {}
  tg::cuda::DeviceGuard guard;
  void* stream;
};

}  // namespace tg::ops::cuda
