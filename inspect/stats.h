#pragma once
// Summary statistics of a tensor's values, for the tape trace and anomaly messages.
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace tg {

struct ValueStats {
  int64_t count = 0;       // elements looked at (a row-sparse tensor: its stored rows)
  int64_t nonfinite = 0;   // NaN or infinite elements (left out of the other figures)
  int64_t first_nonfinite = -1;  // row-major index of the first one
  double mean = 0, std = 0, min = 0, max = 0, norm = 0, max_abs = 0;
};

// Statistics of any floating tensor (copied to the CPU first when it lives elsewhere);
// integer and bool tensors give count only.
ValueStats value_stats(const Tensor& t);
// Index of the first NaN/Inf element (row-major), or -1. Cheaper than value_stats.
int64_t first_nonfinite(const Tensor& t);

}  // namespace tg
