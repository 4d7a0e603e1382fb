#include <doctest/doctest.h>

#include <cmath>

#include "core/tapegrad.h"
#include "nn/optim/optim.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {

// A 2-element float64 parameter whose gradient is exactly `g` (loss = sum(g * p)).
Tensor param2(double a, double b) { return from_vector(std::vector<double>{a, b}, {2}).set_requires_grad(true); }
void backward_const(const Tensor& p, double ga, double gb) {
  ops::sum(ops::mul(p, from_vector(std::vector<double>{ga, gb}, {2}))).backward();
}
// loss = sum(p^2) / 2: gradient p, so the gradient changes between steps.
void backward_quadratic(const Tensor& p) { ops::mul(ops::sum(ops::mul(p, p)), scalar_tensor(0.5, {.dtype = kFloat64})).backward(); }

}  // namespace

TEST_CASE("SGD: three plain steps and momentum/Nesterov by hand") {
  Tensor p = param2(1, -2);
  nn::SGD opt({p}, {.lr = 0.1});
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    backward_const(p, 0.5, -1);
  opt.step();
  }
  // p -= 0.1 * g three times: 1 - 0.15, -2 + 0.3
  CHECK(p.at({0}) == doctest::Approx(0.85).epsilon(1e-15));
  CHECK(p.at({1}) == doctest::Approx(-1.7).epsilon(1e-15));

  // Momentum 0.9 on f = p^2/2 from p = 1, lr 0.1:
  // t1: g=1, b=1, p=0.9; t2: g=0.9, b=0.9*1+0.9=1.8, p=0.72; t3: g=0.72, b=1.62+0.72=2.34, p=0.486
  Tensor q = param2(1, 0);
  nn::SGD mom({q}, {.lr = 0.1, .momentum = 0.9});
  double expect[] = {0.9, 0.72, 0.486};
  for (double e : expect) {
    mom.zero_grad();
    backward_quadratic(q);
    mom.step();
    CHECK(q.at({0}) == doctest::Approx(e).epsilon(1e-14));
  }
  // Nesterov: t1: g=1, b=1, p = 1 - 0.1(1 + 0.9) = 0.81; t2: g=0.81, b=0.9+0.81=1.71,
  // p = 0.81 - 0.1(0.81 + 1.539) = 0.5751; t3: g=0.5751, b=1.539+0.5751=2.1141,
  // p = 0.5751 - 0.1(0.5751 + 1.90269) = 0.327321
  Tensor r = param2(1, 0);
  nn::SGD nes({r}, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  double expect_n[] = {0.81, 0.5751, 0.327321};
  for (double e : expect_n) {
    nes.zero_grad();
    backward_quadratic(r);
    nes.step();
    CHECK(r.at({0}) == doctest::Approx(e).epsilon(1e-13));
  }
  // Weight decay 0.5 on a constant gradient 1 from p=1, lr 0.1: p -= 0.1 (1 + 0.5 p)
  // t1: 1 - 0.15 = 0.85; t2: 0.85 - 0.1425 = 0.7075; t3: 0.7075 - 0.135375 = 0.572125
  Tensor w = param2(1, 0);
  nn::SGD wd({w}, {.lr = 0.1, .weight_decay = 0.5});
  double expect_w[] = {0.85, 0.7075, 0.572125};
  for (double e : expect_w) {
    wd.zero_grad();
    backward_const(w, 1, 0);
    wd.step();
    CHECK(w.at({0}) == doctest::Approx(e).epsilon(1e-14));
  }
  CHECK_THROWS_WITH_AS(nn::SGD({param2(0, 0)}, {.nesterov = true}), doctest::Contains("Nesterov"), Error);
}

