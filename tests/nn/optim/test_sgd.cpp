// SGD's first three steps against hand arithmetic (torch.optim.SGD's documented rule).
#include <doctest/doctest.h>

#include "tests/nn/optim/optim_test_util.h"

using namespace tg;
using namespace optim_test;

TEST_CASE("SGD: plain steps, constant gradient") {
  // p -= 0.1 g with g = (0.5, -1): (1, -2) -> (0.95, -1.9) -> (0.9, -1.8) -> (0.85, -1.7)
  Tensor p = param2(1, -2);
  nn::SGD opt({p}, {.lr = 0.1});
  const double expect[3][2] = {{0.95, -1.9}, {0.9, -1.8}, {0.85, -1.7}};
  for (const auto& e : expect) {
    step(opt, p, [](const Tensor& x) { grad_const(x, 0.5, -1); });
    CHECK(p.at({0}) == doctest::Approx(e[0]).epsilon(1e-15));
    CHECK(p.at({1}) == doctest::Approx(e[1]).epsilon(1e-15));
  }
}

TEST_CASE("SGD: weight decay folds into the gradient") {
  // g = 1 + 0.5 p, lr 0.1 from p = 1:
  // t1: 1 - 0.1 (1 + 0.5)      = 0.85
  // t2: 0.85 - 0.1 (1 + 0.425) = 0.7075
  // t3: 0.7075 - 0.1 (1 + 0.35375) = 0.572125
  Tensor p = param2(1, 0);
  nn::SGD opt({p}, {.lr = 0.1, .weight_decay = 0.5});
  for (double e : {0.85, 0.7075, 0.572125}) {
    step(opt, p, [](const Tensor& x) { grad_const(x, 1, 0); });
    CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-14));
  }
  CHECK(p.at({1}) == 0.0);  // zero gradient, zero weight: no move
}

TEST_CASE("SGD: momentum, dampening, Nesterov, momentum with weight decay") {
  SUBCASE("momentum 0.9 on f = p^2/2 (g = p), lr 0.1, p0 = 1") {
    // t1: g = 1,    b = g = 1,                 p = 1 - 0.1         = 0.9
    // t2: g = 0.9,  b = 0.9 * 1 + 0.9 = 1.8,    p = 0.9 - 0.18      = 0.72
    // t3: g = 0.72, b = 0.9 * 1.8 + 0.72 = 2.34, p = 0.72 - 0.234   = 0.486
    Tensor p = param2(1, 0);
    nn::SGD opt({p}, {.lr = 0.1, .momentum = 0.9});
    for (double e : {0.9, 0.72, 0.486}) {
      step(opt, p, grad_quadratic);
      CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-14));
    }
  }
  SUBCASE("dampening 0.5: the first buffer is g itself, later ones add (1 - 0.5) g") {
    // g = 1, mu 0.9, lr 0.1, p0 = 0:
    // t1: b = 1,                   p = -0.1
    // t2: b = 0.9 + 0.5 = 1.4,     p = -0.1 - 0.14  = -0.24
    // t3: b = 1.26 + 0.5 = 1.76,   p = -0.24 - 0.176 = -0.416
    Tensor p = param2(0, 0);
    nn::SGD opt({p}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.5});
    for (double e : {-0.1, -0.24, -0.416}) {
      step(opt, p, [](const Tensor& x) { grad_const(x, 1, 0); });
      CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-14));
    }
  }
  SUBCASE("Nesterov: p -= lr (g + mu b)") {
    // g = p, mu 0.9, lr 0.1, p0 = 1:
    // t1: g = 1,      b = 1,                      p = 1 - 0.1 (1 + 0.9)           = 0.81
    // t2: g = 0.81,   b = 0.9 + 0.81 = 1.71,      p = 0.81 - 0.1 (0.81 + 1.539)   = 0.5751
    // t3: g = 0.5751, b = 1.539 + 0.5751 = 2.1141, p = 0.5751 - 0.1 (0.5751 + 1.90269) = 0.327321
    Tensor p = param2(1, 0);
    nn::SGD opt({p}, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
    for (double e : {0.81, 0.5751, 0.327321}) {
      step(opt, p, grad_quadratic);
      CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-13));
    }
  }
  SUBCASE("momentum 0.9 with weight decay 0.1, constant g = 1, lr 0.1, p0 = 1") {
    // t1: d = 1 + 0.1,      b = 1.1,                     p = 1 - 0.11       = 0.89
    // t2: d = 1 + 0.089,    b = 0.99 + 1.089 = 2.079,     p = 0.89 - 0.2079  = 0.6821
    // t3: d = 1 + 0.06821,  b = 1.8711 + 1.06821 = 2.93931, p = 0.6821 - 0.293931 = 0.388169
    Tensor p = param2(1, 0);
    nn::SGD opt({p}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.1});
    for (double e : {0.89, 0.6821, 0.388169}) {
      step(opt, p, [](const Tensor& x) { grad_const(x, 1, 0); });
      CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-13));
    }
  }
}

TEST_CASE("SGD: float32 parameters follow the same rule") {
  Tensor p = from_vector(std::vector<float>{1.f, -2.f}, {2}).set_requires_grad(true);
  nn::SGD opt({p}, {.lr = 0.1, .momentum = 0.9});
  for (double e : {0.9, 0.72, 0.486}) {
    opt.zero_grad();
    ops::mul(ops::sum(ops::mul(p, p)), scalar_tensor(0.5)).backward();
    opt.step();
    CHECK(p.at({0}) == doctest::Approx(e).epsilon(1e-6));
  }
}

TEST_CASE("SGD: bad options are refused") {
  CHECK_THROWS_WITH_AS(nn::SGD({param2(0, 0)}, {.nesterov = true}), doctest::Contains("Nesterov"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD({param2(0, 0)}, {.momentum = -1}), doctest::Contains("momentum must be >= 0"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD({param2(0, 0)}, {.lr = -0.1}), doctest::Contains("negative learning rate"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD({param2(0, 0)}, {.weight_decay = -1}), doctest::Contains("negative weight decay"),
                       Error);
}
