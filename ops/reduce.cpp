// Reductions. Forward brings the input to [outer, r, inner] and calls one kernel;
// backward of sum broadcasts the gradient back (an expand: no copy), of mean the same
// scaled by 1/r. var and logsumexp are compositions, so their gradients come for free.
#include "ops/reduce.h"

#include <cmath>

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/reduce_cpu.h"
#include "ops/cuda/reduce.h"

namespace tg::ops {

namespace {

struct ReducePlan {
  uint32_t reduced = 0;  // bit d set: dim d is reduced
  Shape keep_shape;      // output shape with keepdim
  Shape out_shape;       // output shape as asked
  int64_t r = 1;         // elements reduced into each output
};

ReducePlan plan_reduce(const Tensor& a, const Shape& dims, bool keepdim, const char* op) {
  ReducePlan p;
  if (dims.empty()) {
    for (int d = 0; d < a.dim(); ++d) p.reduced |= 1u << d;
  } else {
    for (int64_t d : dims) {
      int w = wrap_dim(d, a.dim(), op);
      check(!(p.reduced >> w & 1u), "{}: dimension {} given twice in {}", op, w, dims);
      p.reduced |= 1u << w;
    }
  }
  for (int d = 0; d < a.dim(); ++d) {
    bool red = p.reduced >> d & 1u;
    p.keep_shape.push_back(red ? 1 : a.shape()[d]);
    if (red) p.r *= a.shape()[d];
    if (!red || keepdim) p.out_shape.push_back(red ? 1 : a.shape()[d]);
  }
  return p;
}

void reduce_on_device(cpu::Reduce kind, const Tensor& c, int64_t outer, int64_t r, int64_t inner, const Tensor& out,
                      const char* op) {
  switch (c.device().type) {
    case DeviceType::CPU: cpu::reduce_forward(kind, c, outer, r, inner, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::reduce_forward(kind, c, outer, r, inner, out, op)); break;
  }
}

// Runs the raw kernel (no autograd); returns a tensor of shape keep_shape.
Tensor reduce_raw(cpu::Reduce kind, const Tensor& a, const ReducePlan& p, const char* op) {
  Tensor out = Tensor::empty(p.keep_shape, {.dtype = a.dtype(), .device = a.device()});
  // Reduced dims adjacent among the dims of size > 1 (size-1 dims do not matter), in a
  // contiguous input: reduce in place. Otherwise permute the reduced dims to the end.
  int first = -1, last = -1;
  bool adjacent = true, seen_gap = false;
  for (int d = 0; d < a.dim(); ++d) {
    if (a.shape()[d] == 1) continue;
    if (p.reduced >> d & 1u) {
      if (first < 0) first = d;
      else if (seen_gap) adjacent = false;
      last = d;
    } else if (first >= 0) {
      seen_gap = true;
    }
  }
  NoGradGuard no_grad;
  if (first < 0) {  // nothing of size > 1 reduced: a copy
    out.copy_(a.reshape(p.keep_shape));
    return out;
  }
  if (adjacent) {
    Tensor c = a.contiguous();
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < first; ++d) outer *= a.shape()[d];
    for (int d = last + 1; d < a.dim(); ++d) inner *= a.shape()[d];
    reduce_on_device(kind, c, outer, p.r, inner, out, op);
  } else {
    Shape perm;
    for (int d = 0; d < a.dim(); ++d)
      if (!(p.reduced >> d & 1u)) perm.push_back(d);
    for (int d = 0; d < a.dim(); ++d)
      if (p.reduced >> d & 1u) perm.push_back(d);
    Tensor c = a.permute(perm).contiguous();
    reduce_on_device(kind, c, a.numel() / std::max<int64_t>(p.r, 1), p.r, 1, out, op);
  }
  return out;
}

Tensor sum_impl(const Tensor& a, const Shape& dims, bool keepdim, double scale, const char* op) {
  check(a.defined(), "{}: undefined tensor", op);
  ReducePlan p = plan_reduce(a, dims, keepdim, op);
  Tensor out = reduce_raw(cpu::Reduce::Sum, a, p, op);
  if (scale != 1.0) {
    NoGradGuard no_grad;
    out.mul_(scale);
  }
  out = out.detach().view(p.out_shape);
  if (needs_grad({a}))
    record(out, op, {a}, [keep = p.keep_shape, in_shape = a.shape(), scale](const Tensor& g, const InputMask&) -> TensorList {
      Tensor gk = g.reshape(keep);
      if (scale != 1.0) gk = mul(gk, scale);
      return {gk.expand(in_shape)};
    }, {.check_input_versions = false});
  return out;
}

}  // namespace