TEST_CASE("Adam: three steps by hand") {
  // With a constant gradient, m_hat = g and v_hat = g^2 exactly, so each step moves
  // lr * g / |g| (eps = 0): 0.1 per step in the sign of g.
  Tensor p = param2(1, -2);
  nn::Adam opt({p}, {.lr = 0.1, .eps = 0});
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    backward_const(p, 0.5, -1);
    opt.step();
  }
  CHECK(p.at({0}) == doctest::Approx(0.7).epsilon(1e-14));
  CHECK(p.at({1}) == doctest::Approx(-1.7).epsilon(1e-14));

  // f = p^2/2 from p = 1, lr 0.1, betas (0.9, 0.999), eps 0:
  // t1: g=1, m=0.1, v=0.001, m^=1, v^=1, p=0.9
  // t2: g=0.9, m=0.09+0.09=0.18, v=0.000999+0.00081=0.001809, m^=0.18/0.19=0.947368...,
  //     v^=0.001809/0.001999=0.904952..., p = 0.9 - 0.1*0.947368/0.951290 = 0.800412...
  Tensor q = param2(1, 0);
  nn::Adam adam({q}, {.lr = 0.1, .eps = 0});
  double m = 0, v = 0, x = 1;
  for (int t = 1; t <= 3; ++t) {
    adam.zero_grad();
    backward_quadratic(q);
    adam.step();
    double g = x;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    x -= 0.1 * (m / (1 - std::pow(0.9, t))) / std::sqrt(v / (1 - std::pow(0.999, t)));
    CHECK(q.at({0}) == doctest::Approx(x).epsilon(1e-12));
  }
  CHECK(x == doctest::Approx(0.7008).epsilon(1e-3));  // the hand values above continue to ~0.7008
}

TEST_CASE("Adam vs AdamW weight decay, and AMSGrad") {
  // Adam folds decay into g; AdamW shrinks p first. From p = 1, constant gradient 0, wd 0.1, lr 0.1:
  // Adam: g = 0.1 -> a full step of 0.1 -> 0.9. AdamW: p = 1 * (1 - 0.01) = 0.99, g = 0 -> 0.99.
  Tensor a = param2(1, 0), b = param2(1, 0);
  nn::Adam adam({a}, {.lr = 0.1, .weight_decay = 0.1});
  nn::AdamW adamw({b}, {.lr = 0.1, .weight_decay = 0.1});
  backward_const(a, 0, 0);
  backward_const(b, 0, 0);
  adam.step();
  adamw.step();
  CHECK(a.at({0}) == doctest::Approx(0.9).epsilon(1e-7));
  CHECK(b.at({0}) == doctest::Approx(0.99).epsilon(1e-15));
  CHECK(adamw.name() == "AdamW");

  // AMSGrad keeps the max of v: gradients 1, then 0.1. Step 2 uses vmax = v1-decayed max.
  Tensor c = param2(0, 0);
  nn::Adam ams({c}, {.lr = 0.1, .eps = 0, .amsgrad = true});
  backward_const(c, 1, 0);
  ams.step();
  ams.zero_grad();
  backward_const(c, 0.1, 0);
  ams.step();
  double m = 0.9 * 0.1 + 0.1 * 0.1;            // 0.1
  double v = 0.999 * 0.001 + 0.001 * 0.01;     // 0.001009 (> v1 = 0.001, so vmax = v)
  double expect = -0.1 - 0.1 * (m / 0.19) / std::sqrt(v / (1 - 0.999 * 0.999));
  CHECK(c.at({0}) == doctest::Approx(expect).epsilon(1e-12));
}

TEST_CASE("Adagrad: three steps by hand") {
  // Constant gradient 2 from p = 0, lr 0.1, eps 0: sum = 4t, step = 0.1 * 2 / (2 sqrt(t)).
  Tensor p = param2(0, 0);
  nn::Adagrad opt({p}, {.lr = 0.1, .eps = 0});
  double x = 0;
  for (int t = 1; t <= 3; ++t) {
    opt.zero_grad();
    backward_const(p, 2, 0);
    opt.step();
    x -= 0.1 / std::sqrt(t);
    CHECK(p.at({0}) == doctest::Approx(x).epsilon(1e-14));
  }
  CHECK(x == doctest::Approx(-(0.1 + 0.0707107 + 0.0577350)).epsilon(1e-6));
}

