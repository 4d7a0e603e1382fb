// Elementwise ops: forward, then the backward closure right below it.
// Conventions: `g` is the gradient of the op's output; each closure returns one gradient
// per input, reduced to that input's shape with sum_to (broadcasting's adjoint).
#include "ops/elementwise.h"

#include <cmath>
#include <limits>

#include "ops/dispatch.h"
#include "ops/elementwise_cpu.h"
#include "ops/cuda/elementwise.h"
#include "ops/reduce.h"

namespace tg::ops {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  int n = std::max(a.size(), b.size());
  Shape out = Shape::filled(n, 1);
  for (int i = 0; i < n; ++i) {
    int ia = i - (n - a.size()), ib = i - (n - b.size());
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    check(da == db || da == 1 || db == 1, "{}: shapes {} and {} cannot be broadcast (dimension {}: {} vs {})", op,
          a, b, i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

void check_pair(const Tensor& a, const Tensor& b, const char* op) {
  check(a.defined() && b.defined(), "{}: undefined tensor operand", op);
  check(a.dtype() == b.dtype(), "{}: dtypes differ: {} and {} (convert one with .to(dtype))", op, a.describe(),
        b.describe());
  check(a.device() == b.device(), "{}: devices differ: {} and {}", op, a.describe(), b.describe());
}

Tensor binary_raw(cpu::Binary kind, const Tensor& a, const Tensor& b, const char* op) {
  check_pair(a, b, op);
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), op), {.dtype = a.dtype(), .device = a.device()});
  switch (a.device().type) {
    case DeviceType::CPU: cpu::binary_forward(kind, a, b, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::binary_forward(kind, a, b, out, op)); break;
  }
  return out;
}

Tensor unary_raw(cpu::Unary kind, const Tensor& a, const char* op, double p = 0, double q = 0) {
  check(a.defined(), "{}: undefined tensor", op);
  Tensor out = Tensor::empty(a.shape(), {.dtype = a.dtype(), .device = a.device()});
  switch (a.device().type) {
    case DeviceType::CPU: cpu::unary_forward(kind, a, out, p, q); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::unary_forward(kind, a, out, p, q, op)); break;
  }
  return out;
}

Tensor compare_raw(cpu::Compare kind, const Tensor& a, const Tensor& b, const char* op) {
  check_pair(a, b, op);
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), op), {.dtype = DType::Bool, .device = a.device()});
  switch (a.device().type) {
    case DeviceType::CPU: cpu::compare_forward(kind, a, b, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::compare_forward(kind, a, b, out, op)); break;
  }
  return out;
}

Tensor scalar_like(const Tensor& a, double s) { return full(Shape{}, s, {.dtype = a.dtype(), .device = a.device()}); }

void check_differentiable(const Tensor& a, const char* op) {
  check(!a.requires_grad() || is_floating(a.dtype()), "{}: {} requires grad but is not floating", op, a.describe());
}


}  // namespace

// ---- binary ops --------------------------------------------------------------------

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(cpu::Binary::Add, a, b, "add");
  if (needs_grad({a, b})) {
    record(out, "add", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, const InputMask& need) -> TensorList {
      return {need[0] ? sum_to(g, sa) : Tensor(), need[1] ? sum_to(g, sb) : Tensor()};
    }, kNoVersionCheck);
  }
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(cpu::Binary::Sub, a, b, "sub");
  if (needs_grad({a, b})) {
    record(out, "sub", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, const InputMask& need) -> TensorList {
      return {need[0] ? sum_to(g, sa) : Tensor(), need[1] ? neg(sum_to(g, sb)) : Tensor()};
    }, kNoVersionCheck);
  }
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(cpu::Binary::Mul, a, b, "mul");
  if (needs_grad({a, b})) {
    record(out, "mul", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& g, const InputMask& need) -> TensorList {
      return {need[0] ? sum_to(mul(g, b), a.shape()) : Tensor(), need[1] ? sum_to(mul(g, a), b.shape()) : Tensor()};
    });
  }
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(cpu::Binary::Div, a, b, "div");
  if (needs_grad({a, b})) {
    // d(a/b)/da = 1/b;  d(a/b)/db = -a/b^2 = -out/b
    record(out, "div", {a, b},
           [a = a.detach(), b = b.detach(), out = out.detach()](const Tensor& g, const InputMask& need) -> TensorList {
             Tensor g_over_b = div(g, b);
             return {need[0] ? sum_to(g_over_b, a.shape()) : Tensor(),
                     need[1] ? neg(sum_to(mul(g_over_b, out), b.shape())) : Tensor()};
           });
  }
  return out;
}

