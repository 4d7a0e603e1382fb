// Linear algebra ops: checks, the device switch, and each backward right below its forward.
//
// All products go through product_raw(): [batch..., M, K] x [batch..., K, N] with the batch
// dims already promoted/broadcast-checked, no autograd. The recorded ops run it on detached
// views of their inputs, so 1-D promotion, transposes and batch folding never appear on
// the tape: matmul is one node whatever the shapes, and its closure maps the gradients back
// to the original shapes (sum_to over broadcast batch dims, reshape over promoted dims).
// Gradients: dA = g B^T and dB = A^T g, where the transposes are views (GEMM's transpose
// flags), so the backward of a matmul costs two GEMMs and no copies for ordinary layouts.
#include "ops/linalg.h"
#include "ops/linalg_cpu.h"
#include "ops/cuda/linalg.h"

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg::ops {

namespace {

void check_operands(const Tensor& a, const Tensor& b, const char* op) {
  check(a.defined() && b.defined(), "{}: undefined tensor operand", op);
  check(is_floating(a.dtype()) && is_floating(b.dtype()), "{}: needs float32 or float64 tensors, got {} and {}", op,
        a.describe(), b.describe());
  check(a.dtype() == b.dtype(), "{}: dtypes differ: {} and {} (convert one with .to(dtype))", op, a.describe(),
        b.describe());
  check(a.device() == b.device(), "{}: devices differ: {} and {}", op, a.describe(), b.describe());
}

// The broadcast batch shape of two matrix stacks (all dims but the last two), or an error
// naming the op and both full shapes.
Shape broadcast_batch(const Tensor& a, const Tensor& b, const Shape& a_shape, const Shape& b_shape, const char* op) {
  int na = a.dim() - 2, nb = b.dim() - 2, n = std::max(na, nb);
  Shape out = Shape::filled(n, 1);
  for (int i = 0; i < n; ++i) {
    int ia = i - (n - na), ib = i - (n - nb);
    int64_t da = ia >= 0 ? a.shape()[ia] : 1, db = ib >= 0 ? b.shape()[ib] : 1;
    check(da == db || da == 1 || db == 1, "{}: {} x {}: batch dimensions cannot be broadcast ({} vs {})", op, a_shape,
          b_shape, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// t itself when GEMM can read its matrices in place (row-major or transposed), else a copy.
Tensor gemm_ready(const Tensor& t) {
  const int n = t.dim();
  bool trans = false;
  int64_t ld = 0;
  if (cpu::gemm_layout(t.shape()[n - 2], t.shape()[n - 1], t.strides()[n - 2], t.strides()[n - 1], &trans, &ld))
    return t;
  return t.contiguous();
}

// [batch..., M, N] = a x b for a [.., M, K], b [.., K, N] whose batch dims broadcast to
// `batch`. No autograd: callers pass detached tensors or run under NoGrad.
Tensor product_raw(const Tensor& a, const Tensor& b, const Shape& batch, const char* op) {
  Shape shape = batch;
  shape.push_back(a.shape()[a.dim() - 2]);
  shape.push_back(b.shape()[b.dim() - 1]);
  Tensor out = Tensor::empty(shape, {.dtype = a.dtype(), .device = a.device()});
  switch (a.device().type) {
    case DeviceType::CPU: cpu::matmul_forward(gemm_ready(a), gemm_ready(b), out, false); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL(op, cuda::matmul_forward(gemm_ready(a), gemm_ready(b), out, false, op)); break;
  }
  return out;
}

// reshape for the unrecorded tensors of this file. An empty tensor becomes a fresh empty one:
// core's is_contiguous() counts a size-0 dim's neighbours' strides, so some empty tensors
// cannot be viewed even as their own shape.
Tensor reshape_any(const Tensor& t, const Shape& shape) {
  if (t.numel() == 0) return Tensor::empty(shape, {.dtype = t.dtype(), .device = t.device()});
  return t.reshape(shape);
}

Tensor mT(const Tensor& t) { return t.transpose(-1, -2); }

// The differentiable product of matmul and bmm. a2/b2 are a/b promoted to matrices (and
// detached when a gradient is wanted); the result [batch, M, N] is viewed as out_shape.
Tensor product(const Tensor& a, const Tensor& b, const Tensor& a2, const Tensor& b2, const Shape& batch,
               const Shape& out_shape, bool grad, const char* op) {
  Tensor full = product_raw(a2, b2, batch, op);
  Tensor out = full.shape() == out_shape ? full : reshape_any(full, out_shape);
  if (grad) {
    record(out, op, {a, b}, [a2, b2, full_shape = full.shape(), batch, sa = a.shape(), sb = b.shape(), op](
                                const Tensor& g, const InputMask& need) -> TensorList {
      Tensor g2 = reshape_any(g, full_shape);
      Tensor da, db;
      if (need[0]) da = reshape_any(sum_to(product_raw(g2, mT(b2), batch, op), a2.shape()), sa);  // g B^T
      if (need[1]) {
        if (b2.dim() == 2 && g2.dim() > 2) {
          // b is shared by the whole batch: A^T g summed over the batch is ONE GEMM over the
          // rows of every batch, [K, batch*M] x [batch*M, N].
          const int64_t k = a2.shape()[a2.dim() - 1], n = g2.shape()[g2.dim() - 1];
          int64_t rows = 1;
          for (int d = 0; d + 1 < g2.dim(); ++d) rows *= g2.shape()[d];
          db = product_raw(reshape_any(a2, {rows, k}).t(), reshape_any(g2, {rows, n}), Shape{}, op);
        } else {
          db = sum_to(product_raw(mT(a2), g2, batch, op), b2.shape());  // A^T g
        }
        db = reshape_any(db, sb);
      }
      return {da, db};
    });
  }
  return out;
}

// bias/weight checks for linear: the weight is [out, in] as in PyTorch.
void check_linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  check_operands(x, w, "linear");
  check(w.dim() == 2, "linear: weight {} must be 2-D [out, in]", w.shape());
  check(x.dim() >= 1, "linear: input {} needs at least 1 dimension [..., in]", x.shape());
  check(x.shape()[x.dim() - 1] == w.shape()[1],
        "linear: input {} x weight {}: input features {} but the weight takes {} (weight is [out, in])", x.shape(),
        w.shape(), x.shape()[x.dim() - 1], w.shape()[1]);
  if (bias.defined()) {
    check(bias.dtype() == w.dtype(), "linear: bias dtype differs: {} for weight {}", bias.describe(), w.describe());
    check(bias.device() == w.device(), "linear: bias on {} but weight on {}", bias.device(), w.device());
    check(bias.dim() == 1 && bias.shape()[0] == w.shape()[0], "linear: bias {} does not match weight {} (expected [{}])",
          bias.shape(), w.shape(), w.shape()[0]);
  }
}

}  // namespace

// ---- matmul ------------------------------------------------------------------------------

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "matmul");
  check(a.dim() >= 1 && b.dim() >= 1, "matmul: {} x {}: both operands need at least 1 dimension", a.shape(),
        b.shape());
  const int64_t ka = a.shape()[a.dim() - 1], kb = b.shape()[b.dim() == 1 ? 0 : b.dim() - 2];
  check(ka == kb, "matmul: {} x {}: inner dimensions {} and {} differ", a.shape(), b.shape(), ka, kb);
  // Without a gradient to record, the promotions below are plain views (nothing is recorded).
  const bool grad = needs_grad({a, b});
  Tensor a2 = grad ? a.detach() : a, b2 = grad ? b.detach() : b;
  if (a.dim() == 1) a2 = a2.unsqueeze(0);   // [K] -> [1, K]
  if (b.dim() == 1) b2 = b2.unsqueeze(-1);  // [K] -> [K, 1]
  Shape batch = broadcast_batch(a2, b2, a.shape(), b.shape(), "matmul");
  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(a2.shape()[a2.dim() - 2]);
  if (b.dim() > 1) out_shape.push_back(b2.shape()[b2.dim() - 1]);
  return product(a, b, a2, b2, batch, out_shape, grad, "matmul");
}

// ---- bmm -----------------------------------------------------------------------------------

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "bmm");
  check(a.dim() == 3 && b.dim() == 3, "bmm: {} x {}: needs two 3-D tensors [B,M,K] x [B,K,N]", a.shape(), b.shape());
  check(a.shape()[0] == b.shape()[0], "bmm: {} x {}: batch sizes {} and {} differ", a.shape(), b.shape(),
        a.shape()[0], b.shape()[0]);
  check(a.shape()[2] == b.shape()[1], "bmm: {} x {}: inner dimensions {} and {} differ", a.shape(), b.shape(),
        a.shape()[2], b.shape()[1]);
  const bool grad = needs_grad({a, b});
  Tensor a2 = grad ? a.detach() : a, b2 = grad ? b.detach() : b;
  Shape out_shape{a.shape()[0], a.shape()[1], b.shape()[2]};
  return product(a, b, a2, b2, Shape{a.shape()[0]}, out_shape, grad, "bmm");
}

