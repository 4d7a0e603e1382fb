// Views as differentiable ops: gradients flow back through slicing, transposes and
// broadcasting expands into the base tensor.
#include <doctest/doctest.h>

#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
using tg::testing::gradcheck;
using tg::testing::input;

TEST_CASE("gradcheck slice with a step and negative bounds") {
  Tensor x = input({5, 6}, 41);
  CHECK(gradcheck([](const TensorList& in) { return in[0].slice(1, -5, -1, 2) * 3.0; }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return in[0].slice(0, 1, 100); }, {x}));  // end clamps as in Python
}

TEST_CASE("gradcheck slice of a slice shares one storage") {
  Tensor x = input({4, 4}, 42);
  CHECK(gradcheck([](const TensorList& in) { return in[0].slice(0, 1, 3).slice(1, 0, 4, 3); }, {x}));
}

TEST_CASE("gradcheck transpose and permute compose with arithmetic") {
  Tensor x = input({2, 3, 4}, 43), y = input({4, 3}, 44);
  CHECK(gradcheck([](const TensorList& in) { return in[0].transpose(1, 2) * in[1]; }, {x, y}));
}

TEST_CASE("gradcheck expand sums the gradient back") {
  Tensor b = input({1, 4}, 45);
  CHECK(gradcheck([](const TensorList& in) { return in[0].expand({3, -1}) * 2.0; }, {b}));
  CHECK(gradcheck([](const TensorList& in) { return in[0].expand({2, 3, 4}); }, {b}));
}

TEST_CASE("gradcheck reshape of a non-contiguous tensor (copy path)") {
  Tensor x = tg::testing::strided_input({3, 4}, 0, 46);
  CHECK(gradcheck([](const TensorList& in) { return in[0].reshape({12}) * 1.0; }, {x}));
  CHECK(gradcheck([](const TensorList& in) { return in[0].flatten(); }, {x}));
}
