// Launchers of the elementwise kernels (ops/cuda/elementwise.cu): raw pointers, element
// types and index plans only, so that nvcc compiles no tensor code. Each launcher queues
// its kernel on `stream` (a cudaStream_t); the caller checks the launch.
#pragma once
#include "ops/cuda/elem_type.h"
#include "ops/cuda/elementwise_math.h"
#include "ops/cuda/strided.h"

namespace tg::ops::cuda {

void launch_binary(Binary kind, ElemType t, const Strided<3>& ix, void* out, const void* a, const void* b,
                   void* stream);
void launch_compare(Compare kind, ElemType t, const Strided<3>& ix, uint8_t* out, const void* a, const void* b,
                    void* stream);
void launch_unary(Unary kind, ElemType t, const Strided<2>& ix, void* out, const void* a, double p, double q,
                  void* stream);
void launch_where(ElemType t, const Strided<4>& ix, void* out, const uint8_t* cond, const void* a, const void* b,
                  void* stream);
void launch_fill(ElemType t, const Strided<1>& ix, void* out, double value, void* stream);
void launch_copy(ElemType dst_t, ElemType src_t, bool to_bool, const Strided<2>& ix, void* out, const void* in,
                 void* stream);

}  // namespace tg::ops::cuda
