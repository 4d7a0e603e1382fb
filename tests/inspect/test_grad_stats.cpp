// Gradient statistics: figures per parameter, dead units, missing gradients, update ratios.
#include <doctest/doctest.h>

#include "nn/layers/linear.h"
#include "nn/module.h"
#include "nn/train/grad_stats.h"
#include "ops/ops.h"

using namespace tg;

namespace {
struct Net : nn::Module {
  nn::Linear& hidden;
  nn::Linear& out;
  nn::Linear& unused;
  Net() : hidden(add<nn::Linear>("hidden", 3, 4)), out(add<nn::Linear>("out", 4, 1)), unused(add<nn::Linear>("unused", 2, 2)) {}
  Tensor operator()(const Tensor& x) { return out(ops::relu(hidden(x))); }
};
}  // namespace

TEST_CASE("grad stats: dead ReLU units, parameters without gradient, and the update ratio") {
  manual_seed(1);
  Net net;
  {
    NoGradGuard no_grad;
    // Units 0 and 1 of the hidden layer never activate on positive inputs: dead.
    net.hidden.weight.narrow(0, 0, 2).fill_(-1.0);
    net.hidden.bias.narrow(0, 0, 2).fill_(-1.0);
    net.hidden.weight.narrow(0, 2, 2).fill_(0.5);
    net.hidden.bias.narrow(0, 2, 2).fill_(0.1);
  }
  Tensor x = uniform({16, 3}, 0.1, 1.0);
  ops::sum(net(x)).backward();
  auto stats = nn::gradient_stats(net);
  REQUIRE(stats.size() == 6);
  const auto& w = stats[0];
  CHECK(w.name == "hidden.weight");
  CHECK(w.has_grad);
  CHECK(w.dead_rows == 2);
  CHECK(w.zero_fraction == doctest::Approx(0.5));
  CHECK(w.flags == std::vector<std::string>{"dead-units(2/4)"});
  CHECK(w.norm > 0);
  CHECK(stats[4].name == "unused.weight");
  CHECK(stats[4].flags == std::vector<std::string>{"no-grad"});

  nn::StateDict before = nn::snapshot_parameters(net);
  {
    NoGradGuard no_grad;
    net.out.weight.add_(net.out.weight.grad(), -1e-4);
  }
  nn::measure_updates(stats, net, before);
  CHECK(stats[2].name == "out.weight");
  CHECK(stats[2].update_ratio > 0);
  CHECK(stats[0].update_ratio == 0.0);  // hidden did not move
  const std::string table = nn::format_grad_stats(stats);
  CHECK(table.find("dead-units(2/4)") != std::string::npos);
  CHECK(table.find("6 parameters, 3 flagged") != std::string::npos);
}