// ---- linear --------------------------------------------------------------------------------

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_linear(x, weight, bias);
  const int64_t in = weight.shape()[1], out_features = weight.shape()[0];
  int64_t rows = 1;
  for (int d = 0; d + 1 < x.dim(); ++d) rows *= x.shape()[d];
  const bool grad = needs_grad({x, weight, bias});
  // x as [rows, in] (a view whenever the leading dims fold, as for any contiguous input),
  // W read through GEMM's transpose flag: [out, in] row-major is W^T column-major.
  Tensor x2 = gemm_ready(reshape_any(grad ? x.detach() : x, {rows, in}));
  Tensor w2 = grad ? weight.detach() : weight;
  {
    bool trans = false;
    int64_t ld = 0;
    if (!cpu::gemm_layout(in, out_features, w2.strides()[1], w2.strides()[0], &trans, &ld)) w2 = w2.contiguous();
  }
  Tensor b2 = bias.defined() ? (grad ? bias.detach() : bias).contiguous() : Tensor();
  Tensor y2 = Tensor::empty({rows, out_features}, {.dtype = x.dtype(), .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::linear_forward(x2, w2, b2, y2); break;
    case DeviceType::CUDA: TG_CUDA_KERNEL("linear", cuda::linear_forward(x2, w2, b2, y2)); break;
  }
  Shape out_shape = x.shape();
  out_shape[out_shape.size() - 1] = out_features;
  Tensor out = reshape_any(y2, out_shape);
  if (grad) {
    // dx = g W, dW = g^T x (one GEMM over every row of the batch), db = column sums of g.
    record(out, "linear", {x, weight, bias}, [x2, w2, x_shape = x.shape(), rows, out_features](
                                                 const Tensor& g, const InputMask& need) -> TensorList {
      Tensor g2 = reshape_any(g, {rows, out_features});
      return {need[0] ? reshape_any(product_raw(g2, w2, Shape{}, "linear"), x_shape) : Tensor(),
              need[1] ? product_raw(g2.t(), x2, Shape{}, "linear") : Tensor(),
              need[2] ? sum(g2, 0) : Tensor()};
    });
  }
  return out;
}

