// Launchers of the embedding kernels (ops/cuda/embedding.cu). Ids are int64 or int32 for
// the forward and int64 for the backward (the glue converts); tables have unit column
// stride and row stride `row_stride`; dout and outputs are contiguous.
#pragma once
#include <cstddef>

#include "ops/cuda/elem_type.h"

namespace tg::ops::cuda {

// out [n_bags, D] (and bag_scale [n_bags] when mean); *bad_pos (device int64, preset to
// n) receives the smallest position of an id outside [0, V).
void launch_embedding_bag_forward(ElemType t, ElemType id_t, const void* table, int64_t row_stride, int64_t V,
                                  int64_t D, const void* ids, int64_t n_bags, int64_t L, int64_t padding_idx,
                                  bool mean, void* out, void* bag_scale, int64_t* bad_pos, void* stream);

// Stable sort of the n ids (keys) with their positions 0..n-1: CUB radix sort over the
// low `bits` bits. sort_ids_temp_bytes() tells the scratch size for n ids. These and the
// scan return CUB's status (a cudaError_t) for the glue to check.
int sort_ids_temp_bytes(int64_t n, int bits, size_t* bytes);
int launch_sort_ids(void* temp, size_t temp_bytes, const int64_t* ids, int64_t* positions_scratch,
                     int64_t* sorted_ids, int64_t* sorted_pos, int64_t n, int bits, void* stream);

// Dense gradient rows: dtable[id, d] = segment sum, for every segment whose id is not the
// padding id (dtable zeroed beforehand).
void launch_embedding_backward_dense(ElemType t, const void* dout, int64_t D, const void* scale,
                                     const int64_t* sorted_ids, const int64_t* sorted_pos, int64_t n, int64_t L,
                                     int64_t padding_idx, void* dtable, void* stream);

// Row-sparse gradient: flags[k] = 1 where a kept segment starts; the inclusive scan of the
// flags numbers the segments (scan_temp_bytes / launch_scan); then rows[s] and
// values[s, :] of segment s.
void launch_segment_flags(const int64_t* sorted_ids, int64_t n, int64_t padding_idx, int64_t* flags, void* stream);
int scan_temp_bytes(int64_t n, size_t* bytes);
int launch_scan(void* temp, size_t temp_bytes, const int64_t* flags, int64_t* numbers, int64_t n, void* stream);
void launch_embedding_backward_rows(ElemType t, const void* dout, int64_t D, const void* scale,
                                    const int64_t* sorted_ids, const int64_t* sorted_pos, const int64_t* flags,
                                    const int64_t* numbers, int64_t n, int64_t L, void* values, int64_t* rows,
                                    void* stream);

}  // namespace tg::ops::cuda
