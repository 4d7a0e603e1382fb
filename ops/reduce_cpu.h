// CPU reduction kernel over a contiguous input viewed as [outer, r, inner]:
// out[o, i] = reduce_k in[o, k, i]. Any reduction over a set of dims is brought to this
// form by reduce.cpp (directly when the reduced dims are adjacent, else by a permuted copy).
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::ops::cpu {

enum class Reduce { Sum, Max, Min };

void reduce_forward(Reduce kind, const Tensor& in, int64_t outer, int64_t r, int64_t inner, const Tensor& out);

}  // namespace tg::ops::cpu
