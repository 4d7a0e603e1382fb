// Selection ops: max/min (all, over a dim, with masks), argmax/argmin, gather, index_select,
// scatter_add. Forward values by hand (masked rows, all-masked rows, ties), gradients by
// finite differences in float64 on tie-free inputs (a scaled random permutation, so no two
// elements are within eps of each other), non-contiguous inputs, and the error messages.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <climits>
#include <numeric>
#include <vector>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;

namespace {

// A float64 leaf holding a random permutation of 0..n-1, scaled to [-1, 1): no ties, and
// every gap (2/n) far above gradcheck's eps. With `transposed`, the leaf is the transpose of
// a contiguous [.., last, second-last] tensor, so ops see real strides.
Tensor perm_input(const Shape& shape, uint64_t seed, bool transposed = false) {
  int64_t n = shape.numel();
  std::vector<double> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0.0);
  Generator gen(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(v[i], v[gen.next_below(i + 1)]);
  for (double& e : v) e = 2.0 * e / static_cast<double>(n) - 1.0;
  if (!transposed) return from_vector(v, shape).set_requires_grad(true);
  Shape swapped = shape;
  std::swap(swapped[swapped.size() - 1], swapped[swapped.size() - 2]);
  return from_vector(v, swapped).transpose(-1, -2).set_requires_grad(true);
}

Tensor bool_mask(const std::vector<int64_t>& bits, const Shape& shape) {
  return from_vector(bits, shape).to(kBool);
}

Tensor ids(const std::vector<int64_t>& v, const Shape& shape) { return from_vector(v, shape); }

std::vector<int64_t> as_ints(const Tensor& t) { return t.to_vector_as<int64_t>(); }

}  // namespace

// ---- forward by hand --------------------------------------------------------------------

TEST_CASE("select forward: max and min over all elements") {
  Tensor x = from_vector(std::vector<double>{3, -1, 7, 2, 7, 0}, {2, 3});
  CHECK(ops::max(x).item() == 7);
  CHECK(ops::min(x).item() == -1);
  CHECK(ops::max(x).shape() == Shape{});
  CHECK(ops::max(arange(5)).item() == 4);  // integer tensors select too
  CHECK(ops::min(x.t()).item() == -1);
  CHECK(std::isnan(ops::max(tensor({1.0, NAN, 3.0})).item()));  // NaN propagates
}

TEST_CASE("select forward: max/min over a dim with indices, keepdim, first index on ties") {
  Tensor x = from_vector(std::vector<float>{1, 5, 5, 2, 9, 0, 4, 9, -3, 8, 8, 1}, {3, 4});
  ops::MaxResult r = ops::max(x, 1);
  CHECK(r.values.shape() == Shape{3});
  CHECK(r.values.to_vector() == std::vector<double>{5, 9, 8});
  CHECK(as_ints(r.indices) == std::vector<int64_t>{1, 0, 1});  // ties: first index
  CHECK(r.indices.dtype() == kInt64);
  ops::MaxResult c = ops::min(x, 0, true);
  CHECK(c.values.shape() == Shape{1, 4});
  CHECK(c.values.to_vector() == std::vector<double>{-3, 0, 4, 1});
  CHECK(as_ints(c.indices) == std::vector<int64_t>{2, 1, 1, 2});
  CHECK(as_ints(ops::argmax(x, 0)) == std::vector<int64_t>{1, 2, 2, 1});
  CHECK(as_ints(ops::argmin(x, -1, true)) == std::vector<int64_t>{0, 1, 0});
  CHECK(ops::argmin(x, -1, true).shape() == Shape{3, 1});
  // a non-contiguous input and a 3-D middle dim (inner > 1)
  CHECK(as_ints(ops::argmax(x.t(), 1)) == std::vector<int64_t>{1, 2, 2, 1});
  Tensor y = arange(24, {.dtype = kFloat64}).reshape({2, 3, 4});
  CHECK(ops::max(y, 1).values.to_vector() == std::vector<double>{8, 9, 10, 11, 20, 21, 22, 23});
  CHECK(as_ints(ops::min(y, 1).indices) == std::vector<int64_t>(8, 0));
}

