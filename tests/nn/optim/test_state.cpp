// Optimizer state: groups, state_dict keys, resume bit-identically, and bad state refused.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <set>

#include "tests/gradcheck.h"
#include "tests/nn/optim/optim_test_util.h"

using namespace tg;
using namespace optim_test;

namespace {

// A dense weight and an embedding table (row-sparse gradient), both float32.
struct Table : nn::Module {
  Tensor weight = add_param("weight", randn({8, 2}), nn::ParamRole::Embedding);
};
struct Net : nn::Module {
  Tensor w = add_param("w", randn({3, 2}));
  Tensor emb = add<Table>("emb").weight;  // "emb.weight"
};

void train_step(nn::Optimizer& opt, Net& net, int64_t k) {
  opt.zero_grad();
  Tensor ids = from_vector(std::vector<int64_t>{k % 8, (3 * k + 1) % 8, 5}, {3});
  Tensor e = ops::embedding(net.emb, ids, {.sparse_grad = true});  // [3, 2]
  ops::sum(ops::mul(ops::matmul(e, net.w.t()), ops::matmul(e, net.w.t()))).backward();
  opt.step();
}

std::vector<std::function<std::unique_ptr<nn::Optimizer>(Net&)>> all_optimizers() {
  return {
      [](Net& n) { return std::make_unique<nn::SGD>(n.named_parameters(), nn::SGDOptions{.lr = 0.01, .momentum = 0.9, .nesterov = true}); },
      [](Net& n) { return std::make_unique<nn::Adam>(n.named_parameters(), nn::AdamOptions{.lr = 0.01, .amsgrad = true, .embedding_weight_decay = 2e-4}); },
      [](Net& n) { return std::make_unique<nn::AdamW>(n.named_parameters(), nn::AdamOptions{.lr = 0.01}); },
      [](Net& n) { return std::make_unique<nn::Adagrad>(n.named_parameters(), nn::AdagradOptions{.lr = 0.01, .lr_decay = 0.01}); },
  };
}

nn::StateDict deep_copy(const nn::StateDict& s) {
  nn::StateDict out;
  for (const auto& [k, t] : s) out[k] = t.clone();
  return out;
}

}  // namespace

TEST_CASE("state_dict: key names, as documented in nn/optim/optimizer.h") {
  Net net;
  nn::Adam opt(net.named_parameters(), {.lr = 0.01, .amsgrad = true});
  auto keys = [](const nn::StateDict& s) {
    std::set<std::string> out;
    for (const auto& [k, t] : s) out.insert(k);
    return out;
  };
  CHECK(opt.param_keys() == std::vector<std::string>{"w", "emb.weight"});  // dense group first
  CHECK(keys(opt.state_dict()) == std::set<std::string>{"lr.0", "lr.1", "step.w", "step.emb.weight"});
  train_step(opt, net, 0);
  nn::StateDict s = opt.state_dict();
  CHECK(keys(s) == std::set<std::string>{"lr.0", "lr.1", "step.w", "step.emb.weight", "exp_avg.w", "exp_avg_sq.w",
                                         "max_exp_avg_sq.w", "exp_avg.emb.weight", "exp_avg_sq.emb.weight",
                                         "max_exp_avg_sq.emb.weight"});
  CHECK(s.at("step.w").dtype() == kInt64);
  CHECK(s.at("step.w").shape() == Shape{1});
  CHECK(s.at("step.w").item() == 1);
  CHECK(s.at("lr.1").dtype() == kFloat64);
  CHECK(s.at("lr.1").item() == 0.01);
  CHECK(s.at("exp_avg.emb.weight").shape() == Shape{8, 2});
  CHECK(s.at("exp_avg.emb.weight").dtype() == kFloat32);

  nn::SGD sgd(net.named_parameters(), {.lr = 0.1, .momentum = 0.5});
  nn::Adagrad ada(net.named_parameters());
  train_step(sgd, net, 0);
  train_step(ada, net, 0);
  CHECK(sgd.state_dict().count("momentum_buffer.emb.weight") == 1);
  CHECK(ada.state_dict().count("sum.w") == 1);
  CHECK(nn::SGD(net.parameters()).state_dict().count("step.emb.weight") == 1);  // Tensor::name() keys
}

