// Linear algebra: products against a naive triple loop in float64, the same results for
// transposed / permuted / sliced / expanded views (GEMM transpose flags and copies), the
// torch.matmul shape rules, finite-difference gradients per op, and error messages.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::max_abs_diff;
using tg::testing::strided_input;

namespace {

Tensor rnd(const Shape& shape, uint64_t seed, DType dtype = kFloat64) {
  Generator gen(seed);
  return uniform(shape, -1.0, 1.0, {.dtype = dtype}, &gen);
}

// Batched matrix product by triple loops: a [..., M, K] x b [..., K, N] with broadcast batch
// dims, in float64 whatever the inputs' dtype.
Tensor naive_product(const Tensor& a, const Tensor& b) {
  NoGradGuard no_grad;
  Shape ba(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
  Shape batch = ops::broadcast_shapes(ba, bb, "naive");
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Shape sa = batch, sb = batch, so = batch;
  sa.push_back(m), sa.push_back(k), sb.push_back(k), sb.push_back(n), so.push_back(m), so.push_back(n);
  std::vector<double> va = a.expand(sa).to_vector(), vb = b.expand(sb).to_vector();
  std::vector<double> out(static_cast<size_t>(so.numel()), 0.0);
  for (int64_t t = 0; t < batch.numel(); ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += va[(t * m + i) * k + p] * vb[(t * k + p) * n + j];
        out[(t * m + i) * n + j] = s;
      }
  return from_vector(out, so);
}

double diff64(const Tensor& got, const Tensor& want) { return max_abs_diff(got.to(kFloat64), want); }

}  // namespace

// ---- forward --------------------------------------------------------------------------------

TEST_CASE("matmul forward: values by hand and torch.matmul shape rules") {
  Tensor a = from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  Tensor b = from_vector(std::vector<float>{5, 6, 7, 8}, {2, 2});
  CHECK(ops::matmul(a, b).to_vector() == std::vector<double>{19, 22, 43, 50});
  Tensor u = tensor({1, 2, 3}), v = tensor({4, 5, 6});
  Tensor dot = ops::matmul(u, v);
  CHECK(dot.dim() == 0);
  CHECK(dot.item() == 32);
  Tensor m23 = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(ops::matmul(m23, u).shape() == Shape{2});
  CHECK(ops::matmul(m23, u).to_vector() == std::vector<double>{14, 32});
  CHECK(ops::matmul(tensor({1, 1}), m23).to_vector() == std::vector<double>{5, 7, 9});
  CHECK(ops::matmul(zeros({5, 2, 3}), u).shape() == Shape{5, 2});
  CHECK(ops::matmul(u, zeros({4, 3, 2})).shape() == Shape{4, 2});
  CHECK(ops::matmul(zeros({2, 1, 3, 4}), zeros({5, 4, 6})).shape() == Shape{2, 5, 3, 6});
  CHECK(ops::matmul(zeros({3, 4}), zeros({7, 4, 6})).shape() == Shape{7, 3, 6});
  CHECK(ops::outer(tensor({1, 2}), tensor({3, 4, 5})).to_vector() == std::vector<double>{3, 4, 5, 6, 8, 10});
}

TEST_CASE("matmul forward: 2-D against a naive triple loop in float64 and float32") {
  for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{{1, 1, 1}, {5, 7, 3}, {17, 1, 9}, {1, 30, 1}, {33, 65, 70}}) {
    CAPTURE(m);
    CAPTURE(k);
    CAPTURE(n);
    Tensor a = rnd({m, k}, 1), b = rnd({k, n}, 2);
    CHECK(max_abs_diff(ops::matmul(a, b), naive_product(a, b)) < 1e-12);
    Tensor af = a.to(kFloat32), bf = b.to(kFloat32);
    Tensor cf = ops::matmul(af, bf);
    CHECK(cf.dtype() == kFloat32);
    CHECK(diff64(cf, naive_product(af, bf)) < 1e-4);
  }
  // Large enough for OpenBLAS to thread the product itself.
  Tensor a = rnd({150, 200}, 3), b = rnd({200, 120}, 4);
  CHECK(max_abs_diff(ops::matmul(a, b), naive_product(a, b)) < 1e-11);
}