TEST_CASE("select forward: max and min with a mask, masked rows and an all-masked row") {
  // Hardest-triplet mining on a distance matrix: hardest positive = max over positives,
  // hardest negative = min over negatives.
  Tensor dist = from_vector(std::vector<double>{0.0, 0.7, 0.2, 0.9,
                                                0.7, 0.0, 0.5, 0.1,
                                                0.2, 0.5, 0.0, 0.3},
                            {3, 4});
  Tensor pos = bool_mask({0, 0, 1, 0,
                          1, 0, 0, 1,
                          0, 0, 0, 0},
                         {3, 4});
  ops::MaxResult hp = ops::max(dist, 1, false, pos);
  CHECK(hp.values.to_vector() == std::vector<double>{0.2, 0.7, 0.0});
  CHECK(as_ints(hp.indices) == std::vector<int64_t>{2, 0, -1});  // row 2: nothing left
  Tensor neg = ops::logical_not(pos);
  ops::MaxResult hn = ops::min(dist, 1, false, neg);
  CHECK(hn.values.to_vector() == std::vector<double>{0.0, 0.0, 0.0});
  CHECK(as_ints(hn.indices) == std::vector<int64_t>{0, 1, 2});
  // excluding the diagonal changes the hardest negative
  Tensor off_diag = bool_mask({0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1}, {3, 4});
  ops::MaxResult hn2 = ops::min(dist, 1, true, ops::logical_and(neg, off_diag));
  CHECK(hn2.values.to_vector() == std::vector<double>{0.7, 0.5, 0.2});
  CHECK(hn2.values.shape() == Shape{3, 1});
  CHECK(as_ints(hn2.indices) == std::vector<int64_t>{1, 2, 0});
  // a broadcast mask (one row for all), uint8, over dim 0 (the column path)
  Tensor cols = from_vector(std::vector<int64_t>{1, 0, 1, 0}, {4}).to(kUInt8);
  ops::MaxResult m0 = ops::max(dist, 0, false, cols);
  CHECK(m0.values.to_vector() == std::vector<double>{0.7, 0.0, 0.5, 0.0});
  CHECK(as_ints(m0.indices) == std::vector<int64_t>{1, -1, 1, -1});
  CHECK(as_ints(ops::argmin(dist, 0, false, cols)) == std::vector<int64_t>{0, -1, 2, -1});
  // masked-out positions are excluded even when they would win, and even when NaN
  Tensor withnan = from_vector(std::vector<double>{NAN, 1, 2}, {1, 3});
  Tensor keep = bool_mask({0, 1, 1}, {1, 3});
  CHECK(ops::max(withnan, 1, false, keep).values.item() == 2);
  CHECK(std::isnan(ops::max(withnan, 1).values.item()));
  CHECK(as_ints(ops::max(withnan, 1).indices) == std::vector<int64_t>{0});
  // negative-infinity values and the lowest ints are still found under a mask
  Tensor ninf = from_vector(std::vector<double>{-INFINITY, -INFINITY, 5}, {1, 3});
  CHECK(as_ints(ops::argmax(ninf, 1, false, bool_mask({1, 1, 0}, {1, 3}))) == std::vector<int64_t>{0});
  Tensor low = from_vector(std::vector<int64_t>{INT64_MIN, 3}, {1, 2});
  CHECK(as_ints(ops::argmax(low, 1, false, bool_mask({1, 0}, {1, 2}))) == std::vector<int64_t>{0});
}