Tensor pow(const Tensor& a, const Tensor& e) {
  Tensor out = binary_raw(cpu::Binary::Pow, a, e, "pow");
  if (needs_grad({a, e})) {
    // d(a^e)/da = e a^(e-1);  d(a^e)/de = a^e log(a)
    record(out, "pow", {a, e},
           [a = a.detach(), e = e.detach(), out = out.detach()](const Tensor& g, const InputMask& need) -> TensorList {
             return {need[0] ? sum_to(mul(g, mul(e, pow(a, sub(e, 1.0)))), a.shape()) : Tensor(),
                     need[1] ? sum_to(mul(g, mul(out, log(a))), e.shape()) : Tensor()};
           });
  }
  return out;
}

namespace {
// maximum/minimum: the gradient goes to the selected operand; on ties it is split evenly
// (as torch.maximum), so finite differences and the analytic gradient agree off ties.
Tensor extremum(const Tensor& a, const Tensor& b, bool is_max) {
  const char* op = is_max ? "maximum" : "minimum";
  Tensor out = binary_raw(is_max ? cpu::Binary::Max : cpu::Binary::Min, a, b, op);
  if (needs_grad({a, b})) {
    record(out, op, {a, b}, [a = a.detach(), b = b.detach(), is_max](const Tensor& g, const InputMask& need) -> TensorList {
      Tensor a_wins = is_max ? gt(a, b) : lt(a, b);
      Tensor tie = eq(a, b);
      Tensor half_g = mul(g, 0.5);
      Tensor ga = where(a_wins, g, where(tie, half_g, 0.0));
      Tensor gb = where(logical_or(a_wins, tie), where(tie, half_g, 0.0), g);
      return {need[0] ? sum_to(ga, a.shape()) : Tensor(), need[1] ? sum_to(gb, b.shape()) : Tensor()};
    });
  }
  return out;
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false); }

// ---- scalar forms --------------------------------------------------------------------

Tensor add(const Tensor& a, double s) {
  Tensor out = unary_raw(cpu::Unary::AddScalar, a, "add", s);
  if (needs_grad({a}))
    record(out, "add_scalar", {a}, [](const Tensor& g, const InputMask&) -> TensorList { return {g}; },
           kNoVersionCheck);
  return out;
}

Tensor sub(const Tensor& a, double s) { return add(a, -s); }

Tensor rsub(double s, const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::RsubScalar, a, "rsub", s);
  if (needs_grad({a}))
    record(out, "rsub_scalar", {a}, [](const Tensor& g, const InputMask&) -> TensorList { return {neg(g)}; },
           kNoVersionCheck);
  return out;
}

Tensor mul(const Tensor& a, double s) {
  Tensor out = unary_raw(cpu::Unary::MulScalar, a, "mul", s);
  if (needs_grad({a}))
    record(out, "mul_scalar", {a}, [s](const Tensor& g, const InputMask&) -> TensorList { return {mul(g, s)}; },
           kNoVersionCheck);
  return out;
}

Tensor div(const Tensor& a, double s) { return mul(a, 1.0 / s); }

Tensor rdiv(double s, const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::RdivScalar, a, "rdiv", s);
  if (needs_grad({a}))  // d(s/a)/da = -s/a^2 = -out/a
    record(out, "rdiv_scalar", {a}, [a = a.detach(), out = out.detach()](const Tensor& g, const InputMask&) -> TensorList {
      return {neg(mul(g, div(out, a)))};
    });
  return out;
}

Tensor pow(const Tensor& a, double p) {
  Tensor out = unary_raw(cpu::Unary::PowScalar, a, "pow", p);
  if (needs_grad({a}))
    record(out, "pow_scalar", {a}, [a = a.detach(), p](const Tensor& g, const InputMask&) -> TensorList {
      if (p == 0) return {zeros_like(g)};
      return {mul(g, mul(pow(a, p - 1), p))};
    });
  return out;
}

// ---- unary ops -----------------------------------------------------------------------

Tensor neg(const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::Neg, a, "neg");
  if (needs_grad({a}))
    record(out, "neg", {a}, [](const Tensor& g, const InputMask&) -> TensorList { return {neg(g)}; }, kNoVersionCheck);
  return out;
}

Tensor exp(const Tensor& a) {
  check_differentiable(a, "exp");
  Tensor out = unary_raw(cpu::Unary::Exp, a, "exp");
  if (needs_grad({a}))  // d exp(a) = exp(a): reuse the output
    record(out, "exp", {a}, [out = out.detach()](const Tensor& g, const InputMask&) -> TensorList { return {mul(g, out)}; },
           kNoVersionCheck);
  return out;
}