Tensor sum(const Tensor& a) { return sum_impl(a, Shape{}, false, 1.0, "sum"); }
Tensor sum(const Tensor& a, const Shape& dims, bool keepdim) { return sum_impl(a, dims, keepdim, 1.0, "sum"); }
Tensor sum(const Tensor& a, int64_t dim, bool keepdim) { return sum(a, Shape{dim}, keepdim); }

Tensor mean(const Tensor& a, const Shape& dims, bool keepdim) {
  check(a.defined() && is_floating(a.dtype()), "mean: needs a floating tensor, got {}", a.describe());
  ReducePlan p = plan_reduce(a, dims, keepdim, "mean");
  check(p.r > 0, "mean: reducing {} over an empty dimension", a.shape());
  return sum_impl(a, dims, keepdim, 1.0 / static_cast<double>(p.r), "mean");
}
Tensor mean(const Tensor& a) { return mean(a, Shape{}, false); }
Tensor mean(const Tensor& a, int64_t dim, bool keepdim) { return mean(a, Shape{dim}, keepdim); }

Tensor var(const Tensor& a, const Shape& dims, bool unbiased, bool keepdim) {
  ReducePlan p = plan_reduce(a, dims, keepdim, "var");
  int64_t denom = p.r - (unbiased ? 1 : 0);
  check(denom > 0, "var: {} elements per output are too few for {} variance", p.r, unbiased ? "unbiased" : "a");
  Tensor centered = sub(a, mean(a, dims, true));
  return mul(sum(mul(centered, centered), dims, keepdim), 1.0 / static_cast<double>(denom));
}
Tensor var(const Tensor& a, int64_t dim, bool unbiased, bool keepdim) { return var(a, Shape{dim}, unbiased, keepdim); }
Tensor var(const Tensor& a) { return var(a, Shape{}, true, false); }

Tensor logsumexp(const Tensor& a, int64_t dim, bool keepdim) {
  check(a.defined() && is_floating(a.dtype()), "logsumexp: needs a floating tensor, got {}", a.describe());
  int d = wrap_dim(dim, a.dim(), "logsumexp");
  check(a.dim() == 0 || a.shape()[d] > 0, "logsumexp: dimension {} of {} is empty", d, a.shape());
  ReducePlan p = plan_reduce(a, Shape{d}, true, "logsumexp");
  // Shift by the (constant) row max so exp never overflows; rows of -inf shift by 0.
  Tensor m = reduce_raw(cpu::Reduce::Max, a.detach(), p, "logsumexp");
  {
    NoGradGuard no_grad;
    m = where(logical_not(eq(m, m)), zeros_like(m), m);                     // NaN -> 0
    m = where(eq(abs(m), std::numeric_limits<double>::infinity()), zeros_like(m), m);  // inf -> 0
  }
  Tensor out = add(log(sum(exp(sub(a, m)), Shape{d}, true)), m);
  return keepdim ? out : out.squeeze(d);
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  int lead = g.dim() - shape.size();
  check(lead >= 0, "sum_to: cannot reduce {} to the larger shape {}", g.shape(), shape);
  Shape dims;
  for (int i = 0; i < g.dim(); ++i) {
    int j = i - lead;
    if (j < 0) dims.push_back(i);
    else if (shape[j] == 1 && g.shape()[i] != 1) dims.push_back(i);
    else check(shape[j] == g.shape()[i], "sum_to: {} does not broadcast to {}", shape, g.shape());
  }
  Tensor s = dims.empty() ? g : sum(g, dims, true);
  return s.reshape(shape);
}

}  // namespace tg::ops
