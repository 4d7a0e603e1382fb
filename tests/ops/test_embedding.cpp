// Embedding ops: forward values by hand, dense and row-sparse gradients (finite
// differences in float64, by hand, and against each other), accumulation of row-sparse
// gradients, padding ids, and errors.
#include <doctest/doctest.h>

#include <set>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;
using tg::testing::max_abs_diff;
using tg::testing::strided_input;

namespace {

using Mode = ops::EmbeddingBagOptions::Mode;

Tensor ids64(const std::vector<int64_t>& v, const Shape& shape) { return from_vector(v, shape); }

// Gradient of sum(f(table) * w) for a fixed w, as a dense tensor.
// embedding with the padding positions of the output masked out: the padding row's value
// then has no effect on the result, so finite differences agree with its zero gradient.
Tensor masked_lookup(const Tensor& table, const Tensor& ids, ops::EmbeddingOptions options) {
  return ops::where(ops::ne(ids, static_cast<double>(options.padding_idx)).unsqueeze(-1),
                    ops::embedding(table, ids, options), 0.0);
}

Tensor grad_of(const Tensor& table, const std::function<Tensor(const Tensor&)>& f, uint64_t seed = 3) {
  table.impl()->grad.reset();
  Tensor out = f(table);
  Generator gen(seed);
  Tensor w = randn(out.shape(), {.dtype = out.dtype()}, &gen);
  ops::sum(out * w).backward();
  Tensor g = table.grad();
  table.impl()->grad.reset();
  return g;
}

}  // namespace

TEST_CASE("embedding forward: rows by hand, int64 and int32 ids, any ids shape") {
  Tensor table = arange(12, {.dtype = kFloat32}).reshape({4, 3});
  Tensor ids = ids64({1, 3, 0, 1}, {2, 2});
  Tensor y = ops::embedding(table, ids);
  CHECK(y.shape() == Shape{2, 2, 3});
  CHECK(y.to_vector() == std::vector<double>{3, 4, 5, 9, 10, 11, 0, 1, 2, 3, 4, 5});
  Tensor ids32 = from_vector(std::vector<int32_t>{1, 3, 0, 1}, {2, 2});
  CHECK(ops::embedding(table, ids32).to_vector() == y.to_vector());
  CHECK(ops::embedding(table, ids64({2}, {})).to_vector() == std::vector<double>{6, 7, 8});  // 0-d ids -> [D]
  CHECK(ops::embedding(table, ids64({}, {0, 5})).shape() == Shape{0, 5, 3});
  // non-contiguous ids and tables (row-strided and transposed)
  CHECK(ops::embedding(table, ids.t()).to_vector() == std::vector<double>{3, 4, 5, 0, 1, 2, 9, 10, 11, 3, 4, 5});
  Tensor every_other = arange(24, {.dtype = kFloat64}).reshape({8, 3}).slice(0, 0, 8, 2);
  CHECK(ops::embedding(every_other, ids64({3, 0}, {2})).to_vector() == std::vector<double>{18, 19, 20, 0, 1, 2});
  Tensor transposed = arange(12, {.dtype = kFloat32}).reshape({3, 4}).t();  // [4, 3], column stride 4
  CHECK(ops::embedding(transposed, ids64({1}, {1})).to_vector() == std::vector<double>{1, 5, 9});
  // padding_idx changes only the gradient: the forward returns the table's row
  CHECK(ops::embedding(table, ids, {.padding_idx = 0}).to_vector() == y.to_vector());
}

TEST_CASE("embedding backward by hand: dense scatter-add, padding row gets nothing") {
  Tensor table = zeros({5, 2}, {.dtype = kFloat64, .requires_grad = true});
  Tensor ids = ids64({1, 3, 1, 0, 1}, {5});
  Tensor g = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {5, 2});
  ops::embedding(table, ids).backward(g);
  CHECK(table.grad().to_vector() == std::vector<double>{7, 8, 1 + 5 + 9, 2 + 6 + 10, 0, 0, 3, 4, 0, 0});
  table.zero_grad();
  ops::embedding(table, ids, {.padding_idx = 1}).backward(g);
  CHECK(table.grad().to_vector() == std::vector<double>{7, 8, 0, 0, 0, 0, 3, 4, 0, 0});
}

