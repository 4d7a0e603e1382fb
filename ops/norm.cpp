// l2_norm (custom backward: zero subgradient at the zero vector), and normalize,
// cosine_similarity, pairwise_cosine composed from it. Math in ops/norm.h.
#include "ops/norm.h"

#include "core/autograd.h"
#include "ops/elementwise.h"
#include "ops/linalg.h"
#include "ops/reduce.h"

namespace tg::ops {

namespace {

void check_float_input(const Tensor& x, const char* op, const char* what = "input") {
  check(x.defined(), "{}: undefined {} tensor", op, what);
  check(is_floating(x.dtype()), "{}: needs a float32 or float64 {}, got {}", op, what, x.describe());
}

void check_pair(const Tensor& a, const Tensor& b, const char* op) {
  check_float_input(a, op, "first input");
  check_float_input(b, op, "second input");
  check(a.dtype() == b.dtype(), "{}: dtypes differ: {} and {}", op, a.describe(), b.describe());
  check(a.device() == b.device(), "{}: devices differ: {} and {}", op, a.describe(), b.describe());
}

}  // namespace

Tensor l2_norm(const Tensor& x, int64_t dim, bool keepdim) {
  check_float_input(x, "l2_norm");
  check(x.dim() >= 1, "l2_norm: needs at least one dimension, got a scalar {}", x.describe());
  int d = wrap_dim(dim, x.dim(), "l2_norm");
  Tensor nk, out;  // nk: the norm with keepdim, out: as asked
  {
    NoGradGuard no_grad;
    Tensor xd = x.detach();
    nk = sqrt(sum(mul(xd, xd), d, true));
    out = keepdim ? nk : nk.squeeze(d);
    out = out.detach();
  }
  if (needs_grad({x})) {
    record(out, "l2_norm", {x}, [x = x.detach(), nk](const Tensor& g, const InputMask&) -> TensorList {
      // dx = x * g / ||x||, with g / ||x|| replaced by 0 where ||x|| == 0 (zero subgradient).
      Tensor gk = g.reshape(nk.shape());
      Tensor per_vector = where(gt(nk, 0.0), div(gk, nk), 0.0);
      return {mul(x, per_vector)};
    });
  }
  return out;
}

Tensor normalize(const Tensor& x, int64_t dim, double eps) {
  check_float_input(x, "normalize");
  check(x.dim() >= 1, "normalize: needs at least one dimension, got a scalar {}", x.describe());
  check(eps >= 0, "normalize: eps {} must be non-negative", eps);
  int d = wrap_dim(dim, x.dim(), "normalize");
  return div(x, clamp_min(l2_norm(x, d, true), eps));
}

Tensor cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim, double eps) {
  check_pair(a, b, "cosine_similarity");
  check(eps >= 0, "cosine_similarity: eps {} must be non-negative", eps);
  Shape shape = broadcast_shapes(a.shape(), b.shape(), "cosine_similarity");
  check(shape.size() >= 1, "cosine_similarity: needs at least one dimension, got scalars {} and {}", a.describe(),
        b.describe());
  int d = wrap_dim(dim, shape.size(), "cosine_similarity");
  // Broadcast first (as PyTorch): a [1, Z] against b [M, Z] normalises each of a's copies.
  Tensor ae = a.shape() == shape ? a : a.expand(shape);
  Tensor be = b.shape() == shape ? b : b.expand(shape);
  return sum(mul(normalize(ae, d, eps), normalize(be, d, eps)), d);
}

Tensor pairwise_cosine(const Tensor& a, const Tensor& b, double eps) {
  check_pair(a, b, "pairwise_cosine");
  check(a.dim() == 2 && b.dim() == 2, "pairwise_cosine: expected a [B, Z] and b [M, Z], got {} and {}", a.shape(),
        b.shape());
  check(a.shape()[1] == b.shape()[1], "pairwise_cosine: {} and {}: vector sizes {} and {} differ", a.shape(),
        b.shape(), a.shape()[1], b.shape()[1]);
  check(eps >= 0, "pairwise_cosine: eps {} must be non-negative", eps);
  Tensor na = normalize(a, 1, eps), nb = normalize(b, 1, eps);
  // One GEMM on the normalised rows (not a [B, M, Z] broadcast product).
  return matmul(na, nb.t());
}

}  // namespace tg::ops
