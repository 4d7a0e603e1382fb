// The autograd engine: accumulation, shared inputs, NoGrad, detach, retain_graph, error
// cases, in-place version checks, tape order and freeing, observers and module labels.
#include <doctest/doctest.h>

#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {
Tensor param(std::initializer_list<double> v) { return tensor(v, {.dtype = kFloat64, .requires_grad = true}); }
}  // namespace

TEST_CASE("autograd: gradient of a small expression by hand") {
  Tensor x = param({1, 2, 3});
  Tensor y = ops::sum(x * x * 3.0 + x);  // dy/dx = 6x + 1
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{7, 13, 19});
  CHECK(y.item() == doctest::Approx(3 * 14 + 6));
}

TEST_CASE("autograd: a tensor used twice gets the sum of both gradients") {
  Tensor x = param({2, -1});
  Tensor y = ops::sum(x * x);  // x feeds mul twice: 2x
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{4, -2});
  Tensor a = param({1, 2});
  Tensor h = a * 2.0;             // h used by two consumers
  Tensor z = ops::sum(h * h + h);  // dz/dh = 2h + 1, dh/da = 2
  z.backward();
  CHECK(a.grad().to_vector() == std::vector<double>{2 * (2 * 2 + 1), 2 * (2 * 4 + 1)});
}

TEST_CASE("autograd: gradients accumulate across backward calls until zero_grad") {
  Tensor x = param({1, 1});
  ops::sum(x * 3.0).backward();
  ops::sum(x * 3.0).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{6, 6});
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
  ops::sum(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{1, 1});
}

TEST_CASE("autograd: NoGradGuard stops recording and restores the previous mode") {
  Tensor x = param({1, 2});
  {
    NoGradGuard g;
    CHECK_FALSE(grad_mode_enabled());
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      NoGradGuard nested;
    }
    CHECK_FALSE(grad_mode_enabled());  // the nested guard restored "off", not "on"
  }
  CHECK(grad_mode_enabled());
  CHECK((x * 2.0).requires_grad());
}

TEST_CASE("autograd: detach cuts the graph but shares storage") {
  Tensor x = param({1, 2});
  Tensor d = (x * 2.0).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  Tensor y = ops::sum(x * d);  // d is a constant: dy/dx = d
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{2, 4});
  Tensor v = x.detach();
  CHECK(v.storage() == x.storage());
}

TEST_CASE("autograd: retain_graph allows a second backward; without it the graph is freed") {
  Tensor x = param({1, 2});
  Tensor y = ops::sum(ops::exp(x));
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  CHECK(x.grad().to_vector()[0] == doctest::Approx(2 * std::exp(1.0)));
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("already freed"), tg::Error);
  CHECK(y.grad_fn()->released);
  CHECK(y.grad_fn()->inputs.empty());  // edges (and the tensors they held) were released
}

TEST_CASE("autograd: error cases name what is wrong") {
  Tensor x = param({1, 2, 3});
  Tensor y = x * 2.0;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("not a scalar"), tg::Error);
  Tensor c = tensor({1, 2});
  CHECK_THROWS_WITH_AS(ops::sum(c).backward(), doctest::Contains("does not require grad"), tg::Error);
  CHECK_THROWS_WITH_AS(y.backward(ones({2}, {.dtype = kFloat64})), doctest::Contains("seed gradient"), tg::Error);
  CHECK_THROWS_WITH_AS(tensor({1, 2}, {.dtype = kInt64}).set_requires_grad(true), doctest::Contains("floating"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(y.set_requires_grad(true), doctest::Contains("only leaves"), tg::Error);
}

TEST_CASE("autograd: backward with an explicit seed on a non-scalar") {
  Tensor x = param({1, 2, 3});
  Tensor y = x * x;
  y.backward(tensor({1, 0, 2}, {.dtype = kFloat64}));
  CHECK(x.grad().to_vector() == std::vector<double>{2, 0, 12});
}

TEST_CASE("autograd: backward on a leaf accumulates the seed") {
  Tensor x = tensor({5}, {.dtype = kFloat64, .requires_grad = true});
  x.backward();
  CHECK(x.grad().item() == 1.0);
}

TEST_CASE("autograd: modifying a saved tensor in place is detected at backward") {
  Tensor x = param({1, 2});
  Tensor w = tensor({3, 4}, {.dtype = kFloat64});
  Tensor y = ops::sum(x * w);  // mul saves w
  w.fill_(0.0);
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("modified in place"), tg::Error);
}