TEST_CASE("select forward: gather, index_select and scatter_add by hand") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor g1 = ops::gather(x, 1, ids({2, 0, 1, 1}, {2, 2}));
  CHECK(g1.shape() == Shape{2, 2});
  CHECK(g1.to_vector() == std::vector<double>{3, 1, 5, 5});
  Tensor g0 = ops::gather(x, 0, ids({1, 0}, {1, 2}));  // index smaller than x in dim 1
  CHECK(g0.to_vector() == std::vector<double>{4, 2});
  CHECK(ops::gather(x.t(), 0, ids({1, 2}, {2, 1})).to_vector() == std::vector<double>{2, 3});
  CHECK(ops::gather(arange(6).reshape({2, 3}), 1, ids({2, 2}, {2, 1})).to_vector() == std::vector<double>{2, 5});

  CHECK(ops::index_select(x, 0, ids({1, 1, 0}, {3})).to_vector() == std::vector<double>{4, 5, 6, 4, 5, 6, 1, 2, 3});
  Tensor s1 = ops::index_select(x, 1, from_vector(std::vector<int32_t>{2, 0}, {2}));
  CHECK(s1.shape() == Shape{2, 2});
  CHECK(s1.to_vector() == std::vector<double>{3, 1, 6, 4});
  CHECK(ops::index_select(x.t(), 0, ids({2}, {1})).to_vector() == std::vector<double>{3, 6});
  CHECK(ops::index_select(x, 0, ids({}, {0})).shape() == Shape{0, 3});

  Tensor base = zeros({2, 3}, {.dtype = kFloat64});
  Tensor src = from_vector(std::vector<double>{10, 20, 30, 40}, {2, 2});
  Tensor sa = ops::scatter_add(base, 1, ids({0, 0, 2, 1}, {2, 2}), src);
  CHECK(sa.to_vector() == std::vector<double>{30, 0, 0, 0, 40, 30});  // repeated index accumulates
  Tensor sb = ops::scatter_add(x, 0, ids({1, 0, 1}, {1, 3}), src.reshape({1, 4}));  // src larger than index
  CHECK(sb.to_vector() == std::vector<double>{1, 22, 3, 14, 5, 36});
  CHECK(x.to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6});  // x untouched
}

TEST_CASE("select: large inputs take the threaded paths and agree with a serial reference") {
  Generator gen(5);
  Tensor x = randn({600, 300}, {.dtype = kFloat32}, &gen);
  Tensor mask = ops::gt(randn({600, 300}, {}, &gen), 0.5);
  std::vector<float> xv = x.to_vector_as<float>();
  std::vector<double> mv = mask.to_vector();
  std::vector<int64_t> am = as_ints(ops::argmax(x, 1, false, mask));
  std::vector<int64_t> an = as_ints(ops::argmin(x, 0, false, mask));
  bool rows_ok = true, cols_ok = true;
  for (int64_t i = 0; i < 600; ++i) {
    int64_t best = -1;
    for (int64_t j = 0; j < 300; ++j)
      if (mv[i * 300 + j] != 0 && (best < 0 || xv[i * 300 + j] > xv[i * 300 + best])) best = j;
    rows_ok = rows_ok && best == am[i];
  }
  for (int64_t j = 0; j < 300; ++j) {
    int64_t best = -1;
    for (int64_t i = 0; i < 600; ++i)
      if (mv[i * 300 + j] != 0 && (best < 0 || xv[i * 300 + j] < xv[best * 300 + j])) best = i;
    cols_ok = cols_ok && best == an[j];
  }
  CHECK(rows_ok);
  CHECK(cols_ok);
  CHECK(ops::max(x).item() == doctest::Approx(*std::max_element(xv.begin(), xv.end())));
  CHECK(ops::min(x).item() == doctest::Approx(*std::min_element(xv.begin(), xv.end())));

  // gather / scatter_add / index_select and its backward against serial loops
  Tensor idx = randint(0, 300, {600, 300}, {.dtype = kInt64}, &gen);
  std::vector<int64_t> iv = as_ints(idx);
  std::vector<float> gv = ops::gather(x, 1, idx).to_vector_as<float>();
  std::vector<double> counts(600 * 300, 0.0);
  bool gather_ok = true;
  for (int64_t i = 0; i < 600; ++i)
    for (int64_t j = 0; j < 300; ++j) {
      gather_ok = gather_ok && gv[i * 300 + j] == xv[i * 300 + iv[i * 300 + j]];
      counts[i * 300 + iv[i * 300 + j]] += 1;
    }
  CHECK(gather_ok);
  CHECK(ops::scatter_add(zeros({600, 300}, {.dtype = kFloat64}), 1, idx, ones({600, 300}, {.dtype = kFloat64}))
            .to_vector() == counts);
  Tensor rows = randint(0, 600, {2000}, {.dtype = kInt64}, &gen);
  std::vector<int64_t> rv = as_ints(rows);
  Tensor w = x.detach().to(kFloat64).set_requires_grad(true);
  Tensor picked = ops::index_select(w, 0, rows);
  CHECK(picked.shape() == Shape{2000, 300});
  CHECK(picked.at({1234, 56}) == xv[rv[1234] * 300 + 56]);
  ops::sum(picked).backward();
  std::vector<double> hits(600, 0.0);
  for (int64_t r : rv) hits[r] += 1;
  bool grad_ok = true;
  for (int64_t i = 0; i < 600; ++i)
    grad_ok = grad_ok && w.grad().at({i, 7}) == hits[i] && w.grad().at({i, 299}) == hits[i];
  CHECK(grad_ok);
}