TEST_CASE("embedding sparse gradient: row_index holds exactly the touched rows and to_dense equals dense") {
  Tensor table = input({10, 4}, 21);
  Tensor ids = ids64({7, 2, 7, 9, 0, 2, 2, 5}, {2, 4});
  Tensor dense = grad_of(table, [&](const Tensor& t) { return ops::embedding(t, ids); });
  Tensor sparse = grad_of(table, [&](const Tensor& t) { return ops::embedding(t, ids, {.sparse_grad = true}); });
  REQUIRE(sparse.is_row_sparse());
  CHECK(sparse.row_index().to_vector_as<int64_t>() == std::vector<int64_t>{0, 2, 5, 7, 9});
  CHECK(sparse.shape() == Shape{5, 4});
  CHECK(sparse.dense_shape() == Shape{10, 4});
  CHECK(max_abs_diff(sparse.to_dense(), dense) < 1e-12);
  CHECK_FALSE(dense.is_row_sparse());

  // padding ids are not touched rows
  Tensor sparse_pad =
      grad_of(table, [&](const Tensor& t) { return ops::embedding(t, ids, {.sparse_grad = true, .padding_idx = 2}); });
  Tensor dense_pad = grad_of(table, [&](const Tensor& t) { return ops::embedding(t, ids, {.padding_idx = 2}); });
  CHECK(sparse_pad.row_index().to_vector_as<int64_t>() == std::vector<int64_t>{0, 5, 7, 9});
  CHECK(max_abs_diff(sparse_pad.to_dense(), dense_pad) < 1e-12);
  for (int64_t j = 0; j < 4; ++j) CHECK(dense_pad.at({2, j}) == 0.0);
}

TEST_CASE("embedding sparse gradients of two backward calls accumulate: union of rows, summed values") {
  Tensor table = input({8, 3}, 22);
  Tensor ids_a = ids64({1, 4, 4}, {3}), ids_b = ids64({6, 1}, {2});
  Tensor ga = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  Tensor gb = from_vector(std::vector<double>{10, 20, 30, 40, 50, 60}, {2, 3});
  ops::embedding(table, ids_a, {.sparse_grad = true}).backward(ga);
  ops::embedding(table, ids_b, {.sparse_grad = true}).backward(gb);
  Tensor g = table.grad();
  REQUIRE(g.is_row_sparse());
  CHECK(g.row_index().to_vector_as<int64_t>() == std::vector<int64_t>{1, 4, 6});
  CHECK(g.to_vector() == std::vector<double>{1 + 40, 2 + 50, 3 + 60, 4 + 7, 5 + 8, 6 + 9, 10, 20, 30});

  Tensor dense_table = table.detach().clone().set_requires_grad(true);
  ops::embedding(dense_table, ids_a).backward(ga);
  ops::embedding(dense_table, ids_b).backward(gb);
  CHECK(max_abs_diff(g.to_dense(), dense_table.grad()) == 0.0);
}

TEST_CASE("gradcheck embedding") {
  Tensor table = input({6, 4}, 23);
  Tensor ids = ids64({5, 0, 3, 1, 2, 4}, {2, 3});
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding(in[0], ids); }, {table}));
  Tensor ids32 = from_vector(std::vector<int32_t>{3, 1}, {2});
  CHECK(gradcheck([ids32](const TensorList& in) { return ops::embedding(in[0], ids32); }, {table}));
  // non-contiguous tables: row-strided and column-strided
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding(in[0], ids); }, {strided_input({6, 4}, 1, 24)}));
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding(in[0], ids); }, {strided_input({6, 4}, 0, 25)}));
  // the output feeds a further op
  CHECK(gradcheck([ids](const TensorList& in) { return ops::exp(ops::embedding(in[0], ids)).transpose(0, 2); },
                  {input({6, 2}, 26)}));
}

TEST_CASE("gradcheck embedding with repeated ids") {
  Tensor table = input({5, 3}, 27);
  Tensor ids = ids64({2, 2, 4, 0, 2, 4, 1, 2}, {4, 2});
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding(in[0], ids); }, {table}));
  CHECK(gradcheck([ids](const TensorList& in) { return masked_lookup(in[0], ids, {.padding_idx = 2}); }, {table}));
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding(in[0], ids.t()); }, {table}));
}

TEST_CASE("gradcheck embedding sparse gradient equals dense") {
  Tensor table = input({7, 3}, 28);
  Tensor ids = ids64({6, 1, 1, 3, 0, 6}, {3, 2});
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding(in[0], ids, {.sparse_grad = true}); }, {table}));
  CHECK(gradcheck([ids](const TensorList& in) { return masked_lookup(in[0], ids, {.sparse_grad = true, .padding_idx = 1}); },
                  {table}));
  Tensor dense = grad_of(table, [&](const Tensor& t) { return ops::embedding(t, ids, {.padding_idx = 6}); });
  Tensor sparse =
      grad_of(table, [&](const Tensor& t) { return ops::embedding(t, ids, {.sparse_grad = true, .padding_idx = 6}); });
  CHECK(sparse.is_row_sparse());
  CHECK(max_abs_diff(sparse.to_dense(), dense) < 1e-12);
}

