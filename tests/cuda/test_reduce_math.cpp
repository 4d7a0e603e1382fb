// The reduction kernels' numerics, run on the host in the kernels' own order: per-thread
// partials of a row (row_partial with kBlock threads), the shared-memory tree (tree_step,
// halving), and the column loop (column_reduce), checked against the CPU reductions.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/rng.h"
#include "ops/cuda/extreme_math.h"
#include "ops/cuda/launch.h"
#include "ops/cuda/reduce_math.h"
#include "ops/ops.h"

using namespace tg;
namespace cu = tg::ops::cuda;

namespace {

// reduce_rows_kernel for one row, with the block's threads run one after the other.
template <class T> T block_reduce_row(cu::Reduce kind, const T* row, int64_t r) {
  std::vector<cu::ReduceAcc<T>> partials(cu::kBlock);
  for (int64_t t = 0; t < cu::kBlock; ++t) partials[static_cast<size_t>(t)] = cu::row_partial(kind, row, r, t, cu::kBlock);
  for (int64_t half = cu::kBlock / 2; half > 0; half /= 2)
    for (int64_t t = 0; t < cu::kBlock; ++t) cu::tree_step(kind, partials.data(), t, half);
  return static_cast<T>(partials[0]);
}

double rel_err(double got, double want) { return std::abs(got - want) / std::max(std::abs(want), 1e-30); }

}  // namespace

TEST_CASE("cuda reduce math: row reductions (inner == 1) match the CPU") {
  manual_seed(21);
  for (int64_t r : {1, 3, 255, 256, 257, 1000, 100000}) {
    CAPTURE(r);
    Tensor x = uniform({r}, -1.0, 2.0);
    const float* p = x.data<float>();
    // float32 sums accumulate in double on both sides, in different orders: the results
    // agree to float rounding of the double sum (relative 1e-6 leaves room for 8 ulps).
    CHECK(rel_err(block_reduce_row(cu::Reduce::Sum, p, r), ops::sum(x).item()) < 1e-6);
    CHECK(block_reduce_row(cu::Reduce::Max, p, r) == ops::max(x).item());
    CHECK(block_reduce_row(cu::Reduce::Min, p, r) == ops::min(x).item());
    Tensor xd = x.to(kFloat64);
    CHECK(rel_err(block_reduce_row(cu::Reduce::Sum, xd.data<double>(), r), ops::sum(xd).item()) < 1e-12);
  }
  Tensor ids = randint(-1000, 1000, {777});
  CHECK(block_reduce_row(cu::Reduce::Sum, ids.data<int64_t>(), 777) == ops::sum(ids).item<int64_t>());
  CHECK(block_reduce_row(cu::Reduce::Max, ids.data<int64_t>(), 777) == ops::max(ids).item<int64_t>());
}

TEST_CASE("cuda reduce math: an empty row sums to zero, NaN wins max and min") {
  const float none[1] = {0};
  CHECK(block_reduce_row(cu::Reduce::Sum, none, 0) == 0.0f);
  std::vector<float> v(300, 1.0f);
  v[123] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(block_reduce_row(cu::Reduce::Max, v.data(), 300)));
  CHECK(std::isnan(block_reduce_row(cu::Reduce::Min, v.data(), 300)));
  CHECK(std::isnan(cu::column_reduce(cu::Reduce::Max, v.data(), 300, 1)));
}

TEST_CASE("cuda reduce math: column reductions (inner > 1) match the CPU") {
  manual_seed(22);
  const int64_t outer = 3, r = 50, inner = 7;
  Tensor x = uniform({outer, r, inner}, -1.0, 1.0);
  Tensor want_sum = ops::sum(x, 1), want_max = ops::max(x, 1).values;
  const float* p = x.data<float>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float* col = p + o * r * inner + i;
      CHECK(rel_err(cu::column_reduce(cu::Reduce::Sum, col, r, inner), want_sum.at({o, i})) < 1e-6);
      CHECK(cu::column_reduce(cu::Reduce::Max, col, r, inner) == want_max.at({o, i}));
    }
  }
}

TEST_CASE("cuda reduce math: max/min over a dim with indices and masks match the CPU") {
  manual_seed(23);
  const int64_t outer = 3, r = 9, inner = 4;
  Tensor x = randint(0, 4, {outer, r, inner}).to(kFloat32);  // many ties: the first must win
  x.set({1, 2, 2}, std::nan(""));
  x.set({1, 5, 2}, std::nan(""));
  Tensor mask = ops::gt(uniform({outer, r, inner}, 0, 1), 0.3);
  for (int64_t k = 0; k < r; ++k) mask.set({0, k, 1}, 0);  // nothing kept: value 0, index -1
  for (bool is_max : {true, false}) {
    for (bool masked : {false, true}) {
      CAPTURE(is_max);
      CAPTURE(masked);
      Tensor m = masked ? mask : Tensor();
      ops::MaxResult want = is_max ? ops::max(x, 1, false, m) : ops::min(x, 1, false, m);
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t at = o * r * inner + i;
          float v = -1;
          int64_t idx = -2;
          cu::extreme_line(x.data<float>() + at, masked ? mask.data<uint8_t>() + at : nullptr, r, inner, is_max, &v,
                           &idx);
          CHECK(idx == want.indices.at({o, i}));
          const double w = want.values.at({o, i});
          if (std::isnan(w)) CHECK(std::isnan(v));
          else CHECK(v == w);
        }
      }
    }
  }
}
