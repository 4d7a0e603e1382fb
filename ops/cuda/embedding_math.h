// The per-element logic of the embedding kernels (ops/cuda/embedding.cu), shared with the
// host tests that check it against the CPU backend.
//
// Forward: out[b, d] of a bag of L ids (a plain lookup is a bag of 1 with no padding),
// summed in id order as the CPU sums, scaled by 1/count for mean bags.
//
// Backward, deterministic without float atomics: the n = bags * L positions are sorted by
// id with a stable sort (CUB's radix sort on the GPU, std::stable_sort in the tests), so
// each id's positions form one segment, in increasing position order. One thread per
// (segment start, column) sums its segment sequentially, s_b * dout[b, d] for each
// position, from 0 in position order: the same order as the CPU's loop over ids, so the
// result is the same on every run and matches the CPU up to multiply-add contraction.
#pragma once
#include <cstdint>

#include "core/cuda/hd.h"

namespace tg::ops::cuda {

// out[b, d] for a bag; *count receives the number of ids summed. An id outside [0, V)
// is skipped and reported through *bad (its position; the caller keeps the smallest).
template <class T, class I>
TG_HD inline T embedding_bag_value(const T* table, int64_t row_stride, int64_t V, const I* ids, int64_t L,
                                   int64_t padding_idx, int64_t b, int64_t d, int64_t* count, int64_t* bad) {
  T acc = T(0);
  *count = 0;
  for (int64_t l = 0; l < L; ++l) {
    const int64_t r = static_cast<int64_t>(ids[b * L + l]);
    if (r < 0 || r >= V) {
      if (*bad < 0) *bad = b * L + l;
      continue;
    }
    if (r == padding_idx) continue;
    acc += table[r * row_stride + d];
    ++*count;
  }
  return acc;
}

// A mean bag's scale, 1/count (0 for an empty bag), and whether the sum must be scaled
// (the CPU leaves a bag of one id unscaled).
template <class T> TG_HD inline T bag_mean_scale(int64_t count) { return count > 0 ? T(1) / static_cast<T>(count) : T(0); }

// Whether sorted position k starts a segment of equal ids.
TG_HD inline bool segment_starts(const int64_t* sorted_ids, int64_t k) { return k == 0 || sorted_ids[k] != sorted_ids[k - 1]; }

// Column d of the gradient row of the segment starting at sorted position k (n positions
// in all): sum over the segment of scale[b] * dout[b, d], b = position / L, in order.
template <class T>
TG_HD inline T segment_gradient(const T* dout, int64_t D, const T* scale, const int64_t* sorted_ids,
                                const int64_t* sorted_pos, int64_t n, int64_t L, int64_t k, int64_t d) {
  const int64_t id = sorted_ids[k];
  T acc = T(0);
  for (int64_t j = k; j < n && sorted_ids[j] == id; ++j) {
    const int64_t b = sorted_pos[j] / L;
    const T s = scale ? scale[b] : T(1);
    acc += s * dout[b * D + d];
  }
  return acc;
}

// Bits a radix sort of ids in [0, V) needs (at least 1).
TG_HD inline int id_bits(int64_t V) {
  int bits = 1;
  while (bits < 63 && (int64_t{1} << bits) < V) ++bits;
  return bits;
}

}  // namespace tg::ops::cuda
