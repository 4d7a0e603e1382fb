// Launch geometry for large tensors, checked on the host: grids stay within the hardware
// limits, the grid-stride loop covers every index exactly once, and index arithmetic past
// 2^31 elements stays exact (int64 everywhere).
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops/cuda/gemm_batch.h"
#include "ops/cuda/launch.h"
#include "ops/cuda/strided.h"

using namespace tg::ops::cuda;

TEST_CASE("cuda launch: grids within limits from 0 to 2^40 elements") {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{255}, int64_t{256}, int64_t{257}, int64_t{1} << 24,
                    (int64_t{1} << 31) - 1, int64_t{1} << 31, (int64_t{1} << 31) + 1, int64_t{3} << 31,
                    int64_t{1} << 40}) {
    Launch l = launch_for(n);
    CHECK(l.blocks >= 1);
    CHECK(static_cast<int64_t>(l.blocks) <= kMaxBlocks);
    CHECK(static_cast<int64_t>(l.blocks) <= kGridLimitX);
    CHECK(l.threads == kBlock);
    if (n > 0 && n <= kMaxBlocks * kBlock) CHECK(static_cast<int64_t>(l.blocks) * l.threads >= n);  // one pass
  }
}

TEST_CASE("cuda launch: the grid-stride loop visits [0, n) exactly once") {
  for (int64_t n : {0, 1, 5, 256, 1000, 4099}) {
    for (int64_t total : {1, 7, 256, 512}) {
      std::vector<int> seen(static_cast<size_t>(n), 0);
      for (int64_t t = 0; t < total; ++t) for_each_index(n, t, total, [&](int64_t i) { ++seen[static_cast<size_t>(i)]; });
      for (int64_t i = 0; i < n; ++i) REQUIRE(seen[static_cast<size_t>(i)] == 1);
    }
  }
}

TEST_CASE("cuda launch: more than 2^31 elements, arithmetic of the last thread") {
  const int64_t n = (int64_t{3} << 31) + 12345;
  Launch l = launch_for(n);
  const int64_t total = static_cast<int64_t>(l.blocks) * l.threads;
  // Every thread's last index is below n and one more stride would pass it: nothing is
  // skipped at the end and nothing overflows (these would be wrong in 32-bit arithmetic).
  for (int64_t t : {int64_t{0}, total / 2, total - 1}) {
    const int64_t iters = (n - t + total - 1) / total;
    const int64_t last = t + (iters - 1) * total;
    CHECK(last < n);
    CHECK(last + total >= n);
    CHECK(last > (int64_t{1} << 31));
  }
  // The first index no thread reaches in its first pass is picked up by thread 0's second.
  int64_t count = 0;
  for_each_index(n, 0, total, [&](int64_t) { ++count; });
  CHECK(count == (n + total - 1) / total);
}

TEST_CASE("cuda strided: offsets of elements past 2^31 in a broadcast, permuted view") {
  // out [3, 2^31] contiguous; in = a [2^31, 3] buffer seen transposed; b broadcast over rows.
  Strided<3> s;
  s.ndim = 2;
  s.sizes[0] = 3;
  s.sizes[1] = int64_t{1} << 31;
  s.numel = s.sizes[0] * s.sizes[1];
  s.strides[0][0] = s.sizes[1];
  s.strides[0][1] = 1;
  s.strides[1][0] = 1;
  s.strides[1][1] = 3;
  s.strides[2][0] = 0;
  s.strides[2][1] = 1;
  const int64_t i = 2 * s.sizes[1] + 1234567890;  // row 2, column 1234567890
  int64_t off[3];
  s.offsets(i, off);
  CHECK(off[0] == i);
  CHECK(off[1] == 2 + 1234567890LL * 3);
  CHECK(off[2] == 1234567890LL);
}

TEST_CASE("cuda gemm batch: strided-batched when the offsets step evenly") {
  int64_t stride = -1;
  {
    int64_t sizes[] = {4, 5}, strides[] = {5 * 12, 12};  // contiguous [4, 5, 3, 4]
    CHECK(batch_is_strided(sizes, strides, 2, &stride));
    CHECK(stride == 12);
  }
  {
    int64_t sizes[] = {4, 5}, strides[] = {0, 0};  // one matrix broadcast over the batch
    CHECK(batch_is_strided(sizes, strides, 2, &stride));
    CHECK(stride == 0);
  }
  {
    int64_t sizes[] = {4, 5}, strides[] = {12, 0};  // broadcast inside, not outside: irregular
    CHECK_FALSE(batch_is_strided(sizes, strides, 2, &stride));
  }
  {
    int64_t sizes[] = {4, 5}, strides[] = {12, 48};  // permuted batch dims
    CHECK_FALSE(batch_is_strided(sizes, strides, 2, &stride));
  }
  CHECK(batch_is_strided(nullptr, nullptr, 0, &stride));  // a single product
}
