// CPU kernels of the embedding family (declared at the bottom of ops/embedding.h).
//
// Forward: one memcpy per looked-up row (embedding) or a vectorisable row sum per bag
// (embedding_bag), threads over ids/bags. Ids are range-checked inside the threaded loop;
// a bad id is noted (the smallest position wins) and reported after the loop, because an
// exception must not leave an OpenMP region.
//
// Dense backward: each thread owns a range of table rows and walks all ids in order,
// adding only into its own rows, so no two threads write the same row and every row's sum
// runs in id order: the result does not depend on the thread count. (Each thread reads
// every id, which costs n reads per thread against n * D / threads adds.)
#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/parallel.h"
#include "ops/dispatch.h"
#include "ops/embedding.h"
#include "ops/embedding_cpu.h"

namespace tg::ops::cpu {

namespace {

template <class F> decltype(auto) dispatch_ids(DType t, F&& f) {
  if (t == DType::Int32) return f.template operator()<int32_t>();
  return f.template operator()<int64_t>();
}

void note_bad(std::atomic<int64_t>& first, int64_t pos) {
  int64_t cur = first.load(std::memory_order_relaxed);
  while (pos < cur && !first.compare_exchange_weak(cur, pos, std::memory_order_relaxed)) {
  }
}

// Items per thread chunk so that a chunk holds about kParallelGrain elements of work.
int64_t grain_for(int64_t work_per_item) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(work_per_item, 1)); }

}  // namespace

int64_t embedding_forward(const Tensor& table, const Tensor& ids, const Tensor& out) {
  const int64_t n = ids.numel(), V = table.size(0), D = table.size(1);
  const int64_t esize = static_cast<int64_t>(table.element_size());
  const int64_t row_bytes = D * esize, src_row_bytes = table.strides()[0] * esize;
  const char* src = static_cast<const char*>(table.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  std::atomic<int64_t> first_bad{n};
  dispatch_ids(ids.dtype(), [&]<class I>() {
    const I* id = ids.data<I>();
    parallel_for(n, grain_for(D), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const int64_t r = id[i];
        if (r < 0 || r >= V) [[unlikely]] {
          note_bad(first_bad, i);
          continue;
        }
        if (row_bytes > 0) std::memcpy(dst + i * row_bytes, src + r * src_row_bytes, static_cast<size_t>(row_bytes));
      }
    });
  });
  const int64_t bad = first_bad.load();
  return bad < n ? bad : -1;
}

int64_t embedding_bag_forward(const Tensor& table, const Tensor& ids, int64_t bag_size, int64_t padding_idx,
                              bool mean, const Tensor& out, const Tensor& bag_scale) {
  const int64_t V = table.size(0), D = table.size(1), rs = table.strides()[0], L = bag_size;
  const int64_t n = ids.numel(), n_bags = L > 0 ? n / L : (D > 0 ? out.numel() / D : 0);
  std::atomic<int64_t> first_bad{n};
  dispatch_floating(table.dtype(), "embedding_bag", [&]<class T>() {
    dispatch_ids(ids.dtype(), [&]<class I>() {
      const T* w = table.data<T>();
      const I* id = ids.data<I>();
      T* o = out.data<T>();
      T* scale = mean ? bag_scale.data<T>() : nullptr;
      parallel_for(n_bags, grain_for(std::max<int64_t>(L, 1) * D), [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          T* ob = o + b * D;
          std::fill(ob, ob + D, T(0));
          int64_t count = 0;
          for (int64_t l = 0; l < L; ++l) {
            const int64_t r = id[b * L + l];
            if (r < 0 || r >= V) [[unlikely]] {
              note_bad(first_bad, b * L + l);
              continue;
            }
            if (r == padding_idx) continue;  // after the range check: padding -1 matches no valid id
            const T* row = w + r * rs;
            for (int64_t d = 0; d < D; ++d) ob[d] += row[d];
            ++count;
          }
          if (mean) {
            const T s = count > 0 ? T(1) / static_cast<T>(count) : T(0);
            scale[b] = s;
            if (count > 1)
              for (int64_t d = 0; d < D; ++d) ob[d] *= s;
          }
        }
      });
    });
  });
  const int64_t bad = first_bad.load();
  return bad < n ? bad : -1;
}

void embedding_backward(const Tensor& dout, const Tensor& ids, int64_t bag_size, const Tensor& bag_scale,
                        int64_t padding_idx, const Tensor& dtable) {
  const int64_t V = dtable.size(0), D = dtable.size(1), L = bag_size;
  const int64_t n = ids.numel(), n_bags = L > 0 ? n / L : 0;
  if (n == 0 || D == 0) return;
  // As many row ranges as the work (n * D adds) pays threads for.
  const int64_t chunks = std::max<int64_t>(1, n * D / kParallelGrain);
  const int64_t grain = (V + chunks - 1) / chunks;
  dispatch_floating(dtable.dtype(), "embedding backward", [&]<class T>() {
    dispatch_ids(ids.dtype(), [&]<class I>() {
      const T* g = dout.data<T>();
      const I* id = ids.data<I>();
      const T* scale = bag_scale.defined() ? bag_scale.data<T>() : nullptr;
      T* dw = dtable.data<T>();
      parallel_for(V, grain, [&](int64_t r0, int64_t r1) {
        for (int64_t b = 0; b < n_bags; ++b) {
          const T* gb = g + b * D;
          const T s = scale ? scale[b] : T(1);
          for (int64_t l = 0; l < L; ++l) {
            const int64_t r = id[b * L + l];
            if (r < r0 || r >= r1 || r == padding_idx) continue;
            T* dst = dw + r * D;
            for (int64_t d = 0; d < D; ++d) dst[d] += s * gb[d];
          }
        }
      });
    });
  });
}

void embedding_backward_rows(const Tensor& dout, const Tensor& ids, int64_t bag_size, const Tensor& bag_scale,
                             int64_t padding_idx, Tensor& values, Tensor& rows) {
  const int64_t D = dout.dim() > 0 ? dout.shape().back() : 1, L = bag_size;
  const int64_t n = ids.numel(), n_bags = L > 0 ? n / L : 0;
  dispatch_floating(dout.dtype(), "embedding backward", [&]<class T>() {
    dispatch_ids(ids.dtype(), [&]<class I>() {
      const I* id = ids.data<I>();
      int64_t kept = 0;
      for (int64_t i = 0; i < n; ++i) kept += id[i] != padding_idx;
      values = Tensor::empty({kept, D}, {.dtype = dout.dtype()});
      rows = Tensor::empty({kept}, {.dtype = DType::Int64});
      const T* g = dout.data<T>();
      const T* scale = bag_scale.defined() ? bag_scale.data<T>() : nullptr;
      T* v = values.data<T>();
      int64_t* rw = rows.data<int64_t>();
      int64_t j = 0;
      for (int64_t b = 0; b < n_bags; ++b) {
        const T* gb = g + b * D;
        const T s = scale ? scale[b] : T(1);
        for (int64_t l = 0; l < L; ++l) {
          const int64_t r = id[b * L + l];
          if (r == padding_idx) continue;
          rw[j] = r;
          T* vj = v + j * D;
          for (int64_t d = 0; d < D; ++d) vj[d] = s * gb[d];
          ++j;
        }
      }
    });
  });
}

}  // namespace tg::ops::cpu