TEST_CASE("autograd: in-place writes into a leaf that requires grad are refused while recording") {
  Tensor x = param({1, 2});
  CHECK_THROWS_WITH_AS(x.fill_(0.0), doctest::Contains("requires grad"), tg::Error);
  NoGradGuard g;
  x.fill_(0.0);  // fine under NoGrad (optimizer steps)
  CHECK(x.to_vector() == std::vector<double>{0, 0});
}

TEST_CASE("autograd: retain_grad keeps a non-leaf gradient") {
  Tensor x = param({1, 2});
  Tensor h = x * 3.0;
  h.retain_grad();
  ops::sum(h * h).backward();
  REQUIRE(h.grad().defined());
  CHECK(h.grad().to_vector() == std::vector<double>{6, 12});
}

TEST_CASE("autograd: the tape lists ops in execution order") {
  Tensor x = param({1, 2}).set_name("x");
  Tensor y = ops::sum(ops::exp(x * 2.0));
  auto tape = tape_of(y);
  REQUIRE(tape.size() == 3);
  CHECK(std::string(tape[0]->op) == "mul_scalar");
  CHECK(std::string(tape[1]->op) == "exp");
  CHECK(std::string(tape[2]->op) == "sum");
  CHECK(tape[0]->seq < tape[1]->seq);
  std::string s = tape_str(y);
  CHECK(s.find("exp") != std::string::npos);
  CHECK(s.find("x") != std::string::npos);
}

TEST_CASE("autograd: a long chain does not overflow the stack (iterative walk)") {
  Tensor x = param({1});
  Tensor y = x;
  for (int i = 0; i < 20000; ++i) y = y * 1.0;
  ops::sum(y).backward();
  CHECK(x.grad().item() == 1.0);
  Tensor z = x;
  for (int i = 0; i < 200000; ++i) z = z * 1.0;
  z = Tensor();  // destroying a long graph that was never walked must not recurse either
}

TEST_CASE("autograd: only inputs that need grad get gradients") {
  Tensor x = param({1, 2});
  Tensor c = tensor({3, 4}, {.dtype = kFloat64});
  ops::sum(x * c).backward();
  CHECK_FALSE(c.grad().defined());
  CHECK(x.grad().to_vector() == std::vector<double>{3, 4});
}

TEST_CASE("autograd: gradient flows through views into the base leaf") {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {.dtype = kFloat64, .requires_grad = true});
  Tensor v = x.reshape({2, 3}).t().slice(0, 1, 3);  // [2,2]: columns 1..2 of the 2x3 view
  ops::sum(v * 2.0).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 2, 2, 0, 2, 2});
}

TEST_CASE("autograd: observers see every recorded op and backward step, only while installed") {
  struct Counter : EngineObserver {
    std::vector<std::string> recorded, backward;
    int ends = 0;
    void on_record(const Node& n, const Tensor&) override { recorded.push_back(n.op); }
    void on_backward(const Node& n, const Tensor&, const TensorList& grads, double seconds) override {
      backward.push_back(n.op);
      CHECK(grads.size() == n.inputs.size());
      CHECK(seconds >= 0);
    }
    void on_backward_end() override { ++ends; }
  } counter;
  Tensor x = param({1, 2});
  add_observer(&counter);
  ops::sum(ops::exp(x)).backward();
  remove_observer(&counter);
  ops::sum(ops::exp(x)).backward();
  CHECK(counter.recorded == std::vector<std::string>{"exp", "sum"});
  CHECK(counter.backward == std::vector<std::string>{"sum", "exp"});
  CHECK(counter.ends == 1);
}

TEST_CASE("autograd: record() stores the current module; the tape prints it") {
  const char* name = intern_name("tower.hidden");
  CHECK(name == intern_name(std::string("tower.") + "hidden"));  // one pointer per name
  Tensor x = param({1, 2});
  set_current_module(name);
  Tensor y = ops::exp(x);
  set_current_module("");
  Tensor z = ops::sum(y);
  CHECK(std::string(y.grad_fn()->module) == "tower.hidden");
  CHECK(std::string(z.grad_fn()->module).empty());
  CHECK(tape_str(z).find("in tower.hidden") != std::string::npos);
}
