// The library's gradcheck passes a correct backward and catches a deliberately wrong one,
// per tensor, with the worst element's analytic and numeric values.
#include <doctest/doctest.h>

#include "core/autograd.h"
#include "inspect/gradcheck.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {
// y = x^2 elementwise, with a backward that is right (2x) or planted wrong (x).
Tensor square_op(const Tensor& x, bool planted_bug) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = ops::mul(x, x);
  }
  if (needs_grad({x}))
    record(out, "my_square", {x}, [x, planted_bug](const Tensor& g, const InputMask&) -> TensorList {
      return {planted_bug ? ops::mul(g, x) : ops::mul(g, x * 2.0)};
    });
  return out;
}
}  // namespace

TEST_CASE("gradcheck: a correct backward passes, a wrong one fails with the element's values") {
  Tensor x = testing::input({3, 2}, 11).set_name("x");
  Tensor w = testing::input({2}, 12).set_name("w");
  auto good = gradcheck([](const TensorList& in) { return ops::mul(square_op(in[0], false), in[1]); }, {x, w});
  CHECK(good.ok);
  REQUIRE(good.tensors.size() == 2);
  CHECK(good.tensors[0].name == "x");
  CHECK(good.tensors[0].checked == 6);
  CHECK(good.tensors[0].max_rel_error < 1e-6);

  auto bad = gradcheck([](const TensorList& in) { return ops::mul(square_op(in[0], true), in[1]); }, {x, w});
  CHECK_FALSE(bad.ok);
  CHECK_FALSE(bad.tensors[0].ok);  // the planted bug is in x's gradient
  CHECK(bad.tensors[1].ok);        // w's is right
  CHECK(bad.tensors[0].max_rel_error == doctest::Approx(0.5).epsilon(0.01));  // x vs 2x
  CHECK(bad.tensors[0].numeric == doctest::Approx(2 * bad.tensors[0].analytic).epsilon(1e-4));
  CHECK(bad.report.find("analytic") != std::string::npos);
}

TEST_CASE("gradcheck: max_elements checks an evenly spread subset") {
  Tensor x = testing::input({50}, 3);
  auto r = gradcheck([](const TensorList& in) { return ops::tanh(in[0]); }, {x}, {.max_elements = 7});
  CHECK(r.ok);
  CHECK(r.tensors[0].checked == 7);
}
