// Parameter initializers (tg::nn::init): fill a tensor in place, without autograd, from a
// seeded Generator (nullptr = the global generator of core/rng.h, set by tg::manual_seed).
//
// Fans as PyTorch's _calculate_fan_in_and_fan_out: for a tensor of >= 2 dims,
//   receptive = prod(shape[2:]),  fan_in = shape[1] * receptive,  fan_out = shape[0] * receptive
// so a Linear weight [out, in] has fan_in = in, fan_out = out. (Xavier is symmetric in the
// two fans, so the [in, out] layout of the attention weights gets the same distribution.)
//
//   xavier_uniform_(t, gain)   U(-a, a),    a   = gain * sqrt(6 / (fan_in + fan_out))
//   xavier_normal_(t, gain)    N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))
//   kaiming_uniform_(t, ...)   U(-b, b),    b   = gain * sqrt(3 / fan),  fan = fan_in or fan_out
//   kaiming_normal_(t, ...)    N(0, std^2), std = gain / sqrt(fan)
//   gain(nonlinearity, a): linear/sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu sqrt(2 / (1 + a^2))
//   normal_(t, mean, std), uniform_(t, a, b), zeros_, ones_, constant_(t, v)
//
// All take the tensor by const reference (a Tensor is a handle), so views of a parameter
// (e.g. one head's slab, t.select(0, h)) can be initialised in place. Random fills draw
// t.numel() numbers in row-major order: the same seed gives the same values.
#pragma once
#include <cstdint>

#include "core/rng.h"
#include "core/tensor.h"

namespace tg::nn::init {

struct Fans {
  int64_t in = 0;
  int64_t out = 0;
};
// Error for tensors with fewer than 2 dimensions (as PyTorch).
Fans compute_fans(const Shape& shape);

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, Sigmoid, Tanh, Relu, LeakyRelu };
// The recommended gain (torch.nn.init.calculate_gain); `a` is leaky_relu's negative slope.
double calculate_gain(Nonlinearity nonlinearity, double a = 0.01);

// Standard deviations the normal initializers use, for callers that init per slab with
// their own fans (per-head weights).
double xavier_std(int64_t fan_in, int64_t fan_out, double gain = 1.0);

void xavier_uniform_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);
void xavier_normal_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);
// Defaults: fan_in and the ReLU gain sqrt(2) (He et al.). `a` is used for LeakyRelu only.
void kaiming_uniform_(const Tensor& t, FanMode mode = FanMode::FanIn, Nonlinearity nonlinearity = Nonlinearity::Relu,
                      double a = 0.0, Generator* gen = nullptr);
void kaiming_normal_(const Tensor& t, FanMode mode = FanMode::FanIn, Nonlinearity nonlinearity = Nonlinearity::Relu,
                     double a = 0.0, Generator* gen = nullptr);
void normal_(const Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
void uniform_(const Tensor& t, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
void constant_(const Tensor& t, double value);
void zeros_(const Tensor& t);
void ones_(const Tensor& t);

}  // namespace tg::nn::init