TEST_CASE("embedding_bag forward by hand: mean and sum skip padding ids") {
  Tensor table = arange(10, {.dtype = kFloat32}).reshape({5, 2});  // row v = [2v, 2v+1]
  Tensor ids = ids64({1, 3, 0, 4, 0, 0, 2, 2, 2}, {3, 3});
  Tensor mean = ops::embedding_bag(table, ids);  // mean, padding 0 by default
  CHECK(mean.shape() == Shape{3, 2});
  CHECK(mean.to_vector() == std::vector<double>{(2 + 6) / 2.0, (3 + 7) / 2.0, 8, 9, 4, 5});
  Tensor sum = ops::embedding_bag(table, ids, {.mode = Mode::Sum});
  CHECK(sum.to_vector() == std::vector<double>{8, 10, 8, 9, 12, 15});
  // a bag of only padding is a zero vector, in both modes
  Tensor pad_bag = ids64({0, 0, 1, 0}, {2, 2});
  CHECK(ops::embedding_bag(table, pad_bag).to_vector() == std::vector<double>{0, 0, 2, 3});
  CHECK(ops::embedding_bag(table, pad_bag, {.mode = Mode::Sum}).to_vector() == std::vector<double>{0, 0, 2, 3});
  // no padding id: 0 is an ordinary row
  CHECK(ops::embedding_bag(table, pad_bag, {.padding_idx = -1}).to_vector() == std::vector<double>{0, 1, 1, 2});
  // [B, F, L] -> [B, F, D], int32 ids
  Tensor ids3 = from_vector(std::vector<int32_t>{1, 2, 3, 0, 4, 4, 0, 0}, {2, 2, 2});
  Tensor y3 = ops::embedding_bag(table, ids3, {.mode = Mode::Sum});
  CHECK(y3.shape() == Shape{2, 2, 2});
  CHECK(y3.to_vector() == std::vector<double>{6, 8, 6, 7, 16, 18, 0, 0});
  CHECK(ops::embedding_bag(table, ids64({}, {2, 0})).to_vector() == std::vector<double>{0, 0, 0, 0});
}

TEST_CASE("embedding_bag backward by hand: mean scales by 1/count, padding-only bags get no gradient") {
  Tensor table = zeros({4, 2}, {.dtype = kFloat64, .requires_grad = true});
  Tensor ids = ids64({1, 3, 0, 0, 0, 0, 3, 0}, {2, 4});  // padding 0: bag 0 is {1, 3}, bag 1 is {3}
  Tensor ids2 = ids64({1, 3, 3, 0, 0, 0, 0, 0}, {2, 4});  // bag 1 is all padding
  Tensor g = from_vector(std::vector<double>{2, 4, 10, 20}, {2, 2});
  ops::embedding_bag(table, ids).backward(g);
  CHECK(table.grad().to_vector() == std::vector<double>{0, 0, 1, 2, 0, 0, 1 + 10, 2 + 20});
  table.zero_grad();
  ops::embedding_bag(table, ids2, {.sparse_grad = true}).backward(g);
  REQUIRE(table.grad().is_row_sparse());
  CHECK(table.grad().row_index().to_vector_as<int64_t>() == std::vector<int64_t>{1, 3});
  CHECK(table.grad().to_vector() == std::vector<double>{2.0 / 3, 4.0 / 3, 4.0 / 3, 8.0 / 3});
}

TEST_CASE("gradcheck embedding_bag mean with padding") {
  Tensor table = input({6, 3}, 31);
  Tensor ids = ids64({1, 0, 4, 4, 0, 0, 0, 0, 5, 2, 3, 1}, {3, 4});  // bag 1 is all padding
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding_bag(in[0], ids); }, {table}));
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding_bag(in[0], ids, {.sparse_grad = true}); },
                  {table}));
  Tensor ids3 = ids64({1, 0, 4, 4, 0, 0, 0, 0, 5, 2, 3, 1}, {2, 3, 2});
  CHECK(gradcheck([ids3](const TensorList& in) { return ops::embedding_bag(in[0], ids3, {.padding_idx = 4}); },
                  {strided_input({6, 3}, 0, 32)}));
  Tensor dense = grad_of(table, [&](const Tensor& t) { return ops::embedding_bag(t, ids); });
  Tensor sparse = grad_of(table, [&](const Tensor& t) { return ops::embedding_bag(t, ids, {.sparse_grad = true}); });
  CHECK(sparse.row_index().to_vector_as<int64_t>() == std::vector<int64_t>{1, 2, 3, 4, 5});
  CHECK(max_abs_diff(sparse.to_dense(), dense) < 1e-12);
  for (int64_t j = 0; j < 3; ++j) CHECK(dense.at({0, j}) == 0.0);
}

