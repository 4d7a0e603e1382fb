#include "nn/optim/clip.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"
#include "ops/ops.h"

namespace tg::nn {

namespace {

// The gradients to visit; a strided .grad is replaced by a contiguous copy first.
std::vector<Tensor> contiguous_grads(const std::vector<Tensor>& params) {
  std::vector<Tensor> out;
  for (const auto& p : params) {
    check(p.defined(), "clip_grad: undefined parameter tensor");
    Tensor g = p.grad();
    if (!g.defined()) continue;
    check(is_floating(g.dtype()), "clip_grad: the gradient of '{}' is {}", p.name(), g.dtype());
    if (!g.is_contiguous()) {
      g = g.clone();  // contiguous; keeps the row ids of a row-sparse gradient
      Tensor(p).set_grad(g);
    }
    out.push_back(g);
  }
  return out;
}

// f(T* data, int64_t n) over every host gradient, split into blocks of kParallelGrain
// elements. Gradients on a GPU are skipped: their callers use device ops instead.
template <class F>
void for_each_block(const std::vector<Tensor>& grads, F&& f) {
  for (const auto& g : grads) {
    if (g.device().is_cuda()) continue;
    const int64_t n = g.numel(), blocks = (n + kParallelGrain - 1) / kParallelGrain;
    parallel_for(blocks, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b) {
        const int64_t begin = b * kParallelGrain, len = std::min(n, begin + kParallelGrain) - begin;
        if (g.dtype() == DType::Float64) {
          f(g.data<double>() + begin, len);
        } else {
          f(g.data<float>() + begin, len);
        }
      }
    });
  }
}

// The sum of |x|^p (or max |x| with p = inf) of one block, in double.
template <class T>
double block_norm(const T* x, int64_t n, double p) {
  double acc = 0;
  if (std::isinf(p)) {
    for (int64_t i = 0; i < n; ++i) {
      const double a = std::abs(static_cast<double>(x[i]));
      if (std::isnan(a)) return a;
      acc = std::max(acc, a);
    }
  } else if (p == 2.0) {
    for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  } else if (p == 1.0) {
    for (int64_t i = 0; i < n; ++i) acc += std::abs(static_cast<double>(x[i]));
  } else {
    for (int64_t i = 0; i < n; ++i) acc += std::pow(std::abs(static_cast<double>(x[i])), p);
  }
  return acc;
}

// block_norm of a whole gradient on a GPU, with the device's ops (in float64): one partial
// per tensor, so the total is still combined in a fixed order.
double device_norm(const Tensor& g, double p) {
  Tensor a = ops::abs(g.detach().to(DType::Float64));
  if (std::isinf(p)) return g.numel() == 0 ? 0.0 : ops::max(a).item();
  if (p == 2.0) return ops::sum(ops::square(a)).item();
  if (p == 1.0) return ops::sum(a).item();
  return ops::sum(ops::pow(a, p)).item();
}

}  // namespace

namespace {
double total_norm(const std::vector<Tensor>& grads, double norm_type) {
  // One partial result per block, combined in block order: deterministic.
  std::vector<std::vector<double>> partial(grads.size());
  for (size_t k = 0; k < grads.size(); ++k) {
    if (grads[k].device().is_cuda()) {
      partial[k] = {device_norm(grads[k], norm_type)};
      continue;
    }
    const int64_t n = grads[k].numel();
    partial[k].assign(static_cast<size_t>((n + kParallelGrain - 1) / kParallelGrain), 0.0);
    parallel_for(static_cast<int64_t>(partial[k].size()), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b) {
        const int64_t begin = b * kParallelGrain, len = std::min(n, begin + kParallelGrain) - begin;
        partial[k][static_cast<size_t>(b)] =
            grads[k].dtype() == DType::Float64 ? block_norm(grads[k].data<double>() + begin, len, norm_type)
                                               : block_norm(grads[k].data<float>() + begin, len, norm_type);
      }
    });
  }
  const bool inf_norm = std::isinf(norm_type);
  double acc = 0;
  for (const auto& blocks : partial)
    for (double v : blocks) acc = inf_norm ? (std::isnan(v) || std::isnan(acc) ? NAN : std::max(acc, v)) : acc + v;
  return inf_norm ? acc : norm_type == 2.0 ? std::sqrt(acc) : std::pow(acc, 1.0 / norm_type);
}
void check_norm_type(const char* op, double norm_type) {
  check(norm_type > 0, "{}: norm_type must be positive, got {}", op, norm_type);
}
}  // namespace

double grad_norm(const std::vector<Tensor>& params, double norm_type) {
  check_norm_type("grad_norm", norm_type);
  NoGradGuard no_grad;
  return total_norm(contiguous_grads(params), norm_type);
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  check(max_norm > 0, "clip_grad_norm_: max_norm must be positive, got {}", max_norm);
  check_norm_type("clip_grad_norm_", norm_type);
  NoGradGuard no_grad;
  std::vector<Tensor> grads = contiguous_grads(params);
  const double total = total_norm(grads, norm_type);
  if (!std::isfinite(total)) return total;
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1.0) {
    for_each_block(grads, [&](auto* x, int64_t n) {
      using T = std::remove_reference_t<decltype(*x)>;
      const T s = static_cast<T>(scale);
      for (int64_t i = 0; i < n; ++i) x[i] *= s;
    });
    for (Tensor& g : grads)
      if (g.device().is_cuda()) g.mul_(scale);
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  check(clip_value >= 0, "clip_grad_value_: clip_value must be >= 0, got {}", clip_value);
  NoGradGuard no_grad;
  std::vector<Tensor> grads = contiguous_grads(params);
  for_each_block(grads, [&](auto* x, int64_t n) {
    using T = std::remove_reference_t<decltype(*x)>;
    const T lo = static_cast<T>(-clip_value), hi = static_cast<T>(clip_value);
    for (int64_t i = 0; i < n; ++i) x[i] = std::clamp(x[i], lo, hi);
  });
  for (Tensor& g : grads)
    if (g.device().is_cuda()) g.copy_(ops::clamp(g.detach(), -clip_value, clip_value));
}

}  // namespace tg::nn
