// Seeded random numbers: same seed, same numbers; sensible distributions; Philox known answer.
#include <doctest/doctest.h>

#include <cmath>

#include "core/philox.h"
#include "core/tapegrad.h"
#include "ops/reduce.h"

using namespace tg;

TEST_CASE("rng: Philox4x32-10 matches the Random123 known-answer vector") {
  // Random123 kat_vectors: philox4x32 10 rounds, counter 0, key 0.
  philox::Block b = philox::generate(0, 0, 0);
  CHECK(b.v[0] == 0x6627e8d5u);
  CHECK(b.v[1] == 0xe169c58du);
  CHECK(b.v[2] == 0xbc57ac4cu);
  CHECK(b.v[3] == 0x9b00dbd8u);
}

TEST_CASE("rng: the same seed gives the same numbers; different seeds differ") {
  Generator a(42), b(42), c(43);
  Tensor x = randn({1000}, {}, &a), y = randn({1000}, {}, &b), z = randn({1000}, {}, &c);
  CHECK(x.to_vector() == y.to_vector());
  CHECK(x.to_vector() != z.to_vector());
  // Successive draws differ and the offset advances.
  Tensor x2 = randn({1000}, {}, &a);
  CHECK(x2.to_vector() != x.to_vector());
  manual_seed(7);
  Tensor d1 = rand({5});
  manual_seed(7);
  CHECK(rand({5}).to_vector() == d1.to_vector());
}

TEST_CASE("rng: results do not depend on the thread count") {
  int before = num_threads();
  Generator a(5), b(5);
  set_num_threads(1);
  Tensor x = randn({100000}, {}, &a);
  set_num_threads(2);
  Tensor y = randn({100000}, {}, &b);
  set_num_threads(before);
  CHECK(x.to_vector() == y.to_vector());
}

TEST_CASE("rng: uniform, normal and randint have the right ranges and moments") {
  Generator g(1);
  Tensor u = uniform({200000}, -2.0, 3.0, {.dtype = kFloat64}, &g);
  std::vector<double> v = u.to_vector();
  CHECK(*std::min_element(v.begin(), v.end()) >= -2.0);
  CHECK(*std::max_element(v.begin(), v.end()) < 3.0);
  CHECK(ops::mean(u).item() == doctest::Approx(0.5).epsilon(0.02));
  Tensor n = normal({200000}, 1.0, 2.0, {}, &g);
  CHECK(ops::mean(n).item() == doctest::Approx(1.0).epsilon(0.02));
  CHECK(std::sqrt(ops::var(n).item()) == doctest::Approx(2.0).epsilon(0.02));
  Tensor r = randint(3, 7, {10000}, {.dtype = kInt64}, &g);
  std::vector<double> rv = r.to_vector();
  CHECK(*std::min_element(rv.begin(), rv.end()) == 3);
  CHECK(*std::max_element(rv.begin(), rv.end()) == 6);
  CHECK(g.next_below(10) < 10);
  CHECK_THROWS_AS(randint(3, 3, {2}), tg::Error);
}
