// The optimizers' rules as the CUDA kernel runs them (nn/optim/update_rule.h: the rule as
// data from Optimizer::device_rule, applied per element by apply_update), checked on the
// host against the CPU optimizers over several steps, dense and on listed rows.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>

#include "core/autograd.h"
#include "core/rng.h"
#include "nn/optim/optim.h"
#include "nn/optim/update_rule.h"
#include "ops/ops.h"

using namespace tg;

namespace {

// Runs `steps` CPU steps of the optimizer on p and, beside it, the rule on a copy with its
// own state (buffers start at `init`), then compares the parameters.
void check_rule(const std::function<std::unique_ptr<nn::Optimizer>(Tensor)>& make, double lr, double wd,
                int buffers, double init = 0, int steps = 3) {
  manual_seed(61);
  Tensor p = uniform({40}, -1, 1).set_requires_grad();
  std::vector<float> q = p.detach().to_vector_as<float>();
  std::vector<std::vector<float>> s(3, std::vector<float>(q.size(), static_cast<float>(init)));
  std::unique_ptr<nn::Optimizer> opt = make(p);
  for (int t = 1; t <= steps; ++t) {
    Tensor g = uniform({40}, -1, 1);
    p.set_grad(g);
    opt->step();
    const nn::UpdateRule rule = opt->device_rule({t, lr, wd});
    const float* gv = g.data<float>();
    for (size_t i = 0; i < q.size(); ++i)
      nn::apply_update<float>(rule, &q[i], gv[i], buffers > 0 ? &s[0][i] : nullptr, buffers > 1 ? &s[1][i] : nullptr,
                              buffers > 2 ? &s[2][i] : nullptr);
  }
  std::vector<double> want = p.detach().to_vector();
  for (size_t i = 0; i < q.size(); ++i) CHECK(q[i] == doctest::Approx(want[i]).epsilon(1e-5));
}

}  // namespace

TEST_CASE("cuda update rule: SGD, with momentum and Nesterov, matches the CPU optimizer") {
  check_rule([](Tensor p) { return std::make_unique<nn::SGD>(std::vector<Tensor>{p}, nn::SGDOptions{.lr = 0.1, .weight_decay = 0.01}); },
             0.1, 0.01, 0);
  check_rule([](Tensor p) {
    return std::make_unique<nn::SGD>(std::vector<Tensor>{p}, nn::SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.2});
  }, 0.1, 0, 1);
  check_rule([](Tensor p) {
    return std::make_unique<nn::SGD>(std::vector<Tensor>{p}, nn::SGDOptions{.lr = 0.05, .momentum = 0.8, .nesterov = true});
  }, 0.05, 0, 1);
}

TEST_CASE("cuda update rule: Adam, AdamW and AMSGrad match the CPU optimizer") {
  check_rule([](Tensor p) {
    return std::make_unique<nn::Adam>(std::vector<Tensor>{p}, nn::AdamOptions{.lr = 0.01, .weight_decay = 0.1});
  }, 0.01, 0.1, 2);
  check_rule([](Tensor p) {
    return std::make_unique<nn::AdamW>(std::vector<Tensor>{p}, nn::AdamOptions{.lr = 0.01, .weight_decay = 0.1});
  }, 0.01, 0.1, 2);
  check_rule([](Tensor p) {
    return std::make_unique<nn::Adam>(std::vector<Tensor>{p}, nn::AdamOptions{.lr = 0.01, .amsgrad = true});
  }, 0.01, 0, 3);
}

TEST_CASE("cuda update rule: Adagrad matches the CPU optimizer") {
  check_rule([](Tensor p) {
    return std::make_unique<nn::Adagrad>(std::vector<Tensor>{p},
                                         nn::AdagradOptions{.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.01,
                                                            .initial_accumulator_value = 0.1});
  }, 0.1, 0.01, 1, 0.1);
}