TEST_CASE("matmul forward: transposed, permuted, sliced and expanded inputs give the same result") {
  Tensor a = rnd({6, 5}, 5), b = rnd({5, 4}, 6);
  Tensor want = naive_product(a, b);
  Tensor at = rnd({5, 6}, 5).t().contiguous();  // fresh values; build views of them below
  Tensor a_t = at.t().contiguous().t();         // [6,5] view with strides (1, 6): CblasTrans
  CHECK_FALSE(a_t.is_contiguous());
  CHECK(max_abs_diff(ops::matmul(a_t, b), naive_product(a_t, b)) < 1e-12);
  Tensor b_t = b.t().contiguous().t();
  CHECK(max_abs_diff(ops::matmul(a, b_t), want) < 1e-12);
  CHECK(max_abs_diff(ops::matmul(a.t().contiguous().t(), b_t), want) < 1e-12);
  // Row step (lda = 2K, no copy), column step (copied), narrowed columns (lda > K).
  Tensor big = rnd({12, 10}, 7);
  Tensor rows2 = big.slice(0, 0, 12, 2).narrow(1, 0, 5);
  Tensor cols2 = big.narrow(0, 0, 6).slice(1, 0, 10, 2);
  Tensor both = big.slice(0, 1, 12, 2).slice(1, 1, 10, 2);
  for (const Tensor& x : {rows2, cols2, both}) {
    CHECK(x.shape() == Shape{6, 5});
    CHECK(max_abs_diff(ops::matmul(x, b), naive_product(x.contiguous(), b)) < 1e-12);
    CHECK(max_abs_diff(ops::matmul(x.t().contiguous(), x), naive_product(x.t().contiguous(), x.contiguous())) < 1e-12);
  }
  // Stride-0 operands: an expanded row and an expanded column.
  Tensor row = rnd({1, 5}, 8).expand({6, 5}), col = rnd({5, 1}, 9).expand({5, 4});
  CHECK(max_abs_diff(ops::matmul(row, col), naive_product(row.contiguous(), col.contiguous())) < 1e-12);
  // Batched: permuted batch dims, per-matrix transposes, a batch stepped by slicing.
  Tensor x = rnd({3, 4, 5}, 10), y = rnd({3, 5, 2}, 11);
  Tensor xp = rnd({4, 3, 5}, 12).permute({1, 0, 2});  // [3,4,5], batch stride 5
  Tensor xt = rnd({3, 5, 4}, 13).transpose(-1, -2);   // per-matrix transposed
  Tensor ys = rnd({6, 5, 2}, 14).slice(0, 0, 6, 2);   // every other matrix
  CHECK(max_abs_diff(ops::matmul(xp, y), naive_product(xp, y)) < 1e-12);
  CHECK(max_abs_diff(ops::matmul(xt, y), naive_product(xt, y)) < 1e-12);
  CHECK(max_abs_diff(ops::matmul(x, ys), naive_product(x, ys)) < 1e-12);
  CHECK(max_abs_diff(ops::bmm(xt, ys), naive_product(xt, ys)) < 1e-12);
  // 1-D operands with a step and an expanded (stride-0) vector.
  Tensor v = rnd({10}, 15).slice(0, 0, 10, 2), s = rnd({1}, 16).expand({5});
  CHECK(ops::matmul(v, s).item() == doctest::Approx(naive_product(v.unsqueeze(0), s.unsqueeze(1)).item()));
}

