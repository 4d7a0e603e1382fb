// The embedding kernels' per-element logic on the host: bag sums (embedding_bag_value,
// bag_mean_scale) against the CPU forward, and the deterministic backward (a stable sort
// of positions by id, then one sequential segment_gradient per segment and column) against
// the CPU gradient, dense and as unique rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/rng.h"
#include "ops/cuda/embedding_math.h"
#include "ops/ops.h"

using namespace tg;
namespace cu = tg::ops::cuda;

namespace {

// What the kernels compute, with the grid replaced by loops and CUB's stable radix sort by
// std::stable_sort (both give the same permutation: ties keep position order).
struct HostBackward {
  std::vector<int64_t> sorted_ids, sorted_pos;
  explicit HostBackward(const std::vector<int64_t>& ids) : sorted_pos(ids.size()) {
    std::iota(sorted_pos.begin(), sorted_pos.end(), 0);
    std::stable_sort(sorted_pos.begin(), sorted_pos.end(), [&](int64_t a, int64_t b) { return ids[a] < ids[b]; });
    for (int64_t p : sorted_pos) sorted_ids.push_back(ids[static_cast<size_t>(p)]);
  }
};

}  // namespace

TEST_CASE("cuda embedding math: bag sums and means match the CPU forward") {
  manual_seed(51);
  const int64_t V = 30, D = 6, B = 9, L = 4;
  Tensor table = uniform({V, D}, -1, 1);
  Tensor ids = randint(0, V, {B, L});
  ids.set({2, 0}, 0);  // padding in some bags, one bag all padding
  for (int64_t l = 0; l < L; ++l) ids.set({5, l}, 0);
  for (bool mean : {false, true}) {
    auto opts = ops::EmbeddingBagOptions{.mode = mean ? ops::EmbeddingBagOptions::Mode::Mean
                                                      : ops::EmbeddingBagOptions::Mode::Sum,
                                         .padding_idx = 0};
    Tensor want = ops::embedding_bag(table, ids, opts);
    const float* t = table.data<float>();
    const int64_t* id = ids.data<int64_t>();
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t d = 0; d < D; ++d) {
        int64_t count = 0, bad = -1;
        float v = cu::embedding_bag_value(t, D, V, id, L, 0, b, d, &count, &bad);
        if (mean && count > 1) v *= cu::bag_mean_scale<float>(count);
        CHECK(bad == -1);
        CHECK(v == doctest::Approx(want.at({b, d})).epsilon(1e-6));
      }
    }
  }
  // A bad id is reported with its position.
  std::vector<int64_t> bad_ids = {1, 2, V + 3, 4};
  int64_t count = 0, bad = -1;
  (void)cu::embedding_bag_value(table.data<float>(), D, V, bad_ids.data(), 4, -1, 0, 0, &count, &bad);
  CHECK(bad == 2);
  CHECK(count == 3);
}

TEST_CASE("cuda embedding math: the sorted-segment backward matches the CPU gradient") {
  manual_seed(52);
  const int64_t V = 12, D = 5, B = 40, L = 3;
  Tensor table = uniform({V, D}, -1, 1).set_requires_grad();
  Tensor ids = randint(0, V, {B, L});  // many repeats: 120 ids over 12 rows
  Tensor dout = uniform({B, D}, -1, 1);
  for (bool mean : {false, true}) {
    CAPTURE(mean);
    table.zero_grad();
    auto opts = ops::EmbeddingBagOptions{.mode = mean ? ops::EmbeddingBagOptions::Mode::Mean
                                                      : ops::EmbeddingBagOptions::Mode::Sum,
                                         .padding_idx = 0};
    ops::embedding_bag(table, ids, opts).backward(dout);
    Tensor want = table.grad();
    // The bags' scales, as the forward stores them.
    std::vector<float> scale(B);
    for (int64_t b = 0; b < B; ++b) {
      int64_t kept = 0;
      for (int64_t l = 0; l < L; ++l) kept += ids.at({b, l}) != 0;
      scale[static_cast<size_t>(b)] = cu::bag_mean_scale<float>(kept);
    }
    HostBackward hb(ids.to_vector_as<int64_t>());
    const int64_t n = B * L;
    std::vector<float> got(static_cast<size_t>(V * D), 0.0f);
    int64_t segments = 0;
    for (int64_t k = 0; k < n; ++k) {
      if (!cu::segment_starts(hb.sorted_ids.data(), k) || hb.sorted_ids[static_cast<size_t>(k)] == 0) continue;
      ++segments;
      for (int64_t d = 0; d < D; ++d)
        got[static_cast<size_t>(hb.sorted_ids[static_cast<size_t>(k)] * D + d)] =
            cu::segment_gradient(dout.data<float>(), D, mean ? scale.data() : nullptr, hb.sorted_ids.data(),
                                 hb.sorted_pos.data(), n, L, k, d);
    }
    std::vector<int64_t> distinct = hb.sorted_ids;
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    CHECK(segments == static_cast<int64_t>(distinct.size()) - (distinct.front() == 0 ? 1 : 0));
    std::vector<double> w = want.to_vector();
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(w[i]).epsilon(1e-6));
  }
}

TEST_CASE("cuda embedding math: the radix sort covers every id") {
  CHECK(cu::id_bits(1) == 1);
  CHECK(cu::id_bits(2) == 1);
  CHECK(cu::id_bits(3) == 2);
  CHECK(cu::id_bits(1024) == 10);
  CHECK(cu::id_bits(1025) == 11);
  CHECK(cu::id_bits(int64_t{1} << 40) == 40);
  for (int64_t V : {1, 2, 3, 1000, 1 << 20}) CHECK((int64_t{1} << cu::id_bits(V)) >= V);
}