TEST_CASE("gradcheck embedding_bag sum") {
  Tensor table = input({5, 4}, 33);
  Tensor ids = ids64({1, 1, 2, 0, 3, 4, 0, 0}, {2, 4});
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding_bag(in[0], ids, {.mode = Mode::Sum}); },
                  {table}));
  CHECK(gradcheck([ids](const TensorList& in) {
    return ops::embedding_bag(in[0], ids, {.mode = Mode::Sum, .padding_idx = -1, .sparse_grad = true});
  }, {table}));
  CHECK(gradcheck([ids](const TensorList& in) { return ops::embedding_bag(in[0], ids.t(), {.mode = Mode::Sum}); },
                  {strided_input({5, 4}, 1, 34)}));
}

TEST_CASE("embedding on large batches takes the threaded paths and matches a plain loop") {
  const int64_t V = 300, D = 40, n = 4000;
  Tensor table = randn({V, D}).set_requires_grad(true);
  Tensor ids = randint(0, V, {n});
  Tensor y = ops::embedding(table, ids);
  std::vector<int64_t> id = ids.to_vector_as<int64_t>();
  std::vector<float> t = table.to_vector_as<float>(), yv = y.to_vector_as<float>();
  bool rows_ok = true;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < D; ++d) rows_ok &= yv[i * D + d] == t[id[i] * D + d];
  CHECK(rows_ok);

  Tensor g = randn({n, D});
  y.backward(g);
  std::vector<float> gv = g.to_vector_as<float>(), expected(static_cast<size_t>(V * D), 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < D; ++d) expected[id[i] * D + d] += gv[i * D + d];  // id order, as the kernel
  CHECK(table.grad().to_vector_as<float>() == expected);
  // bitwise the same for any thread count: each row is summed in id order
  const int threads = num_threads();
  for (int t : {1, 3}) {
    set_num_threads(t);
    table.zero_grad();
    ops::embedding(table, ids).backward(g);
    CHECK(table.grad().to_vector_as<float>() == expected);
  }
  set_num_threads(threads);

  Tensor bags = randint(0, V, {n / 8, 8});
  Tensor mean = ops::embedding_bag(table, bags);
  Tensor composed = ops::sum(ops::where(ops::ne(bags, 0.0).unsqueeze(-1), ops::embedding(table, bags), 0.0), 1) /
                    ops::sum(ops::ne(bags, 0.0).to(kFloat32), 1, true);
  CHECK(max_abs_diff(mean, composed) < 1e-5);
}

TEST_CASE("embedding errors name the op, the bad id, its position and the table") {
  Tensor table = zeros({10, 4});
  CHECK_THROWS_WITH_AS(ops::embedding(table, ids64({1, 2, 3, 4, 5, 17}, {2, 3})),
                       doctest::Contains("embedding: id 17 at position [1,2] of ids [2,3] is out of range [0, 10)"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(table, ids64({-1}, {1})), doctest::Contains("embedding: id -1 at position [0]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(table, from_vector(std::vector<int32_t>{10}, {1})),
                       doctest::Contains("embedding: id 10 at position [0]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(table, zeros({3})),
                       doctest::Contains("embedding: ids must be int64 or int32, got float32 [3] cpu"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(zeros({10, 4, 2}), ids64({1}, {1})),
                       doctest::Contains("embedding: the table must be 2-D [V, D], got float32 [10,4,2] cpu"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(zeros({10}), ids64({1}, {1})), doctest::Contains("embedding: the table must be 2-D"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(zeros({10, 4}, {.dtype = kInt64}), ids64({1}, {1})),
                       doctest::Contains("embedding: the table must be float32 or float64"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding(table, ids64({1}, {1}), {.padding_idx = 10}),
                       doctest::Contains("embedding: padding_idx 10 is not a row of the table [10,4]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding_bag(table, ids64({0, 3, 12, 0}, {2, 2})),
                       doctest::Contains("embedding_bag: id 12 at position [1,0] of ids [2,2]"), tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding_bag(table, ids64({3}, {})), doctest::Contains("embedding_bag: ids must be [..., L]"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(ops::embedding_bag(table, zeros({2, 2})), doctest::Contains("embedding_bag: ids must be int64"),
                       tg::Error);
  // the first bad id is reported even when the ids are checked by several threads
  std::vector<int64_t> many(100000, 3);  // 100000 x 8 floats: several threads
  many[90000] = -4;
  many[30000] = 11;
  CHECK_THROWS_WITH_AS(ops::embedding(zeros({10, 8}), ids64(many, {100000})),
                       doctest::Contains("embedding: id 11 at position [30000]"), tg::Error);
}

TEST_CASE("embedding backward refuses ids modified in place after the forward") {
  Tensor table = input({4, 2}, 35);
  Tensor ids = ids64({1, 2}, {2});
  Tensor y = ops::embedding(table, ids);
  ids.set({0}, 3.0);
  CHECK_THROWS_WITH_AS(ops::sum(y).backward(), doctest::Contains("backward of embedding: the saved tensor int64 [2] cpu was modified in place"), tg::Error);
}