TEST_CASE("matmul forward: batched with broadcast batch dims against a naive loop") {
  struct Case {
    Shape a, b;
  };
  for (const Case& c : std::vector<Case>{{{2, 3, 4, 5}, {5, 6}},          // one GEMM over all rows
                                         {{2, 1, 4, 5}, {3, 5, 6}},       // broadcast both ways
                                         {{4, 5}, {3, 5, 6}},             // a shared
                                         {{2, 3, 1, 5}, {1, 5, 7}},       // M = 1 batch folds
                                         {{64, 8, 8}, {64, 8, 8}},        // small: threads over the batch
                                         {{1, 4, 5}, {3, 5, 2}}}) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    Tensor a = rnd(c.a, 20), b = rnd(c.b, 21);
    CHECK(max_abs_diff(ops::matmul(a, b), naive_product(a, b)) < 1e-12);
    CHECK(diff64(ops::matmul(a.to(kFloat32), b.to(kFloat32)), naive_product(a, b)) < 1e-4);
  }
  // A permuted stack whose batch and row dims fold only as a transposed matrix.
  Tensor ap = rnd({5, 2, 3}, 22).permute({1, 2, 0});  // [2,3,5], strides (3,1,6)
  Tensor w = rnd({5, 4}, 23);
  CHECK(max_abs_diff(ops::matmul(ap, w), naive_product(ap, w)) < 1e-12);
  // Batch dims that do not fold: sliced batch.
  Tensor as = rnd({4, 3, 5}, 24).slice(1, 0, 3, 2);
  CHECK(max_abs_diff(ops::matmul(as, w), naive_product(as, w)) < 1e-12);
}

TEST_CASE("matmul forward: empty dimensions") {
  CHECK(ops::matmul(zeros({0, 3}), zeros({3, 4})).shape() == Shape{0, 4});
  Tensor z = ops::matmul(ones({2, 0}), ones({0, 3}));
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.to_vector() == std::vector<double>(6, 0.0));
  CHECK(ops::matmul(zeros({0}), zeros({0})).item() == 0);
  CHECK(ops::bmm(zeros({0, 2, 3}), zeros({0, 3, 4})).shape() == Shape{0, 2, 4});
  Tensor y = ops::linear(zeros({3, 0}), zeros({2, 0}), tensor({1, 2}));
  CHECK(y.to_vector() == std::vector<double>{1, 2, 1, 2, 1, 2});
  // Gradients of empty products are empty (or zero) tensors of the inputs' shapes.
  Tensor xe = zeros({3, 0}, {.dtype = kFloat64}).set_requires_grad(true);
  Tensor we = zeros({2, 0}, {.dtype = kFloat64}).set_requires_grad(true);
  Tensor be = zeros({2}, {.dtype = kFloat64}).set_requires_grad(true);
  ops::sum(ops::linear(xe, we, be)).backward();
  CHECK(xe.grad().shape() == Shape{3, 0});
  CHECK(we.grad().shape() == Shape{2, 0});
  CHECK(be.grad().to_vector() == std::vector<double>{3, 3});
  Tensor p = zeros({2, 0}, {.dtype = kFloat64}).set_requires_grad(true);
  Tensor q = zeros({0, 3}, {.dtype = kFloat64}).set_requires_grad(true);
  ops::sum(ops::matmul(p, q)).backward();
  CHECK(p.grad().shape() == Shape{2, 0});
  CHECK(q.grad().shape() == Shape{0, 3});
}