TEST_CASE("optimizers: a row-sparse step equals the dense step on touched rows, untouched rows stay") {
  for (int kind = 0; kind < 4; ++kind) {
    Tensor init = randn({6, 3}, {.dtype = kFloat64});
    Tensor dense_w = init.clone().set_requires_grad(true), sparse_w = init.clone().set_requires_grad(true);
    auto make = [&](Tensor w) -> std::unique_ptr<nn::Optimizer> {
      switch (kind) {
        case 0: return std::make_unique<nn::SGD>(std::vector<Tensor>{w}, nn::SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
        case 1: return std::make_unique<nn::Adam>(std::vector<Tensor>{w}, nn::AdamOptions{.lr = 0.1, .weight_decay = 0.01});
        case 2: return std::make_unique<nn::AdamW>(std::vector<Tensor>{w}, nn::AdamOptions{.lr = 0.1});
        default: return std::make_unique<nn::Adagrad>(std::vector<Tensor>{w}, nn::AdagradOptions{.lr = 0.1});
      }
    };
    auto od = make(dense_w), os = make(sparse_w);
    Tensor ids = from_vector(std::vector<int64_t>{4, 1, 4, 2}, {4});  // rows 1, 2, 4 touched every step
    Tensor weights = randn({4, 3}, {.dtype = kFloat64});
    for (int step = 0; step < 3; ++step) {
      od->zero_grad();
      os->zero_grad();
      ops::sum(ops::mul(ops::embedding(dense_w, ids), weights)).backward();
      ops::sum(ops::mul(ops::embedding(sparse_w, ids, {.sparse_grad = true}), weights)).backward();
      REQUIRE(sparse_w.grad().is_row_sparse());
      od->step();
      os->step();
    }
    for (int64_t r : {1, 2, 4})
      for (int64_t c = 0; c < 3; ++c) CHECK_MESSAGE(sparse_w.at({r, c}) == doctest::Approx(dense_w.at({r, c})).epsilon(1e-13), od->name());
    // Untouched rows: no gradient, so no change under the sparse (lazy) update.
    for (int64_t r : {0, 3, 5})
      for (int64_t c = 0; c < 3; ++c) CHECK(sparse_w.at({r, c}) == init.at({r, c}));
  }
}

TEST_CASE("optimizers: state_dict round trip continues bit-identically; bad state is refused") {
  Tensor init = randn({4, 3});
  Tensor a = init.clone().set_requires_grad(true).set_name("w"), b = init.clone().set_requires_grad(true).set_name("w");
  nn::Adam oa({a}, {.lr = 0.05, .amsgrad = true});
  auto step = [](nn::Optimizer& o, Tensor& p) {
    o.zero_grad();
    ops::sum(ops::mul(ops::mul(p, p), p)).backward();
    o.step();
  };
  step(oa, a);
  step(oa, a);
  nn::StateDict saved = oa.state_dict();
  CHECK(saved.count("exp_avg.w") == 1);
  CHECK(saved.count("max_exp_avg_sq.w") == 1);
  CHECK(saved.at("step.w").item() == 2);
  // b gets a's values and optimizer state, then both continue.
  {
    NoGradGuard g;
    b.copy_(a);
  }
  nn::Adam ob({b}, {.lr = 0.05, .amsgrad = true});
  nn::StateDict copy;
  for (auto& [k, t] : saved) copy[k] = t.clone();
  ob.load_state_dict(copy);
  step(oa, a);
  step(ob, b);
  CHECK(testing::max_abs_diff(a, b) == 0.0);

  nn::StateDict bad = copy;
  bad.erase("exp_avg.w");
  bad["exp_avg_sq.w"] = zeros({2});
  bad["junk"] = zeros({1});
  CHECK_THROWS_WITH_AS(ob.load_state_dict(bad), doctest::Contains("missing 'exp_avg.w'"), Error);
  CHECK_THROWS_WITH_AS(ob.load_state_dict(bad), doctest::Contains("'exp_avg_sq.w': expected float32 [4,3], got float32 [2]"), Error);
  CHECK_THROWS_WITH_AS(ob.load_state_dict(bad), doctest::Contains("unexpected 'junk'"), Error);
}

TEST_CASE("optimizers: groups give embeddings their own weight decay") {
  struct M : nn::Module {
    Tensor w = add_param("w", ones({2}));
    Tensor e = add_param("e", ones({3, 2}), nn::ParamRole::Embedding);
  } m;
  nn::SGD opt(m.named_parameters(), {.lr = 1, .weight_decay = 0, .embedding_weight_decay = 0.5});
  REQUIRE(opt.num_groups() == 2);
  ops::mul(ops::sum(m.w), scalar_tensor(0)).backward();
  ops::mul(ops::sum(m.e), scalar_tensor(0)).backward();
  opt.step();
  CHECK(m.w.at({0}) == 1.0);   // no decay on dense
  CHECK(m.e.at({0, 0}) == 0.5);  // 1 - 1 * 0.5 * 1
  opt.set_lr(0.25, 1);
  CHECK(opt.lr(1) == 0.25);
  CHECK(opt.lr(0) == 1);
  CHECK_THROWS_WITH_AS(opt.lr(2), doctest::Contains("group 2 out of range"), Error);
}

TEST_CASE("clip_grad_norm_: total norm and scaling, as PyTorch") {
  Tensor a = param2(0, 0), b = param2(0, 0);
  backward_const(a, 3, 0);
  backward_const(b, 0, 4);
  double total = nn::clip_grad_norm_({a, b}, 1.0);
  CHECK(total == doctest::Approx(5.0));
  CHECK(a.grad().at({0}) == doctest::Approx(3.0 / (5 + 1e-6)));
  CHECK(b.grad().at({1}) == doctest::Approx(4.0 / (5 + 1e-6)));
  // Below the limit nothing changes.
  double again = nn::clip_grad_norm_({a, b}, 10.0);
  CHECK(again == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(a.grad().at({0}) == doctest::Approx(3.0 / (5 + 1e-6)));
  // Infinity norm and value clipping.
  CHECK(nn::clip_grad_norm_({a, b}, 100.0, INFINITY) == doctest::Approx(4.0 / (5 + 1e-6)));
  nn::clip_grad_value_({a}, 0.1);
  CHECK(a.grad().at({0}) == doctest::Approx(0.1));
  // A sparse gradient counts its stored rows.
  Tensor table = zeros({10, 2}).set_requires_grad(true);
  ops::sum(ops::embedding(table, from_vector(std::vector<int64_t>{7}, {1}), {.sparse_grad = true})).backward();
  CHECK(nn::clip_grad_norm_({table}, 100.0) == doctest::Approx(std::sqrt(2.0)));
}

TEST_CASE("schedules: step, cosine, warmup and plateau by hand") {
  Tensor p = param2(0, 0);
  nn::SGD opt({p}, {.lr = 1.0});
  nn::LRScheduler step_s(opt, std::make_shared<nn::StepLR>(2, 0.5));
  std::vector<double> seen;
  for (int i = 0; i < 5; ++i) {
    seen.push_back(opt.lr());
    step_s.step();
  }
  CHECK(seen == std::vector<double>{1, 1, 0.5, 0.5, 0.25});

  nn::SGD opt2({param2(0, 0)}, {.lr = 1.0});
  nn::LRScheduler cos_s(opt2, std::make_shared<nn::CosineLR>(4, 0.0));
  cos_s.step();
  CHECK(opt2.lr() == doctest::Approx((1 + std::cos(M_PI / 4)) / 2));
  cos_s.step();
  CHECK(opt2.lr() == doctest::Approx(0.5));
  for (int i = 0; i < 4; ++i) cos_s.step();
  CHECK(opt2.lr() == doctest::Approx(0.0));  // stays at eta_min after T_max

  nn::SGD opt3({param2(0, 0)}, {.lr = 1.0});
  nn::LRScheduler warm(opt3, std::make_shared<nn::WarmupLR>(4, std::make_shared<nn::StepLR>(1, 0.5)));
  std::vector<double> w;
  for (int i = 0; i < 6; ++i) {
    w.push_back(opt3.lr());
    warm.step();
  }
  CHECK(w == std::vector<double>{0.25, 0.5, 0.75, 1.0, 1.0, 0.5});
  auto state = warm.state_dict();
  nn::SGD opt4({param2(0, 0)}, {.lr = 1.0});
  nn::LRScheduler warm2(opt4, std::make_shared<nn::WarmupLR>(4, std::make_shared<nn::StepLR>(1, 0.5)));
  warm2.load_state_dict(state);
  CHECK(opt4.lr() == opt3.lr());

  nn::SGD opt5({param2(0, 0)}, {.lr = 1.0});
  nn::ReduceLROnPlateau plateau(opt5, {.factor = 0.1, .patience = 1, .min_lr = 0.05});
  CHECK(!plateau.step(0.7));   // best 0.7
  CHECK(!plateau.step(0.69));  // 1 bad epoch: tolerated
  CHECK(plateau.step(0.70));   // 2 bad: reduce to 0.1
  CHECK(opt5.lr() == doctest::Approx(0.1));
  CHECK(!plateau.step(0.8));   // improvement
  CHECK(!plateau.step(0.8));
  CHECK(plateau.step(0.8));    // reduce again, floored at min_lr
  CHECK(opt5.lr() == doctest::Approx(0.05));
  CHECK(!plateau.step(0.1));
  CHECK(!plateau.step(0.1));   // at min_lr already: nothing to reduce
}
