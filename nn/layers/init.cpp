#include "nn/layers/init.h"

#include <cmath>

#include "core/autograd.h"

namespace tg::nn::init {

Fans compute_fans(const Shape& shape) {
  check(shape.size() >= 2, "init: fan in and fan out need a tensor of at least 2 dimensions, got {}", shape);
  int64_t receptive = 1;
  for (int d = 2; d < shape.size(); ++d) receptive *= shape[d];
  return {shape[1] * receptive, shape[0] * receptive};
}

double calculate_gain(Nonlinearity nonlinearity, double a) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::Relu: return std::sqrt(2.0);
    case Nonlinearity::LeakyRelu: return std::sqrt(2.0 / (1.0 + a * a));
  }
  return 1.0;
}

double xavier_std(int64_t fan_in, int64_t fan_out, double gain) {
  check(fan_in + fan_out > 0, "init: xavier needs fan_in + fan_out > 0, got {} + {}", fan_in, fan_out);
  return gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
}

namespace {

// Fills go through core/rng.h's fills, which write in place; a parameter requires grad, so
// the write happens with recording off (initialisation is not part of any graph).
void fill_normal(const Tensor& t, double mean, double std, Generator* gen) {
  NoGradGuard no_grad;
  Tensor handle = t;
  tg::normal_(handle, mean, std, gen);
}

void fill_uniform(const Tensor& t, double a, double b, Generator* gen) {
  NoGradGuard no_grad;
  Tensor handle = t;
  tg::uniform_(handle, a, b, gen);
}

double kaiming_fan(const Tensor& t, FanMode mode) {
  Fans f = compute_fans(t.shape());
  int64_t fan = mode == FanMode::FanIn ? f.in : f.out;
  check(fan > 0, "init: kaiming needs a nonzero fan, got tensor {}", t.shape());
  return static_cast<double>(fan);
}

}  // namespace

void xavier_uniform_(const Tensor& t, double gain, Generator* gen) {
  Fans f = compute_fans(t.shape());
  double a = std::sqrt(3.0) * xavier_std(f.in, f.out, gain);  // sqrt(3) std = gain sqrt(6 / (in + out))
  fill_uniform(t, -a, a, gen);
}

void xavier_normal_(const Tensor& t, double gain, Generator* gen) {
  Fans f = compute_fans(t.shape());
  fill_normal(t, 0.0, xavier_std(f.in, f.out, gain), gen);
}

void kaiming_uniform_(const Tensor& t, FanMode mode, Nonlinearity nonlinearity, double a, Generator* gen) {
  double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / kaiming_fan(t, mode));
  fill_uniform(t, -bound, bound, gen);
}

void kaiming_normal_(const Tensor& t, FanMode mode, Nonlinearity nonlinearity, double a, Generator* gen) {
  fill_normal(t, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(kaiming_fan(t, mode)), gen);
}

void normal_(const Tensor& t, double mean, double std, Generator* gen) { fill_normal(t, mean, std, gen); }

void uniform_(const Tensor& t, double a, double b, Generator* gen) { fill_uniform(t, a, b, gen); }

void constant_(const Tensor& t, double value) {
  check(t.defined(), "init: constant_ of an undefined tensor");
  NoGradGuard no_grad;
  Tensor handle = t;
  handle.fill_(value);
}

void zeros_(const Tensor& t) { constant_(t, 0.0); }
void ones_(const Tensor& t) { constant_(t, 1.0); }

}  // namespace tg::nn::init