Tensor log(const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::Log, a, "log");
  if (needs_grad({a}))
    record(out, "log", {a}, [a = a.detach()](const Tensor& g, const InputMask&) -> TensorList { return {div(g, a)}; });
  return out;
}

Tensor sqrt(const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::Sqrt, a, "sqrt");
  if (needs_grad({a}))  // d sqrt(a) = 1 / (2 sqrt(a))
    record(out, "sqrt", {a}, [out = out.detach()](const Tensor& g, const InputMask&) -> TensorList {
      return {div(mul(g, 0.5), out)};
    }, kNoVersionCheck);
  return out;
}

Tensor rsqrt(const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::Rsqrt, a, "rsqrt");
  if (needs_grad({a}))  // d a^(-1/2) = -1/2 a^(-3/2) = -1/2 out^3
    record(out, "rsqrt", {a}, [out = out.detach()](const Tensor& g, const InputMask&) -> TensorList {
      return {mul(g, mul(pow(out, 3.0), -0.5))};
    }, kNoVersionCheck);
  return out;
}

Tensor abs(const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::Abs, a, "abs");
  if (needs_grad({a}))
    record(out, "abs", {a}, [a = a.detach()](const Tensor& g, const InputMask&) -> TensorList { return {mul(g, sign(a))}; });
  return out;
}

Tensor square(const Tensor& a) {
  Tensor out = unary_raw(cpu::Unary::Square, a, "square");
  if (needs_grad({a}))
    record(out, "square", {a}, [a = a.detach()](const Tensor& g, const InputMask&) -> TensorList {
      return {mul(g, mul(a, 2.0))};
    });
  return out;
}

Tensor reciprocal(const Tensor& a) { return rdiv(1.0, a); }

Tensor sign(const Tensor& a) { return unary_raw(cpu::Unary::Sign, a, "sign"); }

Tensor clamp(const Tensor& a, double lo, double hi) {
  check(std::isnan(lo) || std::isnan(hi) || lo <= hi, "clamp: lower bound {} > upper bound {}", lo, hi);
  Tensor out = unary_raw(cpu::Unary::Clamp, a, "clamp", lo, hi);
  if (needs_grad({a}))
    record(out, "clamp", {a}, [a = a.detach(), lo, hi](const Tensor& g, const InputMask&) -> TensorList {
      Tensor pass = ones_like(a).to(DType::Bool);
      if (!std::isnan(lo)) pass = logical_and(pass, ge(a, lo));
      if (!std::isnan(hi)) pass = logical_and(pass, le(a, hi));
      return {where(pass, g, 0.0)};
    });
  return out;
}

Tensor clamp_min(const Tensor& a, double lo) { return clamp(a, lo, std::numeric_limits<double>::quiet_NaN()); }
Tensor clamp_max(const Tensor& a, double hi) { return clamp(a, std::numeric_limits<double>::quiet_NaN(), hi); }

// ---- masks ---------------------------------------------------------------------------

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check(cond.defined() && is_mask_type(cond.dtype()), "where: the condition must be a bool/uint8 mask, got {}",
        cond.describe());
  check_pair(a, b, "where");
  check(cond.device() == a.device(), "where: condition on {} but values on {}", cond.device(), a.device());
  Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(shape, {.dtype = a.dtype(), .device = a.device()});
  switch (a.device().type) {
    case DeviceType::CPU: cpu::where_forward(cond, a, b, out); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("where", cuda::where_forward(cond, a, b, out)); break;
  }
  if (needs_grad({a, b}))
    record(out, "where", {a, b},
           [cond, sa = a.shape(), sb = b.shape()](const Tensor& g, const InputMask& need) -> TensorList {
             return {need[0] ? sum_to(where(cond, g, 0.0), sa) : Tensor(),
                     need[1] ? sum_to(where(cond, zeros_like(g), g), sb) : Tensor()};
           }, kNoVersionCheck);
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, double b) { return where(cond, a, scalar_like(a, b)); }

Tensor masked_fill(const Tensor& a, const Tensor& mask, double value) {
  check(mask.defined() && is_mask_type(mask.dtype()), "masked_fill: the mask must be bool/uint8, got {}",
        mask.describe());
  Shape shape = broadcast_shapes(a.shape(), mask.shape(), "masked_fill");
  check(shape == a.shape(), "masked_fill: mask {} does not broadcast to the tensor's shape {}", mask.shape(), a.shape());
  return where(mask, scalar_like(a, value).expand(a.shape()), a);
}

// ---- comparisons and logic (not differentiable) --------------------------------------

