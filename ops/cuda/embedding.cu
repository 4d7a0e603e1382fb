// CUDA kernels of the embedding family. Per-element logic: ops/cuda/embedding_math.h
// (shared with the host tests); sorting and scanning: CUB (part of the CUDA toolkit).
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>
#include <cuda_runtime.h>

#include "ops/cuda/embedding_kernels.h"
#include "ops/cuda/embedding_math.h"
#include "ops/cuda/launch.h"

namespace tg::ops::cuda {

namespace {

cudaStream_t as_stream(void* s) { return static_cast<cudaStream_t>(s); }
__device__ inline int64_t thread_id() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t thread_count() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

template <class T, class I>
__global__ void bag_forward_kernel(const T* table, int64_t rs, int64_t V, int64_t D, const I* ids, int64_t n_bags,
                                   int64_t L, int64_t padding_idx, bool mean, T* out, T* scale, int64_t* bad_pos) {
  for_each_index(n_bags * D, thread_id(), thread_count(), [&](int64_t j) {
    const int64_t b = j / D, d = j % D;
    int64_t count = 0, bad = -1;
    T v = embedding_bag_value(table, rs, V, ids, L, padding_idx, b, d, &count, &bad);
    if (bad >= 0)  // integer atomics are exact: the smallest bad position wins, as on the CPU
      atomicMin(reinterpret_cast<unsigned long long*>(bad_pos), static_cast<unsigned long long>(bad));
    if (mean) {
      const T s = bag_mean_scale<T>(count);
      if (d == 0) scale[b] = s;
      if (count > 1) v *= s;
    }
    out[j] = v;
  });
}

__global__ void iota_kernel(int64_t* p, int64_t n) {
  for_each_index(n, thread_id(), thread_count(), [&](int64_t i) { p[i] = i; });
}

template <class T>
__global__ void backward_dense_kernel(const T* dout, int64_t D, const T* scale, const int64_t* sorted_ids,
                                      const int64_t* sorted_pos, int64_t n, int64_t L, int64_t padding_idx,
                                      T* dtable) {
  for_each_index(n * D, thread_id(), thread_count(), [&](int64_t j) {
    const int64_t k = j / D, d = j % D;
    if (!segment_starts(sorted_ids, k) || sorted_ids[k] == padding_idx) return;
    dtable[sorted_ids[k] * D + d] = segment_gradient(dout, D, scale, sorted_ids, sorted_pos, n, L, k, d);
  });
}

__global__ void flags_kernel(const int64_t* sorted_ids, int64_t n, int64_t padding_idx, int64_t* flags) {
  for_each_index(n, thread_id(), thread_count(), [&](int64_t k) {
    flags[k] = segment_starts(sorted_ids, k) && sorted_ids[k] != padding_idx ? 1 : 0;
  });
}

template <class T>
__global__ void backward_rows_kernel(const T* dout, int64_t D, const T* scale, const int64_t* sorted_ids,
                                     const int64_t* sorted_pos, const int64_t* flags, const int64_t* numbers,
                                     int64_t n, int64_t L, T* values, int64_t* rows) {
  const int64_t cols = D > 0 ? D : 1;  // D == 0: still one thread per segment, for its row id
  for_each_index(n * cols, thread_id(), thread_count(), [&](int64_t j) {
    const int64_t k = j / cols, d = j % cols;
    if (!flags[k]) return;
    const int64_t s = numbers[k] - 1;  // inclusive scan: the first segment is number 1
    if (d == 0) rows[s] = sorted_ids[k];
    if (d < D) values[s * D + d] = segment_gradient(dout, D, scale, sorted_ids, sorted_pos, n, L, k, d);
  });
}

}  // namespace

void launch_embedding_bag_forward(ElemType t, ElemType id_t, const void* table, int64_t row_stride, int64_t V,
                                  int64_t D, const void* ids, int64_t n_bags, int64_t L, int64_t padding_idx,
                                  bool mean, void* out, void* bag_scale, int64_t* bad_pos, void* stream) {
  Launch l = launch_for(n_bags * D);
  dispatch_float(t, [&]<class T>() {
    auto run = [&]<class I>() {
      bag_forward_kernel<T, I><<<l.blocks, l.threads, 0, as_stream(stream)>>>(
          static_cast<const T*>(table), row_stride, V, D, static_cast<const I*>(ids), n_bags, L, padding_idx, mean,
          static_cast<T*>(out), static_cast<T*>(bag_scale), bad_pos);
    };
    if (id_t == ElemType::I32) run.template operator()<int32_t>();
    else run.template operator()<int64_t>();
  });
}

int sort_ids_temp_bytes(int64_t n, int bits, size_t* bytes) {
  *bytes = 0;
  return cub::DeviceRadixSort::SortPairs(nullptr, *bytes, static_cast<const int64_t*>(nullptr), static_cast<int64_t*>(nullptr),
                                  static_cast<const int64_t*>(nullptr), static_cast<int64_t*>(nullptr),
                                         static_cast<int>(n), 0, bits);
}

int launch_sort_ids(void* temp, size_t temp_bytes, const int64_t* ids, int64_t* positions_scratch,
                     int64_t* sorted_ids, int64_t* sorted_pos, int64_t n, int bits, void* stream) {
  Launch l = launch_for(n);
  iota_kernel<<<l.blocks, l.threads, 0, as_stream(stream)>>>(positions_scratch, n);
  return cub::DeviceRadixSort::SortPairs(temp, temp_bytes, ids, sorted_ids, positions_scratch, sorted_pos,
                                  static_cast<int>(n), 0, bits, as_stream(stream));
}

void launch_embedding_backward_dense(ElemType t, const void* dout, int64_t D, const void* scale,
                                     const int64_t* sorted_ids, const int64_t* sorted_pos, int64_t n, int64_t L,
                                     int64_t padding_idx, void* dtable, void* stream) {
  Launch l = launch_for(n * D);
  dispatch_float(t, [&]<class T>() {
    backward_dense_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(
        static_cast<const T*>(dout), D, static_cast<const T*>(scale), sorted_ids, sorted_pos, n, L, padding_idx,
        static_cast<T*>(dtable));
  });
}

void launch_segment_flags(const int64_t* sorted_ids, int64_t n, int64_t padding_idx, int64_t* flags, void* stream) {
  Launch l = launch_for(n);
  flags_kernel<<<l.blocks, l.threads, 0, as_stream(stream)>>>(sorted_ids, n, padding_idx, flags);
}

int scan_temp_bytes(int64_t n, size_t* bytes) {
  *bytes = 0;
  return cub::DeviceScan::InclusiveSum(nullptr, *bytes, static_cast<const int64_t*>(nullptr), static_cast<int64_t*>(nullptr),
                                       static_cast<int>(n));
}

int launch_scan(void* temp, size_t temp_bytes, const int64_t* flags, int64_t* numbers, int64_t n, void* stream) {
  return cub::DeviceScan::InclusiveSum(temp, temp_bytes, flags, numbers, static_cast<int>(n), as_stream(stream));
}

void launch_embedding_backward_rows(ElemType t, const void* dout, int64_t D, const void* scale,
                                    const int64_t* sorted_ids, const int64_t* sorted_pos, const int64_t* flags,
                                    const int64_t* numbers, int64_t n, int64_t L, void* values, int64_t* rows,
                                    void* stream) {
  Launch l = launch_for(n * (D > 0 ? D : 1));
  dispatch_float(t, [&]<class T>() {
    backward_rows_kernel<T><<<l.blocks, l.threads, 0, as_stream(stream)>>>(
        static_cast<const T*>(dout), D, static_cast<const T*>(scale), sorted_ids, sorted_pos, flags, numbers, n, L,
        static_cast<T*>(values), rows);
  });
}

}  // namespace tg::ops::cuda
