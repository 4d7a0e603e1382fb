// Anomaly mode names the op that first made a NaN/Inf, forward or backward, with its tape
// position and module; off, the same computation runs through.
#include <doctest/doctest.h>

#include "inspect/anomaly.h"
#include "nn/layers/linear.h"
#include "ops/ops.h"

using namespace tg;

TEST_CASE("anomaly: a NaN made in forward names the op, its tape position and its module") {
  nn::Linear layer(2, 3);
  layer.weight.set_name("encoder.proj.weight");
  layer.bias.set_name("encoder.proj.bias");
  {
    NoGradGuard no_grad;
    layer.weight.fill_(-1.0);
    layer.bias.fill_(0.0);
  }
  Tensor x = tensor({1.0f, 2.0f}).reshape({1, 2});
  {
    AnomalyMode anomaly;
    Tensor h = layer(x);  // all negative
    try {
      Tensor y = ops::log(h);
      FAIL("no error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      CHECK(msg.find("forward of 'log'") != std::string::npos);
      CHECK(msg.find(fmt::format("#{}", h.grad_fn()->seq + 1)) != std::string::npos);
      CHECK(msg.find("in module encoder.proj") != std::string::npos);
      CHECK(msg.find("NaN") != std::string::npos);
    }
  }
  CHECK_FALSE(detect_anomaly_enabled());
  Tensor quiet = ops::log(layer(x));  // anomaly mode off: the NaN goes through
  CHECK(std::isnan(quiet.to_vector()[0]));
}

TEST_CASE("anomaly: an infinite gradient made in backward names the op") {
  Tensor x = tensor({0.0, 4.0}, {.dtype = kFloat64, .requires_grad = true}).set_name("x");
  AnomalyMode anomaly;
  Tensor y = ops::sum(ops::sqrt(x));  // sqrt(0) = 0 is fine; its derivative is not
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("backward of 'sqrt'"), Error);
  Tensor z = ops::sum(ops::sqrt(x));
  CHECK_THROWS_WITH_AS(z.backward(), doctest::Contains("parameter 'x'"), Error);
}

TEST_CASE("anomaly: finite computations pass untouched") {
  Tensor x = tensor({1.0, 2.0}, {.dtype = kFloat64, .requires_grad = true});
  AnomalyMode anomaly;
  ops::sum(ops::log(x) * 3.0).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{3.0, 1.5});
}
