// Helpers shared by the layer tests: float64 gradchecks through a whole layer, naive
// reference arithmetic on plain vectors, and parameter-name listings.
#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "nn/layers/layers.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

namespace layer_test {

using tg::Tensor;
using tg::TensorList;

// Converts the layer to float64 and checks d(out)/d(inputs and every parameter) by finite
// differences. f reads the inputs from its argument (the parameters ride along at the end).
inline tg::testing::GradcheckResult gradcheck_layer(tg::nn::Module& layer, const TensorList& inputs,
                                                    const std::function<Tensor(const TensorList&)>& f,
                                                    tg::testing::GradcheckOptions options = {}) {
  tg::nn::to_dtype(layer, tg::kFloat64);
  TensorList all = inputs;
  for (const Tensor& p : layer.parameters()) all.push_back(p);
  return tg::testing::gradcheck(f, all, options);
}

// "name shape" for every parameter, in registration order.
inline std::vector<std::string> param_names(const tg::nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters()) out.push_back(p.name + " " + tg::to_string(p.value.shape()));
  return out;
}

// Writes values into a parameter (no autograd), e.g. to set hand-picked weights.
inline void set_values(const Tensor& t, const std::vector<double>& values) {
  tg::NoGradGuard g;
  Tensor src = tg::from_vector(values, t.shape()).to(t.dtype());
  Tensor handle = t;
  handle.copy_(src);
}

// Fills a parameter with seeded uniform values in [lo, hi).
inline void randomize(const Tensor& t, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  tg::Generator gen(seed);
  tg::nn::init::uniform_(t, lo, hi, &gen);
}

inline double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

inline double std_of(const std::vector<double>& v) {
  double m = mean_of(v), s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

// |a_i - b_i| <= tol for every i (and equal sizes).
inline bool near(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-6) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(std::abs(a[i] - b[i]) <= tol)) return false;
  return true;
}

inline bool all_finite(const Tensor& t) {
  for (double x : t.to_vector())
    if (!std::isfinite(x)) return false;
  return true;
}

// Row-major [rows, cols] matrix of plain doubles with a product helper.
struct Mat {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  double operator()(int64_t i, int64_t j) const { return v[static_cast<size_t>(i * cols + j)]; }
  double& operator()(int64_t i, int64_t j) { return v[static_cast<size_t>(i * cols + j)]; }
};

inline Mat mat(const Tensor& t) {
  return {t.size(0), t.size(1), t.to_vector()};
}

}  // namespace layer_test