TEST_CASE("matmul, bmm and linear read transposed and permuted operands without copying them") {
  // Counts storage allocations: only the output should be allocated.
  auto allocations = [] {
    AllocatorStats s = cpu_allocator_stats();
    return s.system_allocs + s.cache_hits;
  };
  NoGradGuard no_grad;
  Tensor a = rnd({5, 6}, 140).t(), b = rnd({4, 5}, 141).t();  // both transposed views
  Tensor x = rnd({4, 3, 5}, 142).permute({1, 0, 2});          // [3,4,5], permuted batch
  Tensor xt = rnd({3, 5, 4}, 143).transpose(-1, -2);           // [3,4,5], per-matrix transposed
  Tensor w = rnd({6, 5}, 144), bias = rnd({6}, 145), x3 = rnd({2, 3, 5}, 146);
  Tensor w_stored_t = w.t().contiguous().t();  // [6,5] with strides (1,6)
  Tensor y;
  uint64_t before = allocations();
  y = ops::matmul(a, b);
  CHECK(allocations() - before == 1);
  before = allocations();
  y = ops::matmul(x, w.t());
  CHECK(allocations() - before == 1);
  before = allocations();
  y = ops::bmm(xt, x.transpose(-1, -2));
  CHECK(allocations() - before == 1);
  before = allocations();
  y = ops::linear(x3, w, bias);
  CHECK(allocations() - before == 1);
  before = allocations();
  y = ops::linear(a, w_stored_t, Tensor());
  CHECK(allocations() - before == 1);
}

TEST_CASE("bmm forward against a naive loop") {
  Tensor a = rnd({3, 4, 6}, 30), b = rnd({3, 6, 2}, 31);
  CHECK(ops::bmm(a, b).shape() == Shape{3, 4, 2});
  CHECK(max_abs_diff(ops::bmm(a, b), naive_product(a, b)) < 1e-12);
  Tensor big_a = rnd({2, 70, 80}, 32), big_b = rnd({2, 80, 90}, 33);  // large: sequential batch
  CHECK(max_abs_diff(ops::bmm(big_a, big_b), naive_product(big_a, big_b)) < 1e-11);
}

TEST_CASE("linear forward: x W^T + b against a naive loop, any input rank and layout") {
  Tensor w = rnd({4, 3}, 40), bias = rnd({4}, 41);
  auto want = [&](const Tensor& x, bool with_bias) {
    Tensor y = naive_product(x, w.t());
    return with_bias ? ops::add(y, bias) : y;
  };
  Tensor x = rnd({5, 3}, 42);
  CHECK(max_abs_diff(ops::linear(x, w, bias), want(x, true)) < 1e-12);
  CHECK(max_abs_diff(ops::linear(x, w), want(x, false)) < 1e-12);
  Tensor x3 = rnd({2, 5, 3}, 43);
  Tensor y3 = ops::linear(x3, w, bias);
  CHECK(y3.shape() == Shape{2, 5, 4});
  CHECK(max_abs_diff(y3, want(x3, true)) < 1e-12);
  Tensor x1 = rnd({3}, 44);
  Tensor y1 = ops::linear(x1, w, bias);
  CHECK(y1.shape() == Shape{4});
  CHECK(max_abs_diff(y1, want(x1.unsqueeze(0), true).squeeze(0)) < 1e-12);
  // Non-contiguous x (transposed, permuted batch) and a weight stored transposed.
  Tensor xt = rnd({3, 5}, 45).t();
  Tensor xp = rnd({5, 2, 3}, 46).permute({1, 0, 2});
  Tensor wt = w.t().contiguous().t();
  CHECK(max_abs_diff(ops::linear(xt, w, bias), want(xt, true)) < 1e-12);
  CHECK(max_abs_diff(ops::linear(xp, w, bias), want(xp, true)) < 1e-12);
  CHECK(max_abs_diff(ops::linear(x, wt, bias), want(x, true)) < 1e-12);
  // float32 by hand: [1,2] . rows of W + b.
  Tensor wf = from_vector(std::vector<float>{1, 0, 0, 1, 1, 1}, {3, 2});
  Tensor yf = ops::linear(tensor({1, 2}), wf, tensor({10, 20, 30}));
  CHECK(yf.to_vector() == std::vector<double>{11, 22, 33});
}