// ---- gradients by hand ------------------------------------------------------------------

TEST_CASE("select backward by hand: ties split evenly over all, first index over a dim") {
  Tensor x = tensor({1.0, 3.0, 3.0, 2.0}, {.dtype = kFloat64, .requires_grad = true});
  ops::max(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0.5, 0.5, 0});
  x.zero_grad();
  ops::mul(ops::min(x), 4.0).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{4, 0, 0, 0});
  x.zero_grad();
  ops::sum(ops::max(x.reshape({1, 4}), 1).values).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 1, 0, 0});  // the selected (first) one only
}

TEST_CASE("select backward by hand: an all-masked row gets no gradient, not NaN") {
  Tensor x = from_vector(std::vector<double>{0.1, 0.9, 0.4, 0.3, 0.8, 0.2}, {2, 3}).set_requires_grad(true);
  Tensor mask = bool_mask({1, 0, 1, 0, 0, 0}, {2, 3});
  ops::MaxResult r = ops::max(x, 1, false, mask);
  CHECK(r.values.to_vector() == std::vector<double>{0.4, 0.0});
  CHECK(as_ints(r.indices) == std::vector<int64_t>{2, -1});
  ops::sum(ops::mul(r.values, tensor({2.0, 3.0}, {.dtype = kFloat64}))).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0, 2, 0, 0, 0});
  x.zero_grad();
  ops::sum(ops::min(x, 0, true, bool_mask({0, 0, 0}, {3})).values).backward();  // every column masked
  CHECK(x.grad().to_vector() == std::vector<double>(6, 0.0));
}

// ---- gradchecks (float64, tie-free inputs) ---------------------------------------------------

TEST_CASE("gradcheck max over a dim") {
  Tensor x = perm_input({3, 4, 5}, 1);
  CHECK(gradcheck([](const TensorList& in) { return ops::max(in[0], 1).values; }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::max(in[0], -1, true).values; }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::max(in[0], 0).values; }, {x}));
}

TEST_CASE("gradcheck min over a dim") {
  Tensor x = perm_input({4, 6}, 2);
  CHECK(gradcheck([](const TensorList& in) { return ops::min(in[0], 1).values; }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::min(in[0], 0, true).values; }, {x}));
}

TEST_CASE("gradcheck max over a dim on non-contiguous inputs") {
  Tensor x = perm_input({5, 4}, 3, true);
  CHECK_FALSE(x.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::max(in[0], 1).values; }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::min(in[0], 0).values; }, {x}));
}

