// Gradient hooks on tensors (leaf and non-leaf) and forward hooks and scopes on modules.
#include <doctest/doctest.h>

#include "core/autograd.h"
#include "nn/layers/embedding.h"
#include "nn/layers/linear.h"
#include "nn/layers/mlp.h"
#include "nn/layers/normalization.h"
#include "nn/module.h"
#include "ops/ops.h"

#include <map>
#include <set>
#include <string>

using namespace tg;

namespace {
Tensor param(std::initializer_list<double> v) { return tensor(v, {.dtype = kFloat64, .requires_grad = true}); }

struct Tower : nn::Module {
  nn::Linear& hidden;
  nn::Linear& out;
  Tower() : hidden(add<nn::Linear>("hidden", 3, 4)), out(add<nn::Linear>("out", 4, 1)) {}
  Tensor operator()(const Tensor& x) {
    nn::ModuleScope scope(*this);
    Tensor h = ops::relu(hidden(x));
    return scope.output(out(h));
  }
};

struct Model : nn::Module {
  Tower& tower;
  Model() : tower(add<Tower>("tower")) {}
};
}  // namespace

TEST_CASE("hooks: a hook on a non-leaf sees its gradient and its replacement changes the input's gradient") {
  Tensor x = param({1, 2, 3});
  Tensor h = x * 2.0;
  std::vector<double> seen;
  register_hook(h, [&](const Tensor& g) {
    seen = g.to_vector();
    return g * 10.0;  // replace
  });
  ops::sum(h * h).backward();  // d/dh = 2h = {4, 8, 12}
  CHECK(seen == std::vector<double>{4, 8, 12});
  CHECK(x.grad().to_vector() == std::vector<double>{80, 160, 240});  // 10 * 2h * 2
}

TEST_CASE("hooks: a leaf's hook runs once per backward on the summed gradient; remove() unregisters it") {
  Tensor x = param({1, -1});
  int calls = 0;
  HookHandle handle = register_hook(x, [&](const Tensor& g) {
    ++calls;
    CHECK(g.to_vector() == std::vector<double>{5, 5});  // 2 + 3 from two uses
    return zeros_like(g);                              // e.g. freeze the tensor
  });
  ops::sum(x * 2.0 + x * 3.0).backward();
  CHECK(calls == 1);
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0});
  handle.remove();
  handle.remove();  // idempotent
  ops::sum(x * 2.0 + x * 3.0).backward();
  CHECK(calls == 1);
  CHECK(x.grad().to_vector() == std::vector<double>{5, 5});
}

TEST_CASE("hooks: a hook that only looks keeps the gradient; a wrong shape is an error naming the tensor") {
  Tensor x = param({1, 2}).set_name("w");
  register_hook(x, [](const Tensor&) { return Tensor(); });
  ops::sum(x * 3.0).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{3, 3});
  Tensor y = param({1, 2}).set_name("bad");
  register_hook(y, [](const Tensor&) { return zeros({3}, {.dtype = kFloat64}); });
  CHECK_THROWS_WITH_AS(ops::sum(y * 3.0).backward(), doctest::Contains("'bad'"), Error);
  Tensor c = tensor({1.0});
  CHECK_THROWS_AS(register_hook(c, [](const Tensor& g) { return g; }), Error);
}

TEST_CASE("module scope: ops recorded inside a module's forward carry its path; forward hooks replace outputs") {
  Model model;
  Tensor x = uniform({2, 3}, -1, 1);
  Tensor y = model.tower(x);
  // The relu is the tower's own op; the layers' ops carry the layers' paths.
  std::set<std::string> modules;
  for (const auto& n : tape_of(y)) modules.insert(n->module);
  CHECK(modules == std::set<std::string>{"tower", "tower.hidden", "tower.out"});
  CHECK(std::string(current_module()).empty());  // restored after the forward

  int calls = 0;
  uint64_t id = model.tower.register_forward_hook([&](const nn::Module& m, const Tensor& out) {
    ++calls;
    CHECK(&m == &model.tower);
    return out * 0.0;
  });
  Tensor z = model.tower(x);
  CHECK(calls == 1);
  CHECK(z.to_vector() == std::vector<double>{0, 0});
  model.tower.remove_forward_hook(id);
  CHECK(model.tower(x).to_vector() == y.to_vector());
  CHECK(std::string(model.tower.scope_name()) == "tower");
  CHECK(std::string(model.tower.hidden.scope_name()) == "tower.hidden");
}

TEST_CASE("module scope: built-in layers run their forward hooks; a hook on an embedding changes the gradients") {
  struct Net : nn::Module {
    nn::Embedding& table;
    nn::LayerNorm& norm;
    nn::MLP& mlp;
    Net()
        : table(add<nn::Embedding>("table", 5, 4)),
          norm(add<nn::LayerNorm>("norm", 4)),
          mlp(add<nn::MLP>("mlp", nn::MLP::Sizes{4, 3, 1})) {}
    Tensor operator()(const Tensor& ids) { return mlp(norm(table(ids))); }
  } net;
  Tensor ids = tensor({1.0, 3.0}, {.dtype = kInt64});
  std::map<std::string, int> calls;
  for (auto& [name, module] : net.named_modules())
    module->register_forward_hook([&calls, name = name](const nn::Module&, const Tensor&) {
      ++calls[name];
      return Tensor();
    });
  Tensor y = net(ids);
  // Every layer that ran, the MLP's inner Linears included; the root has no scope of its own here.
  CHECK(calls == std::map<std::string, int>{{"table", 1}, {"norm", 1}, {"mlp", 1}, {"mlp.0", 1}, {"mlp.1", 1}});
  std::set<std::string> modules;
  for (const auto& n : tape_of(y)) modules.insert(n->module);
  CHECK(modules.count("table") == 1);
  CHECK(modules.count("mlp.0") == 1);

  // A hook that scales the table's output by 0 cuts every path to the table's weight.
  ops::sum(y).backward();
  CHECK(ops::sum(ops::abs(net.table.weight.grad())).item() > 0);
  net.zero_grad();
  net.table.register_forward_hook([](const nn::Module&, const Tensor& out) { return out * 0.0; });
  ops::sum(net(ids)).backward();
  CHECK(ops::sum(ops::abs(net.table.weight.grad())).item() == 0);
}