TEST_CASE("bilinear forward against the definition") {
  Tensor x1 = rnd({3, 2}, 50), x2 = rnd({3, 4}, 51), w = rnd({5, 2, 4}, 52), bias = rnd({5}, 53);
  Tensor y = ops::bilinear(x1, x2, w, bias);
  CHECK(y.shape() == Shape{3, 5});
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t o = 0; o < 5; ++o) {
      double s = bias.at({o});
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 4; ++j) s += x1.at({r, i}) * w.at({o, i, j}) * x2.at({r, j});
      CHECK(y.at({r, o}) == doctest::Approx(s).epsilon(1e-12));
    }
  CHECK(ops::bilinear(rnd({2}, 54), rnd({4}, 55), w).shape() == Shape{5});
  CHECK(ops::bilinear(rnd({2, 3, 2}, 54), rnd({2, 3, 4}, 55), w, bias).shape() == Shape{2, 3, 5});
}

TEST_CASE("matmul records one node on the tape, whatever the promotions") {
  Tensor v = input({3}, 60), m = input({2, 3, 4}, 61);
  Tensor y = ops::matmul(v, m);
  CHECK(y.shape() == Shape{2, 4});
  auto tape = tape_of(y);
  REQUIRE(tape.size() == 1);
  CHECK(std::string(tape[0]->op) == "matmul");
  {
    NoGradGuard no_grad;
    CHECK_FALSE(ops::matmul(v, m).requires_grad());
    CHECK_FALSE(ops::linear(v, m.select(0, 0).t(), Tensor()).requires_grad());
  }
}

TEST_CASE("linear backward in float32 matches the float64 gradients") {
  Tensor x = input({4, 3}, 62), w = input({5, 3}, 63), b = input({5}, 64);
  ops::sum(ops::mul(ops::linear(x, w, b), ops::linear(x, w, b))).backward();
  Tensor xf = x.detach().to(kFloat32).set_requires_grad(true), wf = w.detach().to(kFloat32).set_requires_grad(true),
         bf = b.detach().to(kFloat32).set_requires_grad(true);
  ops::sum(ops::mul(ops::linear(xf, wf, bf), ops::linear(xf, wf, bf))).backward();
  CHECK(diff64(xf.grad(), x.grad()) < 1e-5);
  CHECK(diff64(wf.grad(), w.grad()) < 1e-5);
  CHECK(diff64(bf.grad(), b.grad()) < 1e-5);
}

// ---- gradients ------------------------------------------------------------------------------

TEST_CASE("gradcheck matmul 2-D") {
  CHECK(gradcheck([](const TensorList& in) { return ops::matmul(in[0], in[1]); }, {input({3, 4}, 70), input({4, 2}, 71)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::matmul(in[0], in[1]); }, {input({1, 5}, 72), input({5, 1}, 73)}));
  Tensor fixed = rnd({4, 2}, 74);  // only one operand wants a gradient
  CHECK(gradcheck([fixed](const TensorList& in) { return ops::matmul(in[0], fixed); }, {input({3, 4}, 75)}));
}

TEST_CASE("gradcheck matmul with transposed inputs") {
  Tensor a = strided_input({3, 4}, 0, 80), b = strided_input({4, 5}, 0, 81);  // transposed storage
  CHECK_FALSE(a.is_contiguous());
  CHECK(gradcheck([](const TensorList& in) { return ops::matmul(in[0], in[1]); }, {a, b}));
  Tensor c = strided_input({3, 4}, 1, 82);  // every other row
  CHECK(gradcheck([](const TensorList& in) { return ops::matmul(in[0], in[1].t()); }, {c, input({2, 4}, 83)}));
  Tensor x = input({3, 4}, 84);  // x x^T: the same tensor on both sides, one through .t()
  CHECK(gradcheck([](const TensorList& in) { return ops::matmul(in[0], in[0].t()); }, {x}));
  Tensor cols = rnd({4, 10}, 85).slice(1, 0, 10, 2).set_requires_grad(true);  // column step: copied
  CHECK(gradcheck([](const TensorList& in) { return ops::matmul(in[0].t(), in[1]); }, {cols, input({4, 3}, 86)}));
}

