// Row-sparse updates (nn/optim/optimizer.h "Sparse rows"): an embedding table whose gradient
// comes from ops::embedding(..., sparse_grad) against the same table with a dense gradient.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>

#include "tests/gradcheck.h"
#include "tests/nn/optim/optim_test_util.h"

using namespace tg;

namespace {

using Make = std::function<std::unique_ptr<nn::Optimizer>(Tensor)>;

struct Kind {
  const char* name;
  Make make;
};

std::vector<Kind> all_kinds() {
  auto one = [](Tensor w) { return std::vector<Tensor>{std::move(w)}; };
  return {
      {"SGD", [=](Tensor w) { return std::make_unique<nn::SGD>(one(w), nn::SGDOptions{.lr = 0.1}); }},
      {"SGD momentum+wd", [=](Tensor w) {
         return std::make_unique<nn::SGD>(one(w), nn::SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
       }},
      {"SGD nesterov", [=](Tensor w) {
         return std::make_unique<nn::SGD>(one(w), nn::SGDOptions{.lr = 0.1, .momentum = 0.5, .nesterov = true});
       }},
      {"Adam wd", [=](Tensor w) {
         return std::make_unique<nn::Adam>(one(w), nn::AdamOptions{.lr = 0.1, .weight_decay = 0.01});
       }},
      {"Adam amsgrad", [=](Tensor w) {
         return std::make_unique<nn::Adam>(one(w), nn::AdamOptions{.lr = 0.1, .amsgrad = true});
       }},
      {"AdamW", [=](Tensor w) { return std::make_unique<nn::AdamW>(one(w), nn::AdamOptions{.lr = 0.1}); }},
      {"Adagrad", [=](Tensor w) {
         return std::make_unique<nn::Adagrad>(
             one(w), nn::AdagradOptions{.lr = 0.1, .lr_decay = 0.1, .weight_decay = 0.01, .initial_accumulator_value = 0.1});
       }},
  };
}

// One step of loss = sum(embedding(w, ids) * weights) on both tables.
void step_both(nn::Optimizer& od, nn::Optimizer& os, const Tensor& dense_w, const Tensor& sparse_w, const Tensor& ids,
               const Tensor& weights) {
  od.zero_grad();
  os.zero_grad();
  ops::sum(ops::mul(ops::embedding(dense_w, ids), weights)).backward();
  ops::sum(ops::mul(ops::embedding(sparse_w, ids, {.sparse_grad = true}), weights)).backward();
  REQUIRE(sparse_w.grad().is_row_sparse());
  od.step();
  os.step();
  CHECK(sparse_w.grad().is_row_sparse());  // the step never densifies the gradient
}

void check_rows_equal(const Tensor& a, const Tensor& b, std::initializer_list<int64_t> rows, const char* what) {
  for (int64_t r : rows)
    for (int64_t c = 0; c < a.size(1); ++c) CHECK_MESSAGE(a.at({r, c}) == b.at({r, c}), what, " row ", r);
}

}  // namespace

TEST_CASE("sparse rows: with the same rows touched at every step, equal to the dense update (bit for bit)") {
  for (DType dtype : {kFloat64, kFloat32}) {
    for (const auto& kind : all_kinds()) {
      Tensor init = randn({6, 3}, {.dtype = dtype});
      Tensor dense_w = init.clone().set_requires_grad(true), sparse_w = init.clone().set_requires_grad(true);
      auto od = kind.make(dense_w), os = kind.make(sparse_w);
      Tensor ids = from_vector(std::vector<int64_t>{4, 1, 4, 2}, {4});  // rows 1, 2, 4; row 4 twice
      Tensor weights = randn({4, 3}, {.dtype = dtype});
      // Rows 0, 3, 5 are never looked up: the dense rule may still move them (weight decay,
      // momentum), the sparse rule leaves them; the touched rows must agree exactly.
      for (int s = 0; s < 3; ++s) step_both(*od, *os, dense_w, sparse_w, ids, weights);
      check_rows_equal(dense_w, sparse_w, {1, 2, 4}, kind.name);
      // Untouched rows keep their values and their (zero) state.
      check_rows_equal(sparse_w, init, {0, 3, 5}, kind.name);
      nn::StateDict st = os->state_dict();
      for (const auto& [key, t] : st) {
        if (t.shape() != sparse_w.shape()) continue;
        const double start = key.rfind("sum.", 0) == 0 ? 0.1 : 0.0;  // Adagrad's initial accumulator
        for (int64_t r : {0, 3, 5})
          for (int64_t c = 0; c < 3; ++c) CHECK_MESSAGE(t.at({r, c}) == doctest::Approx(start), kind.name, " ", key);
      }
    }
  }
}

TEST_CASE("sparse rows: SGD and Adagrad equal the dense update on every row even when rows change") {
  // Without weight decay or momentum a zero gradient row is left alone by the dense rule too.
  std::vector<Kind> kinds = {
      {"SGD", [](Tensor w) { return std::make_unique<nn::SGD>(std::vector<Tensor>{w}, nn::SGDOptions{.lr = 0.1}); }},
      {"Adagrad", [](Tensor w) {
         return std::make_unique<nn::Adagrad>(std::vector<Tensor>{w}, nn::AdagradOptions{.lr = 0.1, .lr_decay = 0.2});
       }}};
  const std::vector<std::vector<int64_t>> ids_per_step = {{0, 2}, {5, 2, 2}, {3}};
  for (const auto& kind : kinds) {
    Tensor init = randn({6, 4}, {.dtype = kFloat64});
    Tensor dense_w = init.clone().set_requires_grad(true), sparse_w = init.clone().set_requires_grad(true);
    auto od = kind.make(dense_w), os = kind.make(sparse_w);
    for (const auto& v : ids_per_step) {
      Tensor ids = from_vector(v, {static_cast<int64_t>(v.size())});
      step_both(*od, *os, dense_w, sparse_w, ids, randn({ids.numel(), 4}, {.dtype = kFloat64}));
    }
    CHECK_MESSAGE(testing::max_abs_diff(dense_w, sparse_w) == 0.0, kind.name);
    check_rows_equal(sparse_w, init, {1, 4}, kind.name);
  }
}

TEST_CASE("sparse rows: Adam is lazy (untouched moments are not decayed), bias corrections use the table's t") {
  // Row 0 is looked up at steps 1 and 3 only, with gradient 1 (all weights 1), lr 0.1, eps 0.
  // Lazy rule on row 0: t1: m = 0.1, v = 0.001 -> p -= 0.1 * 1 / 1 = 0.1
  //                     t3: m = 0.09 + 0.1 = 0.19, v = 0.000999 + 0.001 = 0.001999,
  //                         p -= 0.1 * (0.19 / (1 - 0.9^3)) / (sqrt(0.001999) / sqrt(1 - 0.999^3))
  // Dense Adam would decay m, v at t2 (m = 0.09, v = 0.000999) and move the row there too.
  Tensor w = zeros({3, 2}, {.dtype = kFloat64}).set_requires_grad(true);
  nn::Adam opt({w}, {.lr = 0.1, .eps = 0});
  for (const std::vector<int64_t>& v : std::vector<std::vector<int64_t>>{{0}, {1}, {0}}) {
    opt.zero_grad();
    ops::sum(ops::embedding(w, from_vector(v, {1}), {.sparse_grad = true})).backward();
    opt.step();
  }
  const double m = 0.19, v = 0.001999;
  const double expect = -0.1 - 0.1 * (m / (1 - std::pow(0.9, 3))) / (std::sqrt(v) / std::sqrt(1 - std::pow(0.999, 3)));
  CHECK(w.at({0, 0}) == doctest::Approx(expect).epsilon(1e-13));
  CHECK(w.at({0, 0}) == doctest::Approx(-0.18584626).epsilon(1e-7));
  // Row 1, touched once at t = 2: m = 0.1, v = 0.001 from zero, corrected with t = 2 (not 1):
  // p = -0.1 * (0.1 / 0.19) / (sqrt(0.001) / sqrt(1 - 0.999^2)) = -0.0744137
  CHECK(w.at({1, 0}) == doctest::Approx(-0.1 * (0.1 / 0.19) / (std::sqrt(0.001) / std::sqrt(1 - 0.999 * 0.999))).epsilon(1e-13));
  CHECK(w.at({2, 0}) == 0.0);
  nn::StateDict st = opt.state_dict();
  CHECK(st.at("exp_avg.param.0").at({0, 0}) == doctest::Approx(0.19).epsilon(1e-14));
  CHECK(st.at("exp_avg.param.0").at({1, 0}) == doctest::Approx(0.1).epsilon(1e-14));  // not decayed at t3
  CHECK(st.at("step.param.0").item() == 3);
}

TEST_CASE("sparse rows: weight decay reaches the touched rows only") {
  Tensor w = ones({4, 2}, {.dtype = kFloat64}).set_requires_grad(true);
  nn::SGD opt({w}, {.lr = 0.5, .weight_decay = 0.2});
  ops::mul(ops::sum(ops::embedding(w, from_vector(std::vector<int64_t>{2}, {1}), {.sparse_grad = true})),
           scalar_tensor(0.0, {.dtype = kFloat64}))
      .backward();
  opt.step();
  CHECK(w.at({2, 0}) == doctest::Approx(0.9));  // 1 - 0.5 * (0 + 0.2 * 1)
  CHECK(w.at({0, 0}) == 1.0);
  CHECK(w.at({3, 1}) == 1.0);
}

TEST_CASE("sparse rows: a hand-made row-sparse gradient with repeated, unsorted rows is coalesced first") {
  Tensor w = zeros({5, 2}, {.dtype = kFloat64}).set_requires_grad(true);
  nn::SGD opt({w}, {.lr = 1.0});
  Tensor values = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2});
  w.set_grad(ops::make_row_sparse(values, from_vector(std::vector<int64_t>{3, 1, 3}, {3}), 5));
  opt.step();
  CHECK(w.at({3, 0}) == -6.0);  // rows 3 summed: 1 + 5
  CHECK(w.at({3, 1}) == -8.0);
  CHECK(w.at({1, 1}) == -4.0);
  CHECK(w.at({0, 0}) == 0.0);
}
