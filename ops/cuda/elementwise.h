// CUDA kernels of the elementwise family, called from the device switches of
// ops/elementwise.cpp and ops/convert.cpp; the same contracts as ops/elementwise_cpu.h
// (out already has the broadcast shape, possibly strided).
#pragma once
#include "core/tensor.h"
#include "ops/elementwise_cpu.h"

namespace tg::ops::cuda {

void binary_forward(cpu::Binary kind, const Tensor& a, const Tensor& b, const Tensor& out, const char* op);
void compare_forward(cpu::Compare kind, const Tensor& a, const Tensor& b, const Tensor& out, const char* op);
void unary_forward(cpu::Unary kind, const Tensor& a, const Tensor& out, double p, double q, const char* op);
void where_forward(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out);
void fill_forward(const Tensor& out, double value);
// dst = src broadcast to dst's shape, converting the dtype (both on the same device).
void copy_forward(const Tensor& src, const Tensor& dst, const char* op);

}  // namespace tg::ops::cuda
