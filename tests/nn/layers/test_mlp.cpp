// MLP: parameter names, values against the layer-by-layer formula, any-rank inputs,
// continue_from, dropout modes, float64 gradchecks with norms and PReLU, errors.
#include <doctest/doctest.h>

#include "tests/nn/layers/helpers.h"

using namespace tg;
using namespace layer_test;
using tg::testing::input;
using tg::testing::max_abs_diff;
using nn::Activation;

TEST_CASE("MLP: parameter names follow the documented scheme") {
  nn::MLP plain({4, 8, 6, 1});
  CHECK(param_names(plain) == std::vector<std::string>{"0.weight [8,4]", "0.bias [8]", "1.weight [6,8]", "1.bias [6]",
                                                        "2.weight [1,6]", "2.bias [1]"});
  CHECK(plain.describe() == "MLP(4 -> 8 -> 6 -> 1, relu)");
  CHECK(plain.num_layers() == 3);
  nn::MLP full({4, 8, 6, 2}, {.activation = Activation::PRelu, .batch_norm = true, .layer_norm = true,
                              .final_activation = true, .bias = false});
  CHECK(param_names(full) ==
        std::vector<std::string>{"0.weight [8,4]", "1.weight [6,8]", "2.weight [2,6]", "batch_norms.0.weight [8]",
                                 "batch_norms.0.bias [8]", "batch_norms.1.weight [6]", "batch_norms.1.bias [6]",
                                 "layer_norms.0.weight [8]", "layer_norms.0.bias [8]", "layer_norms.1.weight [6]",
                                 "layer_norms.1.bias [6]", "prelus.0.weight [1]", "prelus.1.weight [1]",
                                 "prelus.2.weight [1]"});
  auto buffers = full.named_buffers();
  REQUIRE(buffers.size() == 4);
  CHECK(buffers[0].name == "batch_norms.0.running_mean");
  CHECK(buffers[3].name == "batch_norms.1.running_var");
  // DIN's head (PROTOCOL.md): 160 -> 200 -> 80 -> 1 with a PReLU after each hidden layer
  nn::MLP din({160, 200, 80, 1}, {.activation = Activation::PRelu});
  CHECK(din.num_parameters() == 160 * 200 + 200 + 200 * 80 + 80 + 80 + 1 + 2);
}

TEST_CASE("MLP: values equal the layer-by-layer formula; any rank; continue_from") {
  nn::MLP mlp({3, 5, 4, 2}, {.activation = Activation::Tanh, .final_activation = true});
  for (const Tensor& p : mlp.parameters()) randomize(p, 17);
  Tensor x = randn({2, 3, 3});
  Tensor want = x;
  for (size_t i = 0; i < 3; ++i)
    want = ops::tanh(ops::add(ops::matmul(want, mlp.linear(i).weight.t()), mlp.linear(i).bias));
  CHECK(max_abs_diff(mlp(x), want) < 1e-5);
  CHECK(mlp(x).shape() == Shape{2, 3, 2});
  CHECK(max_abs_diff(mlp.continue_from(0, mlp.linear(0)(x)), mlp(x)) == 0);
  CHECK(max_abs_diff(mlp.continue_from(1, mlp.linear(1)(ops::tanh(mlp.linear(0)(x)))), mlp(x)) == 0);
  // no final activation: the last layer is a bare Linear
  nn::MLP logits({3, 5, 1}, {.activation = Activation::Sigmoid});
  for (const Tensor& p : logits.parameters()) randomize(p, 18);
  Tensor h = ops::sigmoid(logits.linear(0)(x));
  CHECK(max_abs_diff(logits(x), logits.linear(1)(h)) == 0);
  nn::MLP single({3, 2});
  CHECK(max_abs_diff(single(x), single.linear(0)(x)) == 0);
}

TEST_CASE("MLP: dropout only in training mode") {
  Generator gen(4);
  nn::MLP mlp({6, 32, 1}, {.dropout = 0.5, .dropout_gen = &gen});
  Tensor x = randn({8, 6});
  Tensor train1 = mlp(x);
  gen.manual_seed(4);
  CHECK(mlp(x).to_vector() == train1.to_vector());  // seeded masks
  mlp.eval();
  Tensor eval = mlp(x);
  CHECK(eval.to_vector() != train1.to_vector());
  Tensor want = mlp.linear(1)(ops::relu(mlp.linear(0)(x)));
  CHECK(max_abs_diff(eval, want) == 0);
}

TEST_CASE("MLP: float64 gradchecks (batch norm + layer norm + PReLU, and dropout with a fixed mask)") {
  nn::MLP mlp({3, 4, 2}, {.activation = Activation::PRelu, .batch_norm = true, .layer_norm = true});
  Tensor x = input({5, 3});
  for (const Tensor& p : mlp.parameters()) randomize(p, 21, 0.2, 1.0);
  CHECK(gradcheck_layer(mlp, {x}, [&](const TensorList& in) { return mlp(in[0]); }));
  mlp.eval();
  CHECK(gradcheck_layer(mlp, {x}, [&](const TensorList& in) { return mlp(in[0]); }));
  Generator gen(2);
  nn::MLP drop({3, 4, 4, 2}, {.activation = Activation::Tanh, .dropout = 0.3, .dropout_gen = &gen});
  CHECK(gradcheck_layer(drop, {x}, [&](const TensorList& in) {
    gen.manual_seed(2);
    return drop(in[0]);
  }));
}

TEST_CASE("MLP: bad sizes and inputs are errors naming the MLP") {
  nn::MLP mlp({4, 8, 1});
  CHECK_THROWS_WITH_AS(mlp(zeros({2, 3})), doctest::Contains("MLP(4 -> 8 -> 1, relu): input [2,3]"), Error);
  CHECK_THROWS_WITH_AS(nn::MLP({4}), doctest::Contains("at least 2"), Error);
  CHECK_THROWS_WITH_AS(nn::MLP({4, 0, 1}), doctest::Contains("positive"), Error);
  CHECK_THROWS_WITH_AS(mlp.linear(2), doctest::Contains("no layer 2"), Error);
}
