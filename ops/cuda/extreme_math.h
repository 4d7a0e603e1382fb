// max/min over one dim with the index of the winner, for host and device, with the CPU
// backend's rules (ops/select_cpu.cpp): along a line of r elements `stride` apart, masked
// entries are skipped, the first extreme wins, a NaN wins over any number and then stays;
// a line with nothing kept gives value 0 and index -1. The GPU runs one thread per line
// (ops/cuda/reduce.cu); tests/cuda checks this against the CPU max/min.
#pragma once
#include <cstdint>
#include <type_traits>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

template <class T>
TG_HD inline void extreme_line(const T* x, const uint8_t* m, int64_t r, int64_t stride, bool is_max, T* value,
                               int64_t* index) {
  T best = T(0);
  int64_t at = -1;
  for (int64_t k = 0; k < r; ++k) {
    if (m && !m[k * stride]) continue;
    const T v = x[k * stride];
    bool better = is_max ? v > best : v < best;
    if constexpr (std::is_floating_point_v<T>) better = better || (v != v && best == best);
    if (at < 0 || better) {
      best = v;
      at = k;
    }
  }
  if (value) *value = at < 0 ? T(0) : best;
  *index = at;
}

}  // namespace tg::ops::cuda
