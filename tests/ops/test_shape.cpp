// Shape ops (concat, stack, split, chunk, repeat): forward values by hand, views share
// storage, gradients by finite differences (float64) on random and non-contiguous inputs.
#include <doctest/doctest.h>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::strided_input;

namespace {

// torch.Tensor.repeat by definition: out[j...] = x[j mod size...], element by element.
std::vector<double> naive_repeat(const Tensor& x, const std::vector<int64_t>& r) {
  const int k = static_cast<int>(r.size()), lead = k - x.dim();
  Shape in = Shape::filled(k, 1), out = Shape::filled(k, 1);
  for (int i = 0; i < k; ++i) {
    if (i >= lead) in[i] = x.shape()[i - lead];
    out[i] = in[i] * r[static_cast<size_t>(i)];
  }
  std::vector<double> xs = x.contiguous().to_vector(), ys;
  Shape idx = Shape::filled(k, 0);
  for (int64_t e = 0; e < out.numel(); ++e) {
    int64_t src = 0;
    for (int i = 0; i < k; ++i) src = src * in[i] + idx[i] % in[i];
    ys.push_back(xs[static_cast<size_t>(src)]);
    for (int i = k - 1; i >= 0; --i) {
      if (++idx[i] < out[i]) break;
      idx[i] = 0;
    }
  }
  return ys;
}

}  // namespace

