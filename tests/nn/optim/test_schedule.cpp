// LR schedules and ReduceLROnPlateau: LR sequences against hand values, and resume.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "tests/nn/optim/optim_test_util.h"

using namespace tg;
using namespace optim_test;

namespace {
// The LR before each of n scheduler steps.
std::vector<double> lrs(nn::Optimizer& opt, nn::LRScheduler& s, int n, size_t group = 0) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(opt.lr(group));
    s.step();
  }
  return out;
}
}  // namespace

TEST_CASE("schedules: constant and step") {
  nn::SGD opt({param2(0, 0)}, {.lr = 1.0});
  nn::LRScheduler c(opt, std::make_shared<nn::ConstantLR>());
  CHECK(lrs(opt, c, 3) == std::vector<double>{1, 1, 1});
  nn::SGD opt2({param2(0, 0)}, {.lr = 1.0});
  nn::LRScheduler s(opt2, std::make_shared<nn::StepLR>(2, 0.5));  // 1 * 0.5^floor(t/2)
  CHECK(lrs(opt2, s, 5) == std::vector<double>{1, 1, 0.5, 0.5, 0.25});
  CHECK(s.steps() == 5);
  CHECK_THROWS_WITH_AS(nn::StepLR(0), doctest::Contains("step_size must be positive"), Error);
}

TEST_CASE("schedules: cosine from base to eta_min over T_max, then flat") {
  // base 1, eta_min 0.2, T_max 4: 0.2 + 0.8 (1 + cos(pi t / 4)) / 2
  nn::SGD opt({param2(0, 0)}, {.lr = 1.0});
  nn::LRScheduler s(opt, std::make_shared<nn::CosineLR>(4, 0.2));
  std::vector<double> got = lrs(opt, s, 7);
  const double pi = std::numbers::pi;
  const double expect[] = {1.0, 0.2 + 0.4 * (1 + std::cos(pi / 4)), 0.6, 0.2 + 0.4 * (1 + std::cos(3 * pi / 4)),
                           0.2, 0.2, 0.2};
  for (size_t i = 0; i < 7; ++i) CHECK(got[i] == doctest::Approx(expect[i]).epsilon(1e-15));
}

TEST_CASE("schedules: linear warmup wrapping another schedule; two groups keep their own base") {
  struct M : nn::Module {
    Tensor w = add_param("w", ones({2}));
    Tensor e = add_param("e", ones({3, 2}), nn::ParamRole::Embedding);
  } m;
  nn::Adam opt(m.named_parameters(), {.lr = 1.0});
  opt.set_lr(0.5, 1);
  // 4 warm-up steps at base (t+1)/4, then StepLR(1, 0.5) from t = 4.
  nn::LRScheduler warm(opt, std::make_shared<nn::WarmupLR>(4, std::make_shared<nn::StepLR>(1, 0.5)));
  std::vector<double> g0, g1;
  for (int i = 0; i < 6; ++i) {
    g0.push_back(opt.lr(0));
    g1.push_back(opt.lr(1));
    warm.step();
  }
  CHECK(g0 == std::vector<double>{0.25, 0.5, 0.75, 1.0, 1.0, 0.5});
  CHECK(g1 == std::vector<double>{0.125, 0.25, 0.375, 0.5, 0.5, 0.25});

  // Resume: a fresh scheduler (built while the optimizer still has its base LRs) loads t.
  nn::StateDict state = warm.state_dict();
  CHECK(state.at("scheduler.t").item() == 6);
  CHECK(state.at("scheduler.base_lr.1").item() == 0.5);
  nn::Adam opt2(m.named_parameters(), {.lr = 7.0});
  nn::LRScheduler warm2(opt2, std::make_shared<nn::WarmupLR>(4, std::make_shared<nn::StepLR>(1, 0.5)));
  warm2.load_state_dict(state);
  CHECK(opt2.lr(0) == opt.lr(0));
  CHECK(opt2.lr(1) == opt.lr(1));
  warm.step();
  warm2.step();
  CHECK(opt2.lr(1) == opt.lr(1));
  state.erase("scheduler.base_lr.1");
  CHECK_THROWS_WITH_AS(warm2.load_state_dict(state), doctest::Contains("missing 'scheduler.base_lr.1'"), Error);
}

TEST_CASE("ReduceLROnPlateau: FuxiCTR's rule (reduce at every evaluation without improvement)") {
  nn::SGD opt({param2(0, 0)}, {.lr = 1e-3});
  nn::ReduceLROnPlateau plateau(opt);  // max, factor 0.1, patience 0, threshold 1e-6, min_lr 1e-6
  CHECK(!plateau.step(0.70));          // best 0.70
  CHECK(!plateau.step(0.71));          // improved
  CHECK(plateau.step(0.7100005));      // +5e-7 < threshold: no improvement -> 1e-4
  CHECK(opt.lr() == doctest::Approx(1e-4));
  CHECK(plateau.step(0.70));           // -> 1e-5
  CHECK(plateau.step(0.70));           // -> 1e-6 (min_lr)
  CHECK(opt.lr() == doctest::Approx(1e-6));
  CHECK(!plateau.step(0.70));          // already at min_lr: nothing to reduce
  CHECK(plateau.best() == 0.71);
  CHECK(!plateau.step(NAN));           // NaN is no improvement (and no reduction below min_lr)
  CHECK(plateau.best() == 0.71);
}

TEST_CASE("ReduceLROnPlateau: patience, min mode and resume") {
  nn::SGD opt({param2(0, 0)}, {.lr = 1.0});
  nn::ReduceLROnPlateau plateau(opt, {.factor = 0.5, .patience = 2, .min_lr = 0.1});
  CHECK(!plateau.step(0.7));
  CHECK(!plateau.step(0.6));  // bad 1
  CHECK(!plateau.step(0.6));  // bad 2: tolerated
  CHECK(plateau.step(0.6));   // bad 3 > patience: 1 -> 0.5, count restarts
  CHECK(opt.lr() == 0.5);
  CHECK(plateau.bad_evaluations() == 0);
  CHECK(!plateau.step(0.6));
  nn::StateDict st = plateau.state_dict();
  CHECK(st.at("plateau.bad").item() == 1);
  CHECK(st.at("plateau.best").item() == 0.7);

  nn::ReduceLROnPlateau resumed(opt, {.factor = 0.5, .patience = 2, .min_lr = 0.1});
  resumed.load_state_dict(st);
  CHECK(!resumed.step(0.6));  // bad 2
  CHECK(resumed.step(0.6));   // bad 3: 0.5 -> 0.25
  CHECK(opt.lr() == 0.25);
  CHECK_THROWS_WITH_AS(resumed.load_state_dict({}), doctest::Contains("missing"), Error);

  nn::SGD opt2({param2(0, 0)}, {.lr = 1.0});
  nn::ReduceLROnPlateau loss_mode(opt2, {.mode = nn::PlateauMode::Min});  // lower is better (logloss)
  CHECK(!loss_mode.step(0.5));
  CHECK(!loss_mode.step(0.4));
  CHECK(loss_mode.step(0.45));
  CHECK(opt2.lr() == doctest::Approx(0.1));
  CHECK_THROWS_WITH_AS(nn::ReduceLROnPlateau(opt2, {.factor = 1.5}), doctest::Contains("factor must be in (0, 1)"),
                       Error);
}
