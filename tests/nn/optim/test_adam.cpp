// Adam, AdamW and AMSGrad: the first three steps against hand arithmetic (torch.optim.Adam /
// AdamW's documented rules):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t)
//   p -= lr m^ / (sqrt(v^) + eps)
// The numbers were worked out step by step (the intermediate m, v written beside them).
#include <doctest/doctest.h>

#include <functional>

#include "tests/nn/optim/optim_test_util.h"

using namespace tg;
using namespace optim_test;

namespace {
void check_steps(nn::Optimizer& opt, const Tensor& p, const std::function<void(const Tensor&)>& grad,
                 const double (&expect)[3][2], double rel) {
  for (const auto& e : expect) {
    step(opt, p, grad);
    CHECK(p.at({0}) == doctest::Approx(e[0]).epsilon(rel));
    CHECK(p.at({1}) == doctest::Approx(e[1]).epsilon(rel));
  }
}
}  // namespace

TEST_CASE("Adam: constant gradient moves lr per step (m^ = g, v^ = g^2 exactly)") {
  // With g constant, m^ = g and v^ = g^2 for every t, so each step is lr * sign(g) (eps = 0).
  Tensor p = param2(1, -2);
  nn::Adam opt({p}, {.lr = 0.1, .eps = 0});
  const double expect[3][2] = {{0.9, -1.9}, {0.8, -1.8}, {0.7, -1.7}};
  check_steps(opt, p, [](const Tensor& x) { grad_const(x, 0.5, -1); }, expect, 1e-14);
}

TEST_CASE("Adam: three steps on f = p^2/2 (g = p), lr 0.1, betas (0.9, 0.999), eps 0") {
  // element 0, p0 = 1:
  // t1: g = 1,          m = 0.1,          v = 0.001,          m^ = 1,            v^ = 1            p = 0.9
  // t2: g = 0.9,        m = 0.18,         v = 0.001809,       m^ = 0.18/0.19 = 0.947368421,
  //                     v^ = 0.001809/0.001999 = 0.904952476, p = 0.9 - 0.1 * 0.947368421/0.951290… = 0.800412228
  // t3: g = 0.800412228, m = 0.242041223, v = 0.002447850734, m^ = 0.893141043, v^ = 0.816766739,
  //                     p = 0.800412228 - 0.1 * 0.893141043/0.903751… = 0.701586271
  // element 1, p0 = -2 (the same path scaled, not exactly: v mixes g^2): -1.9, -1.800166486, -1.700623391
  Tensor p = param2(1, -2);
  nn::Adam opt({p}, {.lr = 0.1, .eps = 0});
  const double expect[3][2] = {{0.9, -1.9},
                               {0.80041222767124764, -1.8001664856103092},
                               {0.70158627138764562, -1.7006233912808162}};
  check_steps(opt, p, grad_quadratic, expect, 1e-13);
}

TEST_CASE("Adam: weight decay as L2 in the gradient, eps 1e-8") {
  // g = (0.5, -1) + 0.1 p, lr 0.1. Element 0, p0 = 1:
  // t1: g = 0.6,          m = 0.06,         v = 0.00036,        m^ = 0.6, v^ = 0.36,
  //     p = 1 - 0.1 * 0.6/(0.6 + 1e-8)                 = 0.9000000016666666
  // t2: g = 0.5900000002, m = 0.113,        v = 0.00070774,     m^ = 0.594736842, v^ = 0.354047024,
  //     p = 0.9000000017 - 0.1 * 0.594736842/(0.595018… + 1e-8) = 0.8000473404883315
  // t3: g = 0.580004734,  m = 0.159700473,  v = 0.001043437752, m^ = 0.589300640, v^ = 0.348160629,
  //     p = 0.70017457481411893
  Tensor p = param2(1, -2);
  nn::Adam opt({p}, {.lr = 0.1, .weight_decay = 0.1});
  const double expect[3][2] = {{0.9000000016666666, -1.9000000008333333},
                               {0.80004734048833148, -1.8000226891227293},
                               {0.70017457481411893, -1.7000833914807671}};
  check_steps(opt, p, [](const Tensor& x) { grad_const(x, 0.5, -1); }, expect, 1e-13);
}