TEST_CASE("gradcheck max with a mask") {
  Tensor x = perm_input({4, 5}, 4);
  // row 3 is all masked out: value 0 and no gradient, which finite differences agree with
  Tensor mask = bool_mask({1, 0, 1, 1, 0,
                           0, 1, 0, 0, 0,
                           1, 1, 1, 1, 1,
                           0, 0, 0, 0, 0},
                          {4, 5});
  CHECK(gradcheck([mask](const TensorList& in) { return ops::max(in[0], 1, false, mask).values; }, {x}));
  CHECK(gradcheck([mask](const TensorList& in) { return ops::max(in[0], 0, true, mask).values; }, {x}));
  Tensor cols = bool_mask({0, 1, 1, 0, 1}, {5});  // broadcast over rows
  CHECK(gradcheck([cols](const TensorList& in) { return ops::max(in[0], 1, false, cols).values; }, {x}));
  Tensor xt = perm_input({4, 5}, 5, true);
  CHECK(gradcheck([mask](const TensorList& in) { return ops::max(in[0], 1, false, mask).values; }, {xt}));
}

TEST_CASE("gradcheck min with a mask") {
  Tensor x = perm_input({3, 2, 4}, 6);
  Tensor mask = from_vector(std::vector<int64_t>{1, 0, 0, 1,
                                                 0, 0, 0, 0,
                                                 0, 1, 1, 1,
                                                 1, 0, 1, 0,
                                                 0, 0, 0, 0,
                                                 0, 0, 1, 0},
                            {3, 2, 4})
                     .to(kUInt8);
  CHECK(gradcheck([mask](const TensorList& in) { return ops::min(in[0], 2, false, mask).values; }, {x}));
  CHECK(gradcheck([mask](const TensorList& in) { return ops::min(in[0], 1, false, mask).values; }, {x}));
  Tensor m2 = bool_mask({1, 0, 0, 1, 0, 1, 1, 0}, {2, 4});  // broadcast over dim 0
  CHECK(gradcheck([m2](const TensorList& in) { return ops::min(in[0], 0, false, m2).values; }, {x}));
}

TEST_CASE("gradcheck max over all and min over all") {
  Tensor x = perm_input({3, 5}, 7);
  CHECK(gradcheck([](const TensorList& in) { return ops::max(in[0]); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::min(in[0]); }, {x}));
  Tensor xt = perm_input({3, 5}, 8, true);
  CHECK(gradcheck([](const TensorList& in) { return ops::max(in[0]); }, {xt}));
}

TEST_CASE("gradcheck hardest-triplet mining: max over positives minus min over negatives") {
  Tensor emb = tg::testing::input({5, 3}, 9);
  Tensor pos = bool_mask({0, 1, 0, 0, 0,
                          1, 0, 0, 0, 1,
                          0, 0, 0, 1, 0,
                          0, 0, 1, 0, 0,
                          0, 1, 0, 0, 0},
                         {5, 5});
  Tensor neg = ops::logical_and(ops::logical_not(pos), ops::logical_not(ops::eq(arange(5).reshape({5, 1}), arange(5))));
  CHECK(gradcheck([pos, neg](const TensorList& in) {
    Tensor d = ops::matmul(in[0], in[0].t());
    Tensor hardest_pos = ops::max(d, 1, false, pos).values;
    Tensor hardest_neg = ops::min(d, 1, false, neg).values;
    return ops::relu(ops::add(ops::sub(hardest_neg, hardest_pos), 0.3));
  }, {emb}));
}

TEST_CASE("gradcheck gather") {
  Tensor x = tg::testing::input({3, 5}, 10);
  Tensor i1 = ids({4, 0, 4, 2, 1, 1, 3, 0, 2, 2, 4, 0}, {3, 4});  // repeats accumulate
  CHECK(gradcheck([i1](const TensorList& in) { return ops::gather(in[0], 1, i1); }, {x}));
  Tensor i0 = ids({2, 0, 1, 2, 0, 0}, {2, 3});  // smaller than x in dim 1
  CHECK(gradcheck([i0](const TensorList& in) { return ops::gather(in[0], 0, i0); }, {x}));
  Tensor xs = tg::testing::strided_input({5, 3}, 0, 11);
  CHECK_FALSE(xs.is_contiguous());
  CHECK(gradcheck([i0](const TensorList& in) { return ops::gather(in[0], 1, i0); }, {xs}));
  Tensor x3 = tg::testing::input({2, 3, 4}, 12);
  Tensor i3 = ids({1, 2, 0, 1, 1, 1, 0, 2}, {2, 2, 2});
  CHECK(gradcheck([i3](const TensorList& in) { return ops::gather(in[0], 1, i3); }, {x3}));
}