TEST_CASE("state_dict: keys of unnamed and same-named tensors stay unique") {
  Tensor a = param2(0, 0), b = param2(0, 0).set_name("x"), c = param2(0, 0).set_name("x");
  nn::SGD opt({a, b, c});
  CHECK(opt.param_keys() == std::vector<std::string>{"param.0", "x", "x#1"});
}

TEST_CASE("state_dict: save after k steps, load into a fresh optimizer, continue = uninterrupted (bit-equal)") {
  auto makers = all_optimizers();
  for (size_t m = 0; m < makers.size(); ++m) {
    manual_seed(11);
    Net a, b;
    {
      NoGradGuard g;
      b.w.copy_(a.w);
      b.emb.copy_(a.emb);
    }
    auto oa = makers[m](a), ob = makers[m](b);
    for (int64_t k = 0; k < 3; ++k) train_step(*oa, a, k);
    // b resumes: a's weights (as a checkpoint would restore them) and a's optimizer state.
    {
      NoGradGuard g;
      b.w.copy_(a.w);
      b.emb.copy_(a.emb);
    }
    oa->set_lr(0.02, 0);  // the saved LR wins over b's
    ob->load_state_dict(deep_copy(oa->state_dict()));
    CHECK(ob->lr(0) == 0.02);
    for (int64_t k = 3; k < 6; ++k) {
      train_step(*oa, a, k);
      train_step(*ob, b, k);
    }
    CHECK_MESSAGE(testing::max_abs_diff(a.w, b.w) == 0.0, oa->name());
    CHECK_MESSAGE(testing::max_abs_diff(a.emb, b.emb) == 0.0, oa->name());
  }
}

TEST_CASE("state_dict: loading into an optimizer that has stepped replaces its state") {
  Tensor p = param2(1, -1), q = param2(1, -1);
  nn::Adam a({p}, {.lr = 0.1}), b({q}, {.lr = 0.1});
  nn::StateDict fresh = deep_copy(a.state_dict());  // step 0, no moments
  step(b, q, grad_quadratic);
  {
    NoGradGuard g;
    q.copy_(p);
  }
  b.load_state_dict(fresh);
  CHECK(b.state_dict().count("exp_avg.param.0") == 0);
  step(a, p, grad_quadratic);
  step(b, q, grad_quadratic);
  CHECK(testing::max_abs_diff(p, q) == 0.0);
}

TEST_CASE("state_dict: bad state is refused with every problem listed, and nothing is changed") {
  Net net;
  nn::Adam opt(net.named_parameters(), {.lr = 0.01});
  train_step(opt, net, 0);
  const nn::StateDict good = deep_copy(opt.state_dict());

  nn::StateDict bad = deep_copy(good);
  bad.erase("exp_avg.w");
  bad["exp_avg_sq.emb.weight"] = zeros({2, 8});
  bad["exp_avg_sq.w"] = zeros({3, 2}, {.dtype = kFloat64});
  bad["junk"] = zeros({1});
  bad["step.emb.weight"] = full({1}, -1.0, {.dtype = kInt64});
  auto load = [&] { opt.load_state_dict(bad); };
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("Adam: load_state_dict:"), Error);
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("missing 'exp_avg.w'"), Error);
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("'exp_avg_sq.w': expected float32 [3,2], got float64 [3,2]"), Error);
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("unexpected 'junk'"), Error);
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("'step.emb.weight': negative step count -1"), Error);
  bad["step.emb.weight"] = good.at("step.emb.weight");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("'exp_avg_sq.emb.weight': expected float32 [8,2], got float32 [2,8]"),
                       Error);
  nn::StateDict no_lr = deep_copy(good);
  no_lr.erase("lr.1");
  CHECK_THROWS_WITH_AS(opt.load_state_dict(no_lr), doctest::Contains("missing 'lr.1'"), Error);

  // The failed loads left the state alone.
  nn::StateDict after = opt.state_dict();
  REQUIRE(after.size() == good.size());
  for (const auto& [k, t] : good) CHECK_MESSAGE(testing::max_abs_diff(t, after.at(k)) == 0.0, k);
}

