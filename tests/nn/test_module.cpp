#include <doctest/doctest.h>

#include "nn/nn.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {

// A leaf module with one weight, one bias and one buffer, built without the layers folder so
// that Module is tested on its own.
struct Affine : nn::Module {
  Tensor weight, bias, calls;
  Affine(int64_t in, int64_t out)
      : weight(add_param("weight", randn({out, in}))),
        bias(add_param("bias", zeros({out}))),
        calls(add_buffer("calls", zeros({1}))) {}
  Tensor operator()(const Tensor& x) { return ops::linear(x, weight, bias); }
  std::string describe() const override { return "Affine"; }
};

struct Table : nn::Module {
  Tensor weight;
  explicit Table(int64_t rows) : weight(add_param("weight", randn({rows, 4}), nn::ParamRole::Embedding)) {}
};

struct Net : nn::Module {
  Table& emb;
  nn::ModuleList& blocks;
  Net() : emb(add<Table>("emb", 10)), blocks(add<nn::ModuleList>("blocks")) {
    blocks.emplace_back<Affine>(4, 3);
    blocks.emplace_back<Affine>(3, 1);
  }
};

}  // namespace

TEST_CASE("Module: nested names, order, roles and counts") {
  Net net;
  auto named = net.named_parameters();
  REQUIRE(named.size() == 5);
  CHECK(named[0].name == "emb.weight");
  CHECK(named[0].role == nn::ParamRole::Embedding);
  CHECK(named[1].name == "blocks.0.weight");
  CHECK(named[2].name == "blocks.0.bias");
  CHECK(named[3].name == "blocks.1.weight");
  CHECK(named[4].name == "blocks.1.bias");
  CHECK(named[3].role == nn::ParamRole::Dense);
  // The tensors carry their full names too (graph export and tape trace print them).
  CHECK(net.blocks.at<Affine>(1).weight.name() == "blocks.1.weight");
  CHECK(net.emb.weight.name() == "emb.weight");
  CHECK(net.emb.weight.requires_grad());
  CHECK(net.num_parameters() == 10 * 4 + 4 * 3 + 3 + 3 * 1 + 1);
  auto buffers = net.named_buffers();
  REQUIRE(buffers.size() == 2);
  CHECK(buffers[0].name == "blocks.0.calls");
  CHECK(net.named_modules().size() == 5);  // net, emb, blocks, blocks.0, blocks.1
}

TEST_CASE("Module: duplicate and dotted names are errors") {
  Affine a(2, 2);
  CHECK_THROWS_WITH_AS(a.add_param("weight", zeros({1})), doctest::Contains("already registered"), Error);
  CHECK_THROWS_WITH_AS(a.add_param("a.b", zeros({1})), doctest::Contains("'a.b'"), Error);
  CHECK_THROWS_WITH_AS(a.add_param("ids", zeros({1}, {.dtype = kInt64})), doctest::Contains("floating point"), Error);
}

TEST_CASE("Module: train/eval reaches every child") {
  Net net;
  CHECK(net.is_training());
  net.eval();
  for (auto& [name, m] : net.named_modules()) CHECK_MESSAGE(!m->is_training(), name);
  net.train();
  CHECK(net.blocks[1].is_training());
}

TEST_CASE("Module: state_dict round trip copies values in place") {
  Net a, b;
  Tensor before = b.blocks.at<Affine>(0).weight;  // handle held by user code
  b.load_state_dict(a.state_dict());
  CHECK(testing::max_abs_diff(before, a.blocks.at<Affine>(0).weight) == 0.0);
  CHECK(before.same(b.blocks.at<Affine>(0).weight));  // same tensor, new values
  CHECK(b.state_dict().size() == 7);  // 5 parameters + 2 buffers
}

TEST_CASE("Module: load_state_dict reports every mismatch by name") {
  Net a;
  nn::StateDict state = a.state_dict();
  state.erase("emb.weight");
  state["blocks.0.weight"] = zeros({5, 5});
  state["extra"] = zeros({1});
  try {
    a.load_state_dict(state);
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("missing 'emb.weight'") != std::string::npos);
    CHECK(msg.find("'blocks.0.weight': expected float32 [3,4], got float32 [5,5]") != std::string::npos);
    CHECK(msg.find("unexpected 'extra'") != std::string::npos);
  }
  // Non-strict still refuses a wrong shape, but accepts missing and unknown names.
  state["blocks.0.weight"] = zeros({3, 4});
  a.load_state_dict(state, /*strict=*/false);
  CHECK(ops::sum(a.blocks.at<Affine>(0).weight).item<float>() == 0.0f);
}

TEST_CASE("Module: zero_grad and summary") {
  Net net;
  Tensor x = randn({2, 4});
  auto& first = net.blocks.at<Affine>(0);
  auto& second = net.blocks.at<Affine>(1);
  ops::sum(second(first(x))).backward();
  CHECK(first.weight.grad().defined());
  net.zero_grad();
  CHECK(!first.weight.grad().defined());
  std::string s = net.summary();
  CHECK(s.find("blocks.1.weight") != std::string::npos);
  CHECK(s.find("[1,3]") != std::string::npos);
  CHECK(s.find("(embedding)") != std::string::npos);
  CHECK(s.find("total trainable parameters: 59") != std::string::npos);
}

TEST_CASE("Module: to(dtype) and to(device) rewrite every tensor in place; handles stay valid") {
  Net net;
  Tensor w = net.emb.weight;  // a handle taken before, as an optimizer holds it
  const std::vector<double> before = w.to_vector();
  CHECK(net.device() == kCPU);
  net.to(kCPU);  // already there: nothing changes
  CHECK(w.same(net.emb.weight));
  CHECK(w.to_vector() == before);

  ops::sum(net.emb.weight).backward();
  REQUIRE(w.grad().defined());
  net.to(kFloat64);
  CHECK(w.dtype() == kFloat64);  // the old handle sees the converted tensor
  CHECK(w.to_vector() == before);
  CHECK_FALSE(w.grad().defined());  // gradients are dropped
  for (const auto& p : net.named_parameters()) CHECK(p.value.dtype() == kFloat64);
  for (const auto& b : net.named_buffers()) CHECK(b.value.dtype() == kFloat64);  // floating buffers follow
  CHECK_THROWS_WITH_AS(net.to(kInt64), doctest::Contains("cannot convert them to int64"), Error);

  if (!cuda_available()) {  // no GPU here: a clear error, and the module is left as it was
    CHECK_THROWS_WITH_AS(net.to(Device::cuda(0)), doctest::Contains("cuda"), Error);
    CHECK(net.device() == kCPU);
    CHECK(w.to_vector() == before);
  }
}
