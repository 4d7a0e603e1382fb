// Dropout's mask as the CPU computes it (ops/nnfunc_cpu.cpp), for host and device: element
// i is kept when the i-th uniform float of the Philox stream (seed, offset) is below the
// keep probability; Philox block offset + i/4 gives elements 4(i/4)..4(i/4)+3. The mask
// depends only on (seed, offset, i), so the GPU drops exactly the CPU's elements.
#pragma once
#include <cstdint>

#include "core/cuda/hd.h"
#include "core/philox.h"

namespace tg::ops::cuda {

// The keep flags of the four elements of Philox block `blk` (elements 4 blk .. 4 blk + 3).
TG_HD inline void dropout_keep4(uint64_t seed, uint64_t offset, int64_t blk, double keep_prob, bool (&keep)[4]) {
  const philox::Block r = philox::generate(seed, offset + static_cast<uint64_t>(blk));
  for (int j = 0; j < 4; ++j) keep[j] = static_cast<double>(philox::to_unit_float(r.v[j])) < keep_prob;
}

template <class T> TG_HD inline T dropout_value(bool keep, T x, T scale) { return keep ? x * scale : T(0); }

}  // namespace tg::ops::cuda
