// CPU loop machinery shared by the elementwise kernels.
//
// A LoopPlan iterates N operands (operand 0 is the output) over one common shape. Each
// input's strides are its own strides with 0 on broadcast dimensions, so broadcasting and
// non-contiguous views (permuted, sliced, expanded) cost nothing extra. Adjacent
// dimensions that are contiguous in every operand are merged ("coalesced"), so most loops
// end up 1-D or 2-D. The innermost dimension is a plain counted loop; when every operand
// has stride 1 (or an input has stride 0, a broadcast scalar) the loop has no stride
// arithmetic and the compiler vectorises it. Large loops are split over threads by
// element ranges (core/parallel.h).
#pragma once
#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

#include "core/parallel.h"
#include "core/tensor.h"

namespace tg::ops::cpu {

template <int N> struct LoopPlan {
  int ndim = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides[N][kMaxDims] = {};  // in elements
  int64_t numel = 1;
};

// Strides of `t` seen through the broadcast shape `shape` (right-aligned; 0 where t has 1).
inline void broadcast_strides(const Tensor& t, const Shape& shape, int64_t* out) {
  int nd = shape.size(), td = t.dim();
  for (int i = 0; i < nd; ++i) {
    int j = i - (nd - td);
    out[i] = (j < 0 || t.shape()[j] == 1) ? 0 : t.strides()[j];
  }
}

template <int N> LoopPlan<N> make_plan(const Shape& shape, const std::array<const Tensor*, N>& ops) {
  LoopPlan<N> p;
  int64_t st[N][kMaxDims];
  for (int k = 0; k < N; ++k) broadcast_strides(*ops[k], shape, st[k]);
  // Drop size-1 dims, then merge dim i into the previous when contiguous for all operands.
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    bool merge = p.ndim > 0;
    for (int k = 0; k < N && merge; ++k) merge = st[k][i] * shape[i] == p.strides[k][p.ndim - 1];
    if (merge) {
      p.sizes[p.ndim - 1] *= shape[i];
      for (int k = 0; k < N; ++k) p.strides[k][p.ndim - 1] = st[k][i];
    } else {
      p.sizes[p.ndim] = shape[i];
      for (int k = 0; k < N; ++k) p.strides[k][p.ndim] = st[k][i];
      ++p.ndim;
    }
  }
  if (p.ndim == 0) {  // a scalar: one element
    p.ndim = 1;
    p.sizes[0] = 1;
    for (int k = 0; k < N; ++k) p.strides[k][0] = 0;
  }
  p.numel = 1;
  for (int i = 0; i < p.ndim; ++i) p.numel *= p.sizes[i];
  return p;
}

// Calls inner(offsets, count, inner_strides) for runs of the innermost dimension covering
// linear positions [begin, end): offsets[k] is operand k's element offset at the run start.
template <int N, class Inner> void for_each_run(const LoopPlan<N>& p, int64_t begin, int64_t end, Inner&& inner) {
  const int last = p.ndim - 1;
  int64_t idx[kMaxDims];
  int64_t rem = begin;
  for (int d = last; d >= 0; --d) {
    idx[d] = rem % p.sizes[d];
    rem /= p.sizes[d];
  }
  std::array<int64_t, N> off{};
  for (int k = 0; k < N; ++k)
    for (int d = 0; d <= last; ++d) off[k] += idx[d] * p.strides[k][d];
  std::array<int64_t, N> inner_st;
  for (int k = 0; k < N; ++k) inner_st[k] = p.strides[k][last];

  int64_t pos = begin;
  while (pos < end) {
    int64_t count = std::min(p.sizes[last] - idx[last], end - pos);
    inner(off, count, inner_st);
    pos += count;
    for (int k = 0; k < N; ++k) off[k] += count * inner_st[k];
    idx[last] += count;
    // Carry into the outer dimensions.
    for (int d = last; d > 0 && idx[d] == p.sizes[d]; --d) {
      idx[d] = 0;
      ++idx[d - 1];
      for (int k = 0; k < N; ++k) off[k] += p.strides[k][d - 1] - p.sizes[d] * p.strides[k][d];
    }
  }
}

namespace detail {
// Inner loop with the broadcast pattern known at compile time: bit k of ScalarMask set
// means input k has stride 0 (same value every step); all other operands have stride 1.
template <unsigned ScalarMask, class OutT, class F, class... InT, size_t... I>
inline void unit_loop(OutT* o, int64_t n, F& f, std::index_sequence<I...>, const InT*... in) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(in[((ScalarMask >> I) & 1u) ? 0 : i]...);
}

template <unsigned Mask, unsigned MaxMask, class OutT, class F, class... InT, size_t... I>
inline void dispatch_unit(unsigned mask, OutT* o, int64_t n, F& f, std::index_sequence<I...> seq, const InT*... in) {
  if constexpr (Mask <= MaxMask) {
    if (mask == Mask) return unit_loop<Mask>(o, n, f, seq, in...);
    return dispatch_unit<Mask + 1, MaxMask>(mask, o, n, f, seq, in...);
  }
}
}  // namespace detail

// out = f(in...) elementwise with broadcasting; out has the broadcast shape already and
// may itself be a strided view. OutT/InT are the C++ element types of the tensors:
//   map_into<float, float, float>(out, [](float x, float y) { return x + y; }, a, b);
template <class OutT, class... InT, class F, class... Tensors>
void map_into(const Tensor& out, F f, const Tensors&... in) {
  constexpr int K = sizeof...(InT);
  static_assert(K == sizeof...(in), "one element type per input");
  LoopPlan<K + 1> p = make_plan<K + 1>(out.shape(), {&out, &in...});
  OutT* out_base = static_cast<OutT*>(out.raw_data());
  std::tuple<const InT*...> in_base{static_cast<const InT*>(in.raw_data())...};
  auto run = [&](int64_t begin, int64_t end) {
    for_each_run<K + 1>(p, begin, end, [&](const std::array<int64_t, K + 1>& off, int64_t n,
                                           const std::array<int64_t, K + 1>& st) {
      OutT* o = out_base + off[0];
      [&]<size_t... I>(std::index_sequence<I...> seq) {
        if (st[0] == 1 && ((st[I + 1] <= 1 && st[I + 1] >= 0) && ...)) {
          unsigned mask = ((st[I + 1] == 0 ? (1u << I) : 0u) | ... | 0u);
          detail::dispatch_unit<0, (1u << K) - 1>(mask, o, n, f, seq, (std::get<I>(in_base) + off[I + 1])...);
        } else {
          for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f((std::get<I>(in_base) + off[I + 1])[i * st[I + 1]]...);
        }
      }(std::make_index_sequence<K>{});
    });
  };
  parallel_for(p.numel, kParallelGrain, run);
}

}  // namespace tg::ops::cpu