TEST_CASE("gradcheck index_select with repeated indices") {
  Tensor x = tg::testing::input({4, 3}, 13);
  Tensor rep = ids({3, 0, 3, 3, 1}, {5});
  CHECK(gradcheck([rep](const TensorList& in) { return ops::index_select(in[0], 0, rep); }, {x}));
  Tensor cols = from_vector(std::vector<int32_t>{2, 2, 0}, {3});
  CHECK(gradcheck([cols](const TensorList& in) { return ops::index_select(in[0], 1, cols); }, {x}));
  Tensor xs = tg::testing::strided_input({4, 3}, 1, 14);
  CHECK_FALSE(xs.is_contiguous());
  CHECK(gradcheck([rep](const TensorList& in) { return ops::index_select(in[0], 0, rep); }, {xs}));
  Tensor x3 = tg::testing::input({2, 4, 3}, 15);
  CHECK(gradcheck([rep](const TensorList& in) { return ops::index_select(in[0], 1, rep); }, {x3}));
}

TEST_CASE("gradcheck scatter_add") {
  Tensor x = tg::testing::input({3, 5}, 16);
  Tensor src = tg::testing::input({3, 4}, 17);
  Tensor i1 = ids({4, 0, 4, 2, 1, 1, 3, 0, 2, 2, 4, 0}, {3, 4});
  CHECK(gradcheck([i1](const TensorList& in) { return ops::scatter_add(in[0], 1, i1, in[1]); }, {x, src}));
  Tensor i0 = ids({2, 0, 2, 1, 0, 0}, {2, 3});  // src larger than index: the rest gets no gradient
  CHECK(gradcheck([i0](const TensorList& in) { return ops::scatter_add(in[0], 0, i0, in[1]); }, {x, src}));
  Tensor xs = tg::testing::strided_input({3, 5}, 1, 18);
  Tensor ss = tg::testing::strided_input({3, 4}, 0, 19);
  CHECK_FALSE(xs.is_contiguous());
  CHECK_FALSE(ss.is_contiguous());
  CHECK(gradcheck([i1](const TensorList& in) { return ops::scatter_add(in[0], 1, i1, in[1]); }, {xs, ss}));
}

// ---- errors ----------------------------------------------------------------------------------

