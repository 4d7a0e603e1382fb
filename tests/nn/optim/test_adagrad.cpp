// Adagrad's first three steps against hand arithmetic (torch.optim.Adagrad's documented rule):
//   g += wd p;  clr = lr / (1 + (t - 1) lr_decay);  sum += g^2;  p -= clr g / (sqrt(sum) + eps)
#include <doctest/doctest.h>

#include "tests/nn/optim/optim_test_util.h"

using namespace tg;
using namespace optim_test;

TEST_CASE("Adagrad: constant gradient, eps 0") {
  // g = (2, -1): sum = 4t and t resp., so each step moves 0.1 * |g| / (|g| sqrt(t)) = 0.1 / sqrt(t):
  // p0: -0.1, -0.1 - 0.0707106781 = -0.1707106781, -0.1707106781 - 0.0577350269 = -0.2284457050
  Tensor p = param2(0, 0);
  nn::Adagrad opt({p}, {.lr = 0.1, .eps = 0});
  const double expect[3] = {-0.1, -0.17071067811865476, -0.22844570503761735};
  for (double e : expect) {
    step(opt, p, [](const Tensor& x) { grad_const(x, 2, -1); });
    CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-14));
    CHECK(p.at({1}) == doctest::Approx(-e).epsilon(1e-14));
  }
}

TEST_CASE("Adagrad: lr_decay, initial accumulator and weight decay") {
  // g = p + 0.2 p = 1.2 p, lr 0.1, lr_decay 0.5, sum0 = 0.1, eps 1e-10, p0 = 1:
  // t1: clr = 0.1,            g = 1.2,         sum = 0.1 + 1.44 = 1.54,
  //     p = 1 - 0.1 * 1.2/sqrt(1.54)                               = 0.90330124432474657
  // t2: clr = 0.1/1.5,        g = 1.083961493, sum = 2.714972519,
  //     p = 0.903301244 - 0.0666666667 * 1.083961493/1.647717… = 0.85944414781894996
  // t3: clr = 0.1/2 = 0.05,   g = 1.031332977, sum = 3.778620229,
  //     p = 0.859444148 - 0.05 * 1.031332977/1.943867… = 0.83291628357114067
  Tensor p = param2(1, -2);
  nn::Adagrad opt({p}, {.lr = 0.1, .lr_decay = 0.5, .weight_decay = 0.2, .initial_accumulator_value = 0.1});
  const double expect[3][2] = {{0.90330124432474657, -1.9008569138314522},
                               {0.85944414781894996, -1.8551374436175074},
                               {0.83291628357114067, -1.8273268031194803}};
  for (const auto& e : expect) {
    step(opt, p, optim_test::grad_quadratic);
    CHECK(p.at({0}) == doctest::Approx(e[0]).epsilon(1e-13));
    CHECK(p.at({1}) == doctest::Approx(e[1]).epsilon(1e-13));
  }
  CHECK(opt.state_dict().at("sum.param.0").at({0}) == doctest::Approx(3.778620229).epsilon(1e-9));
}

TEST_CASE("Adagrad: bad options are refused") {
  CHECK_THROWS_WITH_AS(nn::Adagrad({param2(0, 0)}, {.lr_decay = -1}), doctest::Contains("lr_decay must be >= 0"),
                       Error);
  CHECK_THROWS_WITH_AS(nn::Adagrad({param2(0, 0)}, {.initial_accumulator_value = -1}),
                       doctest::Contains("initial_accumulator_value"), Error);
}
