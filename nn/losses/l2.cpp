#include "nn/losses/l2.h"

#include <algorithm>
#include <cmath>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg::nn {

namespace {

constexpr int64_t kBlock = 1 << 15;

template <class T>
double sum_squares(const T* x, int64_t n) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> part(static_cast<size_t>(blocks), 0.0);
  parallel_for(blocks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      double acc = 0;
      for (int64_t i = b * kBlock, end = std::min(n, i + kBlock); i < end; ++i)
        acc += static_cast<double>(x[i]) * static_cast<double>(x[i]);
      part[static_cast<size_t>(b)] = acc;
    }
  });
  double total = 0;
  for (double v : part) total += v;
  return total;
}

// out = w * c, a new contiguous tensor (the gradient of c/2 ||w||^2 times g is this with c = lambda g).
template <class T>
Tensor scaled(const Tensor& w, double c) {
  Tensor src = w.contiguous();
  Tensor out = Tensor::empty(w.shape(), {.dtype = w.dtype()});
  const T* x = src.data<T>();
  T* y = out.data<T>();
  const T k = static_cast<T>(c);
  parallel_for(w.numel(), kParallelGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) y[i] = k * x[i];
  });
  return out;
}

}  // namespace

Tensor l2_penalty(const std::vector<Tensor>& params, double lambda) {
  check(std::isfinite(lambda) && lambda >= 0, "l2_penalty: lambda must be finite and >= 0, got {}", lambda);
  check(!params.empty(), "l2_penalty: no parameters");
  const DType dtype = params[0].defined() ? params[0].dtype() : DType::Float32;
  for (size_t i = 0; i < params.size(); ++i) {
    check(params[i].defined(), "l2_penalty: tensor {} is undefined", i);
    check(params[i].dtype() == dtype && (dtype == DType::Float32 || dtype == DType::Float64),
          "l2_penalty: every tensor must be float32, or every one float64; tensor {} is {} (tensor 0 is {})", i,
          params[i].describe(), params[0].describe());
  }
  const Device device = params[0].device();
  for (size_t i = 0; i < params.size(); ++i)
    check(params[i].device() == device, "l2_penalty: tensor {} is on {}, tensor 0 on {}", i, params[i].device(),
          device);
  if (lambda == 0) return scalar_tensor(0.0, {.dtype = dtype, .device = device});
  if (!device.is_cpu()) {
    // On a GPU: composed from device ops (autograd gives the gradient lambda w), one sum of
    // squares per tensor; the CPU path below is the fused, parallel one.
    Tensor total;
    for (const auto& p : params) {
      Tensor s = ops::sum(ops::mul(p, p));
      total = total.defined() ? ops::add(total, s) : s;
    }
    return ops::mul(total, lambda / 2);
  }
  double total = 0;
  for (const auto& p : params) {
    Tensor c = p.contiguous();
    total += dtype == DType::Float64 ? sum_squares(c.data<double>(), c.numel()) : sum_squares(c.data<float>(), c.numel());
  }
  Tensor out = scalar_tensor(lambda / 2 * total, {.dtype = dtype});
  if (needs_grad(params)) {
    record(out, "l2_penalty", params, [params, lambda](const Tensor& g, const InputMask& need) -> TensorList {
      const double c = lambda * g.item();
      TensorList grads;
      for (size_t i = 0; i < params.size(); ++i) {
        if (!need[i]) {
          grads.emplace_back();
          continue;
        }
        grads.push_back(params[i].dtype() == DType::Float64 ? scaled<double>(params[i], c)
                                                            : scaled<float>(params[i], c));
      }
      return grads;
    });
  }
  return out;
}

std::vector<Tensor> parameters_in(const Module& module, L2Scope scope) {
  std::vector<Tensor> chosen;
  for (const auto& p : module.named_parameters()) {
    const bool table = p.role == ParamRole::Embedding;
    if (scope == L2Scope::All || (scope == L2Scope::Embeddings) == table) chosen.push_back(p.value);
  }
  return chosen;
}

Tensor l2_penalty(const Module& module, double lambda, L2Scope scope) {
  std::vector<Tensor> chosen = parameters_in(module, scope);
  check(!chosen.empty(), "l2_penalty: the module has no {}",
        scope == L2Scope::All          ? "parameters"
        : scope == L2Scope::Embeddings ? "embedding parameters (ParamRole::Embedding)"
                                       : "dense parameters (ParamRole::Dense)");
  return l2_penalty(chosen, lambda);
}

}  // namespace tg::nn
