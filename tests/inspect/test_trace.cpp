// The tape trace lists every op of a known expression in execution order with its values and
// gradients; the profiler counts forward and backward calls per op (no timing is asserted).
#include <doctest/doctest.h>

#include <algorithm>

#include "core/profiler.h"
#include "inspect/trace.h"
#include "ops/ops.h"

using namespace tg;

TEST_CASE("trace: every op of a known expression, in order, with value and gradient statistics") {
  Tensor x = tensor({1.0, 2.0, 3.0}, {.dtype = kFloat64, .requires_grad = true}).set_name("x");
  TapeTrace trace;
  Tensor y = ops::sum(ops::exp(x * 2.0));  // mul_scalar, exp, sum
  y.backward();
  trace.stop();
  auto entries = trace.entries();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].op == "mul_scalar");
  CHECK(entries[1].op == "exp");
  CHECK(entries[2].op == "sum");
  CHECK(entries[0].seq < entries[1].seq);
  CHECK(entries[0].inputs == std::vector<std::string>{"x"});
  CHECK(entries[1].inputs == std::vector<std::string>{fmt::format("#{}", entries[0].seq)});
  CHECK(entries[0].value.max == doctest::Approx(6.0));
  CHECK(entries[0].value.mean == doctest::Approx(4.0));
  for (const auto& e : entries) CHECK(e.has_grad);
  // d sum / d exp = 1 everywhere; d / d(2x) = exp(2x): the largest is exp(6).
  CHECK(entries[1].grad.max_abs == doctest::Approx(1.0));
  CHECK(entries[0].grad.max_abs == doctest::Approx(std::exp(6.0)));
  const std::string table = trace.table();
  for (const char* op : {"mul_scalar", "exp", "sum"}) CHECK(table.find(op) != std::string::npos);
  CHECK(table.find("3 ops, 3 reached by the gradient") != std::string::npos);
}

TEST_CASE("trace: ops off the loss's path show no gradient; a stopped trace records nothing") {
  Tensor x = tensor({1.0, -2.0}, {.dtype = kFloat64, .requires_grad = true});
  TapeTrace trace;
  Tensor unused = ops::tanh(x);
  Tensor y = ops::sum(ops::square(x));
  y.backward();
  trace.stop();
  Tensor after = ops::sigmoid(x);
  auto entries = trace.entries();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].op == "tanh");
  CHECK_FALSE(entries[0].has_grad);
  CHECK(entries[1].has_grad);
  CHECK(trace.table().find("3 ops, 2 reached by the gradient") != std::string::npos);
}

TEST_CASE("profiler: counts each op's forward and backward calls; off again after enable(false)") {
  Tensor x = tensor({0.5, 1.5}, {.dtype = kFloat64, .requires_grad = true});
  profiler::enable(true);
  CHECK(profiler::enabled());
  for (int i = 0; i < 3; ++i) {
    profiler::mark();
    ops::sum(ops::exp(x)).backward();
  }
  profiler::enable(false);
  ops::sum(ops::exp(x)).backward();  // not counted
  auto times = profiler::op_times();
  auto exp = std::find_if(times.begin(), times.end(), [](const auto& t) { return t.op == "exp"; });
  REQUIRE(exp != times.end());
  CHECK(exp->forward_calls == 3);
  CHECK(exp->backward_calls == 3);
  CHECK(exp->forward_ms >= 0);
  const std::string report = profiler::report();
  CHECK(report.find("exp") != std::string::npos);
  CHECK(report.find("cpu allocator") != std::string::npos);
  profiler::reset();
  CHECK(profiler::op_times().empty());
}
