// Element types as the kernels see them (nvcc never includes core/dtype.h, which pulls in
// fmt): the C++ type behind each tag, and a dispatch from tag to a templated callable.
#pragma once
#include <cstdint>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

enum class ElemType : uint8_t { F32, F64, I64, I32, U8 };  // U8: bool and uint8 masks

template <class F> inline void dispatch_elem(ElemType t, F&& f) {
  switch (t) {
    case ElemType::F32: f.template operator()<float>(); return;
    case ElemType::F64: f.template operator()<double>(); return;
    case ElemType::I64: f.template operator()<int64_t>(); return;
    case ElemType::I32: f.template operator()<int32_t>(); return;
    case ElemType::U8: f.template operator()<uint8_t>(); return;
  }
}

template <class F> inline void dispatch_float(ElemType t, F&& f) {
  switch (t) {
    case ElemType::F32: f.template operator()<float>(); return;
    case ElemType::F64: f.template operator()<double>(); return;
    default: return;  // the glue has checked the dtype
  }
}

}  // namespace tg::ops::cuda