TEST_CASE("AdamW: decoupled weight decay shrinks p before the Adam step") {
  // g = p, wd 0.1, lr 0.1, eps 0. Element 0, p0 = 1:
  // t1: p = 1 * (1 - 0.01) = 0.99; g = 1 (taken before the decay); m = 0.1, v = 0.001 -> p = 0.99 - 0.1 = 0.89
  // t2: g = 0.89, p = 0.89 * 0.99 = 0.8811; m = 0.179, v = 0.0017911, m^ = 0.942105263, v^ = 0.895997999
  //     p = 0.8811 - 0.1 * 0.942105263/0.946571… = 0.78157185491884862
  // t3: g = 0.781571855, m = 0.239257186, v = 0.002400163464 -> p = 0.67510122009093876
  Tensor p = param2(1, -2);
  nn::AdamW opt({p}, {.lr = 0.1, .eps = 0, .weight_decay = 0.1});
  CHECK(opt.name() == "AdamW");
  const double expect[3][2] = {{0.89, -1.88},
                               {0.78157185491884862, -1.7614089500805357},
                               {0.67510122009093876, -1.6443686827991695}};
  check_steps(opt, p, grad_quadratic, expect, 1e-13);
}

TEST_CASE("Adam vs AdamW with a zero gradient, and AdamW's default weight decay") {
  // Adam: g = 0 + 0.1 * 1 = 0.1 -> a full step of lr: 0.9. AdamW: p = 1 - 0.1*0.1 = 0.99, g = 0 -> 0.99.
  Tensor a = param2(1, 0), b = param2(1, 0), c = param2(1, 0);
  nn::Adam adam({a}, {.lr = 0.1, .weight_decay = 0.1});
  nn::AdamW adamw({b}, {.lr = 0.1, .weight_decay = 0.1});
  nn::AdamW adamw_default({c}, {.lr = 0.1});  // weight decay unset: PyTorch's 0.01
  step(adam, a, [](const Tensor& x) { grad_const(x, 0, 0); });
  step(adamw, b, [](const Tensor& x) { grad_const(x, 0, 0); });
  step(adamw_default, c, [](const Tensor& x) { grad_const(x, 0, 0); });
  CHECK(a.at({0}) == doctest::Approx(0.9).epsilon(1e-7));
  CHECK(b.at({0}) == doctest::Approx(0.99).epsilon(1e-15));
  CHECK(c.at({0}) == doctest::Approx(0.999).epsilon(1e-15));  // 1 - 0.1 * 0.01
  CHECK(adamw_default.group(0).weight_decay == 0.01);
  CHECK(nn::Adam({param2(0, 0)}).group(0).weight_decay == 0.0);
}

TEST_CASE("Adam AMSGrad: the max of v is used once v falls") {
  // Gradients (10, -1), then (0.1, 0.1) twice; lr 0.1, eps 0. Element 0 (v falls after t1):
  // t1: m = 1,     v = 0.1,        vmax = 0.1   -> p = -0.1
  // t2: m = 0.91,  v = 0.09991,    vmax = 0.1   m^ = 4.789473684, vmax^ = 0.1/0.001999 = 50.02501251
  //     p = -0.1 - 0.1 * 4.789473684/7.072836… = -0.16771645094459539  (plain Adam: -0.16774694393183123)
  // t3: m = 0.829, v = 0.09982009, vmax = 0.1   -> p = -0.22067409833473234  (plain Adam: -0.22075229374941466)
  // Element 1 (v rises: vmax = v, as plain Adam): 0.1, 0.15926485142540403, 0.19851975124251636
  const double grads[3][2] = {{10, -1}, {0.1, 0.1}, {0.1, 0.1}};
  int t = 0;
  auto grad = [&](const Tensor& x) {
    grad_const(x, grads[t][0], grads[t][1]);
    ++t;
  };
  Tensor p = param2(0, 0);
  nn::Adam ams({p}, {.lr = 0.1, .eps = 0, .amsgrad = true});
  const double expect[3][2] = {{-0.1, 0.1},
                               {-0.16771645094459539, 0.15926485142540403},
                               {-0.22067409833473234, 0.19851975124251636}};
  check_steps(ams, p, grad, expect, 1e-13);
  t = 0;
  Tensor q = param2(0, 0);
  nn::Adam plain({q}, {.lr = 0.1, .eps = 0});
  const double expect_plain[3][2] = {{-0.1, 0.1},
                                     {-0.16774694393183123, 0.15926485142540403},
                                     {-0.22075229374941466, 0.19851975124251636}};
  check_steps(plain, q, grad, expect_plain, 1e-13);
  CHECK(ams.state_dict().count("max_exp_avg_sq.param.0") == 1);
}

TEST_CASE("Adam: bad options are refused") {
  CHECK_THROWS_WITH_AS(nn::Adam({param2(0, 0)}, {.beta1 = 1.0}), doctest::Contains("betas must be in [0, 1)"), Error);
  CHECK_THROWS_WITH_AS(nn::AdamW({param2(0, 0)}, {.eps = -1}), doctest::Contains("AdamW: eps must be >= 0"), Error);
}