TEST_CASE("shape forward: concat and stack by hand") {
  Tensor a = from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  Tensor b = from_vector(std::vector<float>{5, 6}, {2, 1});
  Tensor c = ops::concat({a, b}, 1);
  CHECK(c.shape() == Shape{2, 3});
  CHECK(c.to_vector() == std::vector<double>{1, 2, 5, 3, 4, 6});
  CHECK(ops::concat({a, b.t()}, -2).to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(ops::concat({a}, 0).to_vector() == a.to_vector());
  // empty pieces are allowed
  CHECK(ops::concat({zeros({2, 0}), b, zeros({2, 0})}, 1).to_vector() == std::vector<double>{5, 6});
  // non-contiguous pieces and integer dtypes
  CHECK(ops::concat({a.t(), a.t()}, 1).to_vector() == std::vector<double>{1, 3, 1, 3, 2, 4, 2, 4});
  Tensor ids = ops::concat({tensor({1, 2}, {.dtype = kInt64}), tensor({7}, {.dtype = kInt64})}, 0);
  CHECK(ids.dtype() == kInt64);
  CHECK(ids.to_vector() == std::vector<double>{1, 2, 7});

  Tensor s0 = ops::stack({a, a * 10.0}, 0);
  CHECK(s0.shape() == Shape{2, 2, 2});
  CHECK(s0.to_vector() == std::vector<double>{1, 2, 3, 4, 10, 20, 30, 40});
  Tensor s2 = ops::stack({a, a * 10.0}, -1);
  CHECK(s2.shape() == Shape{2, 2, 2});
  CHECK(s2.to_vector() == std::vector<double>{1, 10, 2, 20, 3, 30, 4, 40});
  Tensor scalars = ops::stack({scalar_tensor(1), scalar_tensor(2), scalar_tensor(3)}, 0);
  CHECK(scalars.shape() == Shape{3});
  CHECK(scalars.to_vector() == std::vector<double>{1, 2, 3});
}

TEST_CASE("shape forward: split and chunk return views of the input") {
  Tensor x = arange(10, {.dtype = kFloat32}).reshape({2, 5});
  TensorList p = ops::split(x, 2, 1);
  REQUIRE(p.size() == 3);
  CHECK(p[0].to_vector() == std::vector<double>{0, 1, 5, 6});
  CHECK(p[1].to_vector() == std::vector<double>{2, 3, 7, 8});
  CHECK(p[2].shape() == Shape{2, 1});
  CHECK(p[2].to_vector() == std::vector<double>{4, 9});
  for (const Tensor& t : p) CHECK(t.storage() == x.storage());  // no copy

  TensorList q = ops::split(x, std::vector<int64_t>{1, 0, 4}, -1);
  REQUIRE(q.size() == 3);
  CHECK(q[0].to_vector() == std::vector<double>{0, 5});
  CHECK(q[1].shape() == Shape{2, 0});
  CHECK(q[2].to_vector() == std::vector<double>{1, 2, 3, 4, 6, 7, 8, 9});

  TensorList c = ops::chunk(x, 2, 1);  // ceil(5 / 2) = 3: sizes 3, 2
  REQUIRE(c.size() == 2);
  CHECK(c[0].shape() == Shape{2, 3});
  CHECK(c[1].to_vector() == std::vector<double>{3, 4, 8, 9});
  CHECK(ops::chunk(x, 4, 1).size() == 3);  // ceil(5 / 4) = 2: sizes 2, 2, 1, as torch.chunk
  CHECK(ops::chunk(x, 7, 0).size() == 2);
  CHECK(ops::chunk(zeros({0, 3}), 3, 0).size() == 3);
  CHECK(ops::split(zeros({0, 3}), 2, 0).size() == 1);
  TensorList rows = ops::chunk(x, 2, 0);
  CHECK(rows[1].to_vector() == std::vector<double>{5, 6, 7, 8, 9});
  CHECK(rows[1].storage() == x.storage());
}

TEST_CASE("shape forward: repeat by hand and against the definition") {
  Tensor v = tensor({1, 2});
  Tensor r = ops::repeat(v, {2, 3});
  CHECK(r.shape() == Shape{2, 6});
  CHECK(r.to_vector() == std::vector<double>{1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2});
  Tensor col = from_vector(std::vector<float>{1, 2}, {2, 1});
  CHECK(ops::repeat(col, {2, 2}).to_vector() == std::vector<double>{1, 1, 2, 2, 1, 1, 2, 2});
  CHECK(ops::repeat(v, {1}).to_vector() == std::vector<double>{1, 2});
  CHECK(ops::repeat(v, {0}).shape() == Shape{0});
  CHECK(ops::repeat(scalar_tensor(5), {3}).to_vector() == std::vector<double>{5, 5, 5});

  Tensor x = arange(6, {.dtype = kFloat64}).reshape({2, 3});
  for (const std::vector<int64_t>& reps : std::vector<std::vector<int64_t>>{
           {1, 1}, {3, 1}, {1, 2}, {2, 2}, {2, 1, 3}, {1, 2, 2, 1}}) {
    CAPTURE(fmt::format("[{}]", fmt::join(reps, ",")));
    CHECK(ops::repeat(x, reps).to_vector() == naive_repeat(x, reps));
    CHECK(ops::repeat(x.t(), reps).to_vector() == naive_repeat(x.t(), reps));  // strided input
  }
  // Five dims both tiled and of size > 2 need more than kMaxDims dims in one view: the
  // op repeats in stages instead.
  Tensor five = arange(32, {.dtype = kFloat64}).reshape({2, 2, 2, 2, 2});
  std::vector<int64_t> all2{2, 2, 2, 2, 2};
  CHECK(ops::repeat(five, all2).to_vector() == naive_repeat(five, all2));
  CHECK(ops::repeat(five.permute({4, 3, 2, 1, 0}), all2).to_vector() ==
        naive_repeat(five.permute({4, 3, 2, 1, 0}), all2));
}

TEST_CASE("shape errors name the op, the input and the shapes") {
  Tensor a = zeros({3, 4}), b = zeros({2, 4});
  CHECK_THROWS_WITH_AS(ops::concat({a, b}, 1),
                       doctest::Contains("concat: input 1 has shape [2,4] but input 0 has shape [3,4]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::concat({a, a, zeros({3, 4, 1})}, 0), doctest::Contains("concat: input 2 has shape [3,4,1]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::concat({a, zeros({3, 4}, {.dtype = kFloat64})}, 0),
                       doctest::Contains("concat: input 1 is float64 [3,4] cpu but input 0 is float32 [3,4] cpu"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::concat({}, 0), doctest::Contains("concat: needs at least one tensor"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::concat({a, a}, 2), doctest::Contains("concat: dimension 2 is out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::concat({scalar_tensor(1), scalar_tensor(2)}, 0), doctest::Contains("concat: input 0"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::stack({a, b}, 0),
                       doctest::Contains("stack: input 1 has shape [2,4] but input 0 has shape [3,4]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::split(a, 0, 1), doctest::Contains("split: split_size must be positive, got 0"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::split(a, std::vector<int64_t>{1, 2}, 1),
                       doctest::Contains("split: sizes [1,2] add up to 3 but dimension 1 of [3,4] has size 4"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::chunk(a, 0, 0), doctest::Contains("chunk: the number of chunks must be positive"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::repeat(a, {2}), doctest::Contains("repeat: 1 repeat counts [2] for float32 [3,4] cpu"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::repeat(a, {2, -1}), doctest::Contains("repeat: negative count -1"), tg::Error);
}

TEST_CASE("gradcheck concat") {
  Tensor a = input({3, 2, 4}, 1), b = input({3, 5, 4}, 2), c = input({3, 1, 4}, 3);
  CHECK(gradcheck([](const TensorList& in) { return ops::concat(in, 1); }, {a, b, c}));
  CHECK(gradcheck([](const TensorList& in) { return ops::concat({in[0], in[1]}, -1); }, {input({2, 3}, 4), input({2, 1}, 5)}));
  // The same input twice, and an input that needs no gradient.
  Tensor frozen = input({2, 4}, 6).detach();
  CHECK(gradcheck([frozen](const TensorList& in) { return ops::concat({in[0], frozen, ops::exp(in[0])}, 0); },
                  {input({3, 4}, 7)}));
}

TEST_CASE("gradcheck concat of non-contiguous inputs") {
  Tensor a = strided_input({4, 3}, 0, 1), b = strided_input({2, 3}, 1, 2), c = input({3, 4}, 3).detach().t().set_requires_grad(true);
  CHECK_FALSE(a.is_contiguous());
  CHECK_FALSE(b.is_contiguous());
  CHECK_FALSE(c.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::concat(in, 0); }, {a, b, c}));
  // the gradient itself arrives non-contiguous
  CHECK(gradcheck([](const TensorList& in) { return ops::concat(in, 0).t(); }, {a, b, c}));
}

TEST_CASE("gradcheck stack") {
  Tensor a = input({2, 3}, 1), b = strided_input({2, 3}, 0, 2), c = input({2, 3}, 3);
  CHECK(gradcheck([](const TensorList& in) { return ops::stack(in, 0); }, {a, b, c}));
  CHECK(gradcheck([](const TensorList& in) { return ops::stack(in, 1); }, {a, b, c}));
  CHECK(gradcheck([](const TensorList& in) { return ops::stack({in[0], in[1] * in[0]}, -1); }, {a, b}));
}

TEST_CASE("gradcheck split") {
  Tensor x = input({4, 7}, 11);
  // Parts reordered and scaled, one dropped: its slice of the gradient must be zero.
  CHECK(gradcheck([](const TensorList& in) {
    TensorList p = ops::split(in[0], 3, 1);
    return ops::concat({p[2] * 3.0, ops::exp(p[0])}, 1);
  }, {x}));
  CHECK(gradcheck([](const TensorList& in) {
    TensorList p = ops::split(in[0], std::vector<int64_t>{1, 3}, 0);
    return ops::mul(p[1], p[0]);
  }, {x}));
  Tensor s = strided_input({6, 3}, 1, 12);
  CHECK(gradcheck([](const TensorList& in) {
    TensorList p = ops::split(in[0], 4, 0);
    return ops::concat({p[1], p[0]}, 0);
  }, {s}));
}

TEST_CASE("gradcheck chunk") {
  Tensor x = input({5, 3}, 13);
  CHECK(gradcheck([](const TensorList& in) {
    TensorList p = ops::chunk(in[0], 3, 0);  // sizes 2, 2, 1
    return ops::concat({p[2], p[0] * p[1]}, 0);
  }, {x}));
  Tensor t = strided_input({3, 5}, 0, 14);
  CHECK(gradcheck([](const TensorList& in) {
    TensorList p = ops::chunk(in[0], 2, -1);
    return ops::concat({p[1], ops::square(p[0])}, 1);
  }, {t}));
}

TEST_CASE("gradcheck repeat") {
  Tensor x = input({2, 3}, 15);
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {2, 3}); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {3, 1, 2}); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {1, 1}); }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {4, 1}); }, {input({1, 3}, 16)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {2, 2}); }, {strided_input({3, 2}, 0, 17)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {2, 2, 2}); }, {strided_input({2, 2}, 1, 18)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {2, 2, 2, 2, 2}); }, {input({2, 2, 2, 2, 2}, 19)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::repeat(in[0], {0, 2}); }, {x}));
}

TEST_CASE("split pieces used twice accumulate into one gradient") {
  Tensor x = ones({2, 4}, {.dtype = kFloat64, .requires_grad = true});
  TensorList p = ops::split(x, 2, 1);
  ops::sum(ops::concat({p[0], p[0], p[1] * 3.0}, 1)).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{2, 2, 3, 3, 2, 2, 3, 3});
}