TEST_CASE("groups: embeddings get their own weight decay; lr per group") {
  struct M : nn::Module {
    Tensor w = add_param("w", ones({2}));
    Tensor e = add_param("e", ones({3, 2}), nn::ParamRole::Embedding);
  } m;
  nn::SGD opt(m.named_parameters(), {.lr = 1, .weight_decay = 0, .embedding_weight_decay = 0.5});
  REQUIRE(opt.num_groups() == 2);
  CHECK(opt.group(1).weight_decay == 0.5);
  ops::mul(ops::add(ops::sum(m.w), ops::sum(m.e)), scalar_tensor(0)).backward();
  opt.step();
  CHECK(m.w.at({0}) == 1.0);     // no decay on dense
  CHECK(m.e.at({0, 0}) == 0.5);  // 1 - 1 * 0.5 * 1
  opt.set_lr(0.25, 1);
  CHECK(opt.lr(1) == 0.25);
  CHECK(opt.lr(0) == 1);
  opt.set_lr_all(0.125);
  CHECK(opt.lr(0) == 0.125);
  CHECK(opt.lr(1) == 0.125);
  CHECK_THROWS_WITH_AS(opt.lr(2), doctest::Contains("group 2 out of range"), Error);
  CHECK_THROWS_WITH_AS(opt.set_lr(-1), doctest::Contains("negative learning rate"), Error);

  // A model without tables gives one group; hand-made groups keep their own settings.
  struct D : nn::Module {
    Tensor w = add_param("w", ones({2}));
  } d;
  CHECK(nn::make_param_groups(d.named_parameters(), 0.1, 0.0, 2e-4).size() == 1);
  Tensor x = param2(1, 1), y = param2(1, 1);
  nn::Adagrad ada(std::vector<nn::ParamGroup>{{.params = {x}, .lr = 0.1}, {.params = {y}, .lr = 0.2, .names = {"y"}}}, {});
  CHECK(ada.param_keys() == std::vector<std::string>{"param.0", "y"});
  CHECK(ada.lr(1) == 0.2);
}

TEST_CASE("optimizer: parameters without a gradient are skipped; in-place updates are seen by the tape") {
  Tensor p = param2(1, 1), q = param2(1, 1);
  nn::Adam opt({p, q}, {.lr = 0.1});
  step(opt, p, grad_quadratic);
  CHECK(q.at({0}) == 1.0);
  CHECK(opt.state_dict().at("step.param.1").item() == 0);
  CHECK(opt.state_dict().at("step.param.0").item() == 1);
  // A graph that saved p before the step refuses to run backward with the updated p.
  Tensor loss = ops::sum(ops::mul(p, p));
  loss.backward({}, /*retain_graph=*/true);
  opt.step();
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("modified in place"), Error);
}

TEST_CASE("optimizer: bad parameters are refused") {
  Tensor p = param2(0, 0);
  CHECK_THROWS_WITH_AS(nn::SGD({p, p}), doctest::Contains("appears twice"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD({ops::mul(p, p)}), doctest::Contains("is not a leaf"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD({from_vector(std::vector<int64_t>{1}, {1})}), doctest::Contains("not floating point"),
                       Error);
  CHECK_THROWS_WITH_AS(nn::SGD({randn({3, 2}).t()}), doctest::Contains("is not contiguous"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD({Tensor()}), doctest::Contains("undefined tensor"), Error);
  CHECK_THROWS_WITH_AS(nn::SGD(std::vector<nn::ParamGroup>{{.params = {p}, .names = {"a", "b"}}}, {}),
                       doctest::Contains("2 names for 1 parameters"), Error);
}