// ---- outer and bilinear (compositions) --------------------------------------------------------

Tensor outer(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "outer");
  check(a.dim() == 1 && b.dim() == 1, "outer: {} x {}: needs two 1-D vectors", a.shape(), b.shape());
  return matmul(a.unsqueeze(1), b.unsqueeze(0));  // [M,1] x [1,N]
}

Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias) {
  check_operands(x1, x2, "bilinear");
  check_operands(x1, weight, "bilinear");
  check(weight.dim() == 3, "bilinear: weight {} must be 3-D [out, in1, in2]", weight.shape());
  check(x1.dim() >= 1 && x2.dim() >= 1, "bilinear: inputs {} and {} need at least 1 dimension", x1.shape(),
        x2.shape());
  const int64_t out_features = weight.shape()[0], in1 = weight.shape()[1], in2 = weight.shape()[2];
  check(x1.shape()[x1.dim() - 1] == in1 && x2.shape()[x2.dim() - 1] == in2,
        "bilinear: inputs {} and {} do not match weight {} [out, in1, in2]", x1.shape(), x2.shape(), weight.shape());
  Shape lead(x1.shape().begin(), x1.shape().end() - 1);
  check(lead == Shape(x2.shape().begin(), x2.shape().end() - 1),
        "bilinear: inputs {} and {} differ in their leading dimensions", x1.shape(), x2.shape());
  if (bias.defined()) {
    check_operands(x1, bias, "bilinear");
    check(bias.dim() == 1 && bias.shape()[0] == out_features, "bilinear: bias {} does not match weight {} (expected [{}])",
          bias.shape(), weight.shape(), out_features);
  }
  const int64_t rows = lead.numel();
  // t[r, o, j] = sum_i x1[r, i] W[o, i, j]: one GEMM with W laid out as [in1, out*in2];
  // then y[r, o] = sum_j t[r, o, j] x2[r, j]: a batch of matrix-vector products.
  Tensor w = weight.permute({1, 0, 2}).reshape({in1, out_features * in2});
  Tensor t = matmul(x1.reshape({rows, in1}), w).reshape({rows, out_features, in2});
  Tensor y = matmul(t, x2.reshape({rows, in2, 1})).reshape({rows, out_features});
  if (bias.defined()) y = add(y, bias);
  Shape out_shape = lead;
  out_shape.push_back(out_features);
  return y.reshape(out_shape);
}

}  // namespace tg::ops