TEST_CASE("gradcheck matmul batched with broadcast batch dims") {
  auto mm = [](const TensorList& in) { return ops::matmul(in[0], in[1]); };
  CHECK(gradcheck(mm, {input({2, 3, 2, 4}, 90), input({4, 3}, 91)}));      // [B,H,M,K] x [K,N]
  CHECK(gradcheck(mm, {input({2, 1, 2, 3}, 92), input({3, 3, 2}, 93)}));   // [B,1,M,K] x [H,K,N]
  CHECK(gradcheck(mm, {input({2, 3}, 94), input({2, 3, 4}, 95)}));         // a shared by the batch
  CHECK(gradcheck(mm, {input({1, 2, 3}, 96), input({3, 3, 2}, 97)}));      // size-1 batch dim
  Tensor ap = rnd({3, 2, 2}, 98).permute({1, 2, 0}).set_requires_grad(true);  // permuted stack
  CHECK(gradcheck(mm, {ap, input({3, 2}, 99)}));
  CHECK(gradcheck(mm, {strided_input({2, 3, 4}, 0, 100), strided_input({2, 4, 2}, 1, 101)}));
}

TEST_CASE("gradcheck matmul 1-D") {
  auto mm = [](const TensorList& in) { return ops::matmul(in[0], in[1]); };
  CHECK(gradcheck(mm, {input({5}, 110), input({5}, 111)}));        // dot
  CHECK(gradcheck(mm, {input({3}, 112), input({3, 4}, 113)}));     // vector x matrix
  CHECK(gradcheck(mm, {input({4, 3}, 114), input({3}, 115)}));     // matrix x vector
  CHECK(gradcheck(mm, {input({2, 4, 3}, 116), input({3}, 117)}));  // batch x vector
  CHECK(gradcheck(mm, {input({3}, 118), input({2, 3, 2}, 119)}));  // vector x batch
  CHECK(gradcheck(mm, {strided_input({4}, 1, 120), input({4}, 121)}));
}

TEST_CASE("gradcheck bmm") {
  auto f = [](const TensorList& in) { return ops::bmm(in[0], in[1]); };
  CHECK(gradcheck(f, {input({3, 2, 4}, 130), input({3, 4, 3}, 131)}));
  CHECK(gradcheck(f, {strided_input({2, 3, 4}, 0, 132), strided_input({2, 4, 2}, 1, 133)}));
}

TEST_CASE("gradcheck linear with bias") {
  auto f = [](const TensorList& in) { return ops::linear(in[0], in[1], in[2]); };
  CHECK(gradcheck(f, {input({4, 3}, 140), input({5, 3}, 141), input({5}, 142)}));
  CHECK(gradcheck(f, {strided_input({4, 3}, 0, 143), strided_input({5, 3}, 1, 144), input({5}, 145)}));
  CHECK(gradcheck(f, {input({3}, 146), input({2, 3}, 147), input({2}, 148)}));  // 1-D input
  auto no_bias = [](const TensorList& in) { return ops::linear(in[0], in[1]); };
  CHECK(gradcheck(no_bias, {input({4, 3}, 149), input({2, 3}, 150)}));
}

TEST_CASE("gradcheck linear on a 3-D input") {
  auto f = [](const TensorList& in) { return ops::linear(in[0], in[1], in[2]); };
  CHECK(gradcheck(f, {input({2, 3, 4}, 160), input({3, 4}, 161), input({3}, 162)}));
  Tensor xp = rnd({3, 2, 4}, 163).permute({1, 0, 2}).set_requires_grad(true);  // rows do not fold: copied
  CHECK(gradcheck(f, {xp, input({3, 4}, 164), input({3}, 165)}));
}