TEST_CASE("select errors name the op, the shapes and the bad index") {
  Tensor x = zeros({2, 4}, {.dtype = kFloat64});
  CHECK_THROWS_WITH_AS(ops::max(x, 2), doctest::Contains("max: dimension 2 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::argmin(x, -3), doctest::Contains("argmin: dimension -3 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::max(zeros({0})), doctest::Contains("max: float32 [0] cpu has no elements"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::min(zeros({3, 0}), 1), doctest::Contains("min: dimension 1 of [3,0] is empty"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::argmax(ones({3}).to(kBool), 0), doctest::Contains("argmax: needs a numeric tensor"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::max(x, 1, false, ones({2, 4})), doctest::Contains("max: the mask must be bool/uint8"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::min(x, 1, false, bool_mask({1, 0, 1}, {3})),
                       doctest::Contains("min: mask [3] does not broadcast to the input's shape [2,4]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::max(x, 1, false, ones({3, 2, 4}).to(kBool)),
                       doctest::Contains("max: mask [3,2,4] does not broadcast"), tg::Error);

  CHECK_THROWS_WITH_AS(ops::gather(x, 1, from_vector(std::vector<int32_t>{0, 1}, {2, 1})),
                       doctest::Contains("gather: the index must be int64, got int32 [2,1]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::gather(x, 1, ids({0, 4}, {2, 1})),
                       doctest::Contains("gather: index 4 is out of range for dimension 1 of size 4"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::gather(x, 0, ids({-1}, {1, 1})),
                       doctest::Contains("gather: index -1 is out of range for dimension 0 of size 2"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::gather(x, 1, ids({0, 1}, {2})),
                       doctest::Contains("gather: index [2] must have as many dimensions as the input [2,4]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::gather(x, 1, ids({0, 0, 0}, {3, 1})),
                       doctest::Contains("gather: index [3,1] is larger than the input [2,4] in dimension 0"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::gather(x, 2, ids({0}, {1, 1})), doctest::Contains("gather: dimension 2 is out of range"),
                       tg::Error);

  CHECK_THROWS_WITH_AS(ops::index_select(x, 0, ids({0, 7}, {2})),
                       doctest::Contains("index_select: index 7 is out of range for dimension 0 of size 2"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::index_select(x, 1, ids({0, 1}, {1, 2})),
                       doctest::Contains("index_select: the index must be 1-D"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::index_select(x, 1, tensor({0.0, 1.0})),
                       doctest::Contains("index_select: the index must be int64 or int32, got float32"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::index_select(x, 1, from_vector(std::vector<int32_t>{-2}, {1})),
                       doctest::Contains("index_select: index -2 is out of range for dimension 1 of size 4"),
                       tg::Error);

  Tensor src = ones({2, 2}, {.dtype = kFloat64});
  CHECK_THROWS_WITH_AS(ops::scatter_add(x, 1, ids({0, 1, 2, 3}, {2, 2}), ones({2, 2})),
                       doctest::Contains("scatter_add: dtypes differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::scatter_add(x, 1, ids({0, 1, 2}, {1, 3}), src),
                       doctest::Contains("scatter_add: index [1,3] is larger than src [2,2] in dimension 1"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::scatter_add(x, 1, ids({0, 9}, {1, 2}), src),
                       doctest::Contains("scatter_add: index 9 is out of range for dimension 1 of size 4"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::scatter_add(x, 0, ids({0, 1}, {1, 2}).to(kInt32), src),
                       doctest::Contains("scatter_add: the index must be int64"), tg::Error);
}

TEST_CASE("select: overwriting a saved index in place before backward is an error, not a wrong gradient") {
  Tensor x = tg::testing::input({2, 3}, 20);
  Tensor idx = ids({0, 2}, {2, 1});
  Tensor y = ops::gather(x, 1, idx);
  idx.set({0, 0}, 1);
  CHECK_THROWS_WITH_AS(ops::sum(y).backward(),
                       doctest::Contains("backward of gather: the saved tensor int64 [2,1] cpu was modified in place"), tg::Error);
}

TEST_CASE("select: empty tensors give empty results without touching memory") {
  Tensor e = zeros({3, 0}, {.dtype = kFloat64});
  CHECK(ops::max(e, 0).values.shape() == Shape{0});
  CHECK(ops::argmin(e, 0, true).shape() == Shape{1, 0});
  CHECK(ops::max(zeros({0, 4}), 1).values.shape() == Shape{0});
  CHECK(ops::max(zeros({2, 0, 3}), 2, false, ones({3}).to(kBool)).indices.shape() == Shape{2, 0});
  CHECK(ops::gather(zeros({2, 3}), 1, ids({}, {2, 0})).shape() == Shape{2, 0});
  CHECK(ops::gather(zeros({2, 3}), 0, ids({}, {0, 3})).shape() == Shape{0, 3});
  CHECK(ops::index_select(zeros({0, 3}), 1, ids({2, 0}, {2})).shape() == Shape{0, 2});
  CHECK(ops::scatter_add(ones({2, 3}), 1, ids({}, {2, 0}), ones({2, 3})).to_vector() == std::vector<double>(6, 1.0));
  Tensor x = tg::testing::input({2, 0}, 21);
  ops::sum(ops::max(x, 0).values).backward();
  CHECK(x.grad().shape() == Shape{2, 0});
  // a 0-d input: max over dim 0 is the value itself, index 0
  ops::MaxResult s = ops::max(scalar_tensor(2.5), 0);
  CHECK(s.values.shape() == Shape{});
  CHECK(s.values.item() == 2.5);
  CHECK(s.indices.item() == 0);
}
