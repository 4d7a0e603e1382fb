#include "core/rng.h"

#include "core/autograd.h"
#include "core/parallel.h"
#include "core/philox.h"

namespace tg {

uint64_t Generator::next_u64() {
  philox::Block b = philox::generate(seed_, advance(1));
  return static_cast<uint64_t>(b.v[0]) << 32 | b.v[1];
}

double Generator::next_double() {
  philox::Block b = philox::generate(seed_, advance(1));
  return philox::to_unit_double(b.v[0], b.v[1]);
}

int64_t Generator::next_below(int64_t n) {
  check(n > 0, "next_below: bound {} must be positive", n);
  uint64_t bound = static_cast<uint64_t>(n);
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;  // reject the uneven tail: no modulo bias
  for (;;) {
    uint64_t x = next_u64();
    if (x < limit) return static_cast<int64_t>(x % bound);
  }
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

namespace {

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

void check_fill_target(const Tensor& t, const char* op) {
  check(t.defined(), "{}: undefined tensor", op);
  check(is_floating(t.dtype()), "{}: needs a floating tensor, got {}", op, t.describe());
  check(t.device().is_cpu(), "{}: {} is not on the cpu", op, t.describe());
}

// Writes f(i) into element i of a contiguous tensor, i in row-major order.
template <class T, class F> void fill_indexed(Tensor& t, F f) {
  T* p = t.data<T>();
  parallel_for(t.numel(), 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) p[i] = static_cast<T>(f(static_cast<uint64_t>(i)));
  });
}

// Fills `t` (made contiguous first if it is a view) and writes back if needed.
template <class Fill> void fill_random(Tensor& t, Fill fill) {
  if (t.is_contiguous()) {
    fill(t);
  } else {
    Tensor tmp = Tensor::empty(t.shape(), {.dtype = t.dtype()});
    fill(tmp);
    NoGradGuard g;
    t.copy_(tmp);
  }
  t.storage()->bump_version();
}

}  // namespace

void uniform_(Tensor& t, double low, double high, Generator* gen) {
  check_fill_target(t, "uniform_");
  check(low <= high, "uniform_: low {} > high {}", low, high);
  Generator& g = pick(gen);
  uint64_t n = static_cast<uint64_t>(t.numel());
  uint64_t seed = g.seed();
  fill_random(t, [&](Tensor& c) {
    if (c.dtype() == kFloat32) {
      uint64_t off = g.advance((n + 3) / 4);
      fill_indexed<float>(c, [&](uint64_t i) { return low + (high - low) * philox::uniform_float(seed, off, i); });
    } else {
      uint64_t off = g.advance((n + 1) / 2);
      fill_indexed<double>(c, [&](uint64_t i) { return low + (high - low) * philox::uniform_double(seed, off, i); });
    }
  });
}

void normal_(Tensor& t, double mean, double std, Generator* gen) {
  check_fill_target(t, "normal_");
  check(std >= 0, "normal_: std {} is negative", std);
  Generator& g = pick(gen);
  uint64_t n = static_cast<uint64_t>(t.numel());
  uint64_t seed = g.seed();
  fill_random(t, [&](Tensor& c) {
    uint64_t off = g.advance((n + 1) / 2);
    auto f = [&](uint64_t i) { return mean + std * philox::normal_double(seed, off, i); };
    if (c.dtype() == kFloat32) fill_indexed<float>(c, f);
    else fill_indexed<double>(c, f);
  });
}

Tensor uniform(const Shape& shape, double low, double high, TensorOptions options, Generator* gen) {
  bool rg = options.requires_grad;
  options.requires_grad = false;
  Tensor t = Tensor::empty(shape, options);
  uniform_(t, low, high, gen);
  return t.set_requires_grad(rg);
}

Tensor rand(const Shape& shape, TensorOptions options, Generator* gen) { return uniform(shape, 0.0, 1.0, options, gen); }

Tensor normal(const Shape& shape, double mean, double std, TensorOptions options, Generator* gen) {
  bool rg = options.requires_grad;
  options.requires_grad = false;
  Tensor t = Tensor::empty(shape, options);
  normal_(t, mean, std, gen);
  return t.set_requires_grad(rg);
}

Tensor randn(const Shape& shape, TensorOptions options, Generator* gen) { return normal(shape, 0.0, 1.0, options, gen); }

Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options, Generator* gen) {
  check(low < high, "randint: empty range [{}, {})", low, high);
  check(is_integral(options.dtype), "randint: needs an integer dtype, got {}", options.dtype);
  Generator& g = pick(gen);
  Tensor t = Tensor::empty(shape, options);
  uint64_t n = static_cast<uint64_t>(t.numel()), seed = g.seed(), off = g.advance((n + 1) / 2);
  double span = static_cast<double>(high - low);
  auto f = [&](uint64_t i) {
    int64_t v = low + static_cast<int64_t>(philox::uniform_double(seed, off, i) * span);
    return v < high ? v : high - 1;
  };
  if (options.dtype == kInt64) fill_indexed<int64_t>(t, f);
  else fill_indexed<int32_t>(t, f);
  return t;
}

}  // namespace tg