Tensor eq(const Tensor& a, const Tensor& b) { return compare_raw(cpu::Compare::Eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare_raw(cpu::Compare::Ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare_raw(cpu::Compare::Lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return compare_raw(cpu::Compare::Le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare_raw(cpu::Compare::Gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare_raw(cpu::Compare::Ge, a, b, "ge"); }
Tensor eq(const Tensor& a, double s) { return eq(a, scalar_like(a, s)); }
Tensor ne(const Tensor& a, double s) { return ne(a, scalar_like(a, s)); }
Tensor lt(const Tensor& a, double s) { return lt(a, scalar_like(a, s)); }
Tensor le(const Tensor& a, double s) { return le(a, scalar_like(a, s)); }
Tensor gt(const Tensor& a, double s) { return gt(a, scalar_like(a, s)); }
Tensor ge(const Tensor& a, double s) { return ge(a, scalar_like(a, s)); }

Tensor logical_not(const Tensor& mask) {
  check(is_mask_type(mask.dtype()), "logical_not: needs a bool/uint8 mask, got {}", mask.describe());
  Tensor out = unary_raw(cpu::Unary::Not, mask, "logical_not");
  out.impl()->dtype = DType::Bool;
  return out;
}

namespace {
Tensor logical(cpu::Binary kind, const Tensor& a, const Tensor& b, const char* op) {
  check(is_mask_type(a.dtype()) && is_mask_type(b.dtype()), "{}: needs bool/uint8 masks, got {} and {}", op,
        a.describe(), b.describe());
  Tensor a8 = a.dtype() == b.dtype() ? a : a.to(b.dtype());
  Tensor out = binary_raw(kind, a8, b, op);
  out.impl()->dtype = DType::Bool;
  return out;
}
}  // namespace

Tensor logical_and(const Tensor& a, const Tensor& b) { return logical(cpu::Binary::And, a, b, "logical_and"); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return logical(cpu::Binary::Or, a, b, "logical_or"); }

}  // namespace tg

// ---- in-place methods of Tensor (no autograd) -------------------------------------------

namespace tg {

namespace {
void check_inplace(const Tensor& t, const char* op) {
  check(t.defined(), "{}: undefined tensor", op);
  check(!(t.requires_grad() && grad_mode_enabled()),
        "{}: in-place write into {} which requires grad while gradients are recorded; wrap it in tg::NoGradGuard",
        op, t.describe());
}
}  // namespace

Tensor& Tensor::fill_(double value) {
  check_inplace(*this, "fill_");
  switch (device().type) {
    case DeviceType::CPU: ops::cpu::fill_forward(*this, value); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("fill_", ops::cuda::fill_forward(*this, value)); break;
  }
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace(*this, "copy_");
  check(src.defined(), "copy_: undefined source");
  check(ops::broadcast_shapes(shape(), src.shape(), "copy_") == shape(), "copy_: source {} does not broadcast to {}",
        src.shape(), shape());
  check(src.device() == device(), "copy_: source on {} but destination on {} (use .to(device))", src.device(), device());
  switch (device().type) {
    case DeviceType::CPU: ops::cpu::copy_forward(src, *this); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("copy_", ops::cuda::copy_forward(src, *this, "copy_")); break;
  }
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_inplace(*this, "add_");
  check(other.dtype() == dtype(), "add_: dtypes differ: {} += {}", describe(), other.describe());
  check(other.device() == device(), "add_: devices differ: {} += {}", describe(), other.describe());
  check(ops::broadcast_shapes(shape(), other.shape(), "add_") == shape(), "add_: {} does not broadcast to {}",
        other.shape(), shape());
  NoGradGuard g;
  Tensor scaled = alpha == 1.0 ? other : ops::mul(other, alpha);
  switch (device().type) {
    case DeviceType::CPU: ops::cpu::binary_forward(ops::cpu::Binary::Add, *this, scaled, *this); break;
    case DeviceType::CUDA:
      TG_CUDA_KERNEL("add_", ops::cuda::binary_forward(ops::cpu::Binary::Add, *this, scaled, *this, "add_"));
      break;
  }
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  check_inplace(*this, "mul_");
  switch (device().type) {
    case DeviceType::CPU: ops::cpu::unary_forward(ops::cpu::Unary::MulScalar, *this, *this, factor); break;
    case DeviceType::CUDA:
      TG_CUDA_KERNEL("mul_", ops::cuda::unary_forward(ops::cpu::Unary::MulScalar, *this, *this, factor, 0, "mul_"));
      break;
  }
  storage()->bump_version();
  return *this;
}

}  // namespace tg
