// Initializers: fans, gains, empirical mean/std of large draws against the formulas, bounds
// of the uniform forms, seeding, and in-place fills of views.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/nn/layers/helpers.h"

using namespace tg;
using namespace layer_test;
namespace init = tg::nn::init;

TEST_CASE("init: fans as PyTorch, gains") {
  CHECK(init::compute_fans({8, 16}).in == 16);
  CHECK(init::compute_fans({8, 16}).out == 8);
  CHECK(init::compute_fans({4, 3, 5}).in == 15);
  CHECK(init::compute_fans({4, 3, 5}).out == 20);
  CHECK_THROWS_WITH_AS(init::compute_fans({7}), doctest::Contains("[7]"), Error);
  CHECK(init::calculate_gain(init::Nonlinearity::Relu) == doctest::Approx(std::sqrt(2.0)));
  CHECK(init::calculate_gain(init::Nonlinearity::Tanh) == doctest::Approx(5.0 / 3.0));
  CHECK(init::calculate_gain(init::Nonlinearity::Linear) == 1.0);
  CHECK(init::calculate_gain(init::Nonlinearity::LeakyRelu, 0.2) == doctest::Approx(std::sqrt(2.0 / 1.04)));
  CHECK(init::xavier_std(300, 100) == doctest::Approx(std::sqrt(2.0 / 400)));
}

TEST_CASE("init: empirical mean and std of large draws match the formulas") {
  // 120,000 draws: the sample std is within ~0.4% of the true one (3 sigma), the mean
  // within ~3 std / sqrt(n) ~ 0.009 std.
  const Shape shape{300, 400};  // fan_out 300, fan_in 400
  auto check_draw = [&](const Tensor& t, double mean, double std) {
    std::vector<double> v = t.to_vector();
    CHECK(std::abs(mean_of(v) - mean) < 0.02 * std);
    CHECK(std_of(v) == doctest::Approx(std).epsilon(0.01));
  };
  Generator gen(11);
  Tensor t = Tensor::empty(shape);
  init::xavier_normal_(t, 1.0, &gen);
  check_draw(t, 0.0, std::sqrt(2.0 / 700));
  init::xavier_normal_(t, 2.0, &gen);
  check_draw(t, 0.0, 2.0 * std::sqrt(2.0 / 700));
  init::xavier_uniform_(t, 1.0, &gen);
  const double a = std::sqrt(6.0 / 700);
  check_draw(t, 0.0, a / std::sqrt(3.0));
  std::vector<double> v = t.to_vector();
  CHECK(*std::max_element(v.begin(), v.end()) <= a);
  CHECK(*std::min_element(v.begin(), v.end()) >= -a);
  CHECK(*std::max_element(v.begin(), v.end()) > 0.99 * a);
  init::kaiming_normal_(t, init::FanMode::FanIn, init::Nonlinearity::Relu, 0.0, &gen);
  check_draw(t, 0.0, std::sqrt(2.0 / 400));
  init::kaiming_normal_(t, init::FanMode::FanOut, init::Nonlinearity::Relu, 0.0, &gen);
  check_draw(t, 0.0, std::sqrt(2.0 / 300));
  init::kaiming_uniform_(t, init::FanMode::FanIn, init::Nonlinearity::LeakyRelu, 0.5, &gen);
  const double b = std::sqrt(2.0 / 1.25) * std::sqrt(3.0 / 400);
  check_draw(t, 0.0, b / std::sqrt(3.0));
  v = t.to_vector();
  CHECK(*std::max_element(v.begin(), v.end()) <= b);
  CHECK(*std::min_element(v.begin(), v.end()) >= -b);
  init::normal_(t, 1.5, 0.25, &gen);
  check_draw(t, 1.5, 0.25);
  init::uniform_(t, -2.0, 3.0, &gen);
  check_draw(t, 0.5, 5.0 / std::sqrt(12.0));
  // float64 tensors too
  Tensor d = Tensor::empty(shape, {.dtype = kFloat64});
  init::xavier_normal_(d, 1.0, &gen);
  check_draw(d, 0.0, std::sqrt(2.0 / 700));
}

TEST_CASE("init: constants") {
  Tensor t = Tensor::empty({3, 2});
  init::zeros_(t);
  CHECK(t.to_vector() == std::vector<double>(6, 0.0));
  init::ones_(t);
  CHECK(t.to_vector() == std::vector<double>(6, 1.0));
  init::constant_(t, 0.25);
  CHECK(t.to_vector() == std::vector<double>(6, 0.25));
}

TEST_CASE("init: the same seed gives the same numbers; null uses the global generator") {
  Tensor a = Tensor::empty({20, 30}), b = Tensor::empty({20, 30});
  Generator g1(42), g2(42);
  init::xavier_normal_(a, 1.0, &g1);
  init::xavier_normal_(b, 1.0, &g2);
  CHECK(a.to_vector() == b.to_vector());
  init::xavier_normal_(b, 1.0, &g2);  // the generator advanced: new numbers
  CHECK(a.to_vector() != b.to_vector());
  Generator g3(43);
  init::xavier_normal_(b, 1.0, &g3);
  CHECK(a.to_vector() != b.to_vector());
  manual_seed(7);
  init::kaiming_uniform_(a);
  manual_seed(7);
  init::kaiming_uniform_(b);
  CHECK(a.to_vector() == b.to_vector());
}

TEST_CASE("init: fills a parameter (requires grad) and a view of it in place") {
  Tensor w = zeros({3, 4}).set_requires_grad(true);
  init::normal_(w.select(0, 1), 5.0, 0.0);  // std 0: exactly the mean, only row 1
  CHECK(w.to_vector() == std::vector<double>{0, 0, 0, 0, 5, 5, 5, 5, 0, 0, 0, 0});
  Tensor col = w.select(1, 2);  // a strided view
  init::constant_(col, -1.0);
  CHECK(w.at({0, 2}) == -1.0);
  CHECK(w.at({1, 2}) == -1.0);
  CHECK(w.at({1, 1}) == 5.0);
  CHECK(w.is_leaf());
}