TEST_CASE("gradcheck outer") {
  CHECK(gradcheck([](const TensorList& in) { return ops::outer(in[0], in[1]); }, {input({3}, 170), input({4}, 171)}));
  CHECK(gradcheck([](const TensorList& in) { return ops::outer(in[0], in[1]); },
                  {strided_input({3}, 1, 172), input({1}, 173)}));
}

TEST_CASE("gradcheck bilinear") {
  auto f = [](const TensorList& in) { return ops::bilinear(in[0], in[1], in[2], in[3]); };
  CHECK(gradcheck(f, {input({3, 2}, 180), input({3, 3}, 181), input({4, 2, 3}, 182), input({4}, 183)}));
  CHECK(gradcheck(f, {input({2, 2, 2}, 184), input({2, 2, 3}, 185), input({2, 2, 3}, 186), input({2}, 187)}));
}

// ---- errors -------------------------------------------------------------------------------------

TEST_CASE("linalg errors name the op and both shapes") {
  CHECK_THROWS_WITH_AS(ops::matmul(zeros({32, 16}), zeros({8, 4})),
                       doctest::Contains("matmul: [32,16] x [8,4]: inner dimensions 16 and 8 differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::matmul(zeros({3}), zeros({4})),
                       doctest::Contains("matmul: [3] x [4]: inner dimensions 3 and 4 differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::matmul(zeros({2, 3, 4}), zeros({5, 4, 6})),
                       doctest::Contains("matmul: [2,3,4] x [5,4,6]: batch dimensions cannot be broadcast"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::matmul(scalar_tensor(1), zeros({2})),
                       doctest::Contains("matmul: [] x [2]: both operands need at least 1 dimension"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::matmul(zeros({2, 3}), zeros({3, 2}, {.dtype = kFloat64})),
                       doctest::Contains("matmul: dtypes differ: float32 [2,3] cpu and float64 [3,2] cpu"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::matmul(zeros({2, 3}, {.dtype = kInt64}), zeros({3, 2}, {.dtype = kInt64})),
                       doctest::Contains("matmul: needs float32 or float64 tensors"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::matmul(Tensor(), zeros({2})), doctest::Contains("matmul: undefined tensor"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::bmm(zeros({2, 3}), zeros({2, 3, 4})),
                       doctest::Contains("bmm: [2,3] x [2,3,4]: needs two 3-D tensors"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::bmm(zeros({2, 3, 4}), zeros({3, 4, 5})),
                       doctest::Contains("bmm: [2,3,4] x [3,4,5]: batch sizes 2 and 3 differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::bmm(zeros({2, 3, 4}), zeros({2, 5, 5})),
                       doctest::Contains("bmm: [2,3,4] x [2,5,5]: inner dimensions 4 and 5 differ"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::linear(zeros({4, 3}), zeros({5, 2})),
                       doctest::Contains("linear: input [4,3] x weight [5,2]: input features 3 but the weight takes 2"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::linear(zeros({4, 3}), zeros({5, 3}), zeros({4})),
                       doctest::Contains("linear: bias [4] does not match weight [5,3]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::linear(zeros({4, 3}), zeros({5, 3}), zeros({5}, {.dtype = kFloat64})),
                       doctest::Contains("linear: bias dtype differs"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::linear(zeros({4, 3}), zeros({3})), doctest::Contains("linear: weight [3] must be 2-D"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::outer(zeros({2, 2}), zeros({3})), doctest::Contains("outer: [2,2] x [3]: needs two 1-D"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::bilinear(zeros({3, 2}), zeros({3, 4}), zeros({5, 2, 3})),
                       doctest::Contains("bilinear: inputs [3,2] and [3,4] do not match weight [5,2,3]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::bilinear(zeros({3, 2}), zeros({4, 3}), zeros({5, 2, 3})),
                       doctest::Contains("bilinear: inputs [3,2] and [4,3] differ in their leading dimensions"),
                       tg::Error);
}
