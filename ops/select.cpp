// Selection ops: checks, device switch, and each op's backward closure right below it.
// The math, the tie rule and the mask convention are in ops/select.h; kernels in
// ops/select_cpu.cpp. Backward closures return dx (and dsrc) as new tensors; the engine
// accumulates them (+=) into .grad.
#include "ops/select.h"
#include "ops/select_cpu.h"
#include "ops/cuda/reduce.h"
#include "ops/embedding.h"

#include <cmath>

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg::ops {

namespace {

const RecordOptions kNoVersionCheck{.check_input_versions = false};

void check_numeric(const Tensor& x, const char* op) {
  check(x.defined(), "{}: undefined tensor", op);
  check(is_floating(x.dtype()) || is_integral(x.dtype()), "{}: needs a numeric tensor (float or int), got {}", op,
        x.describe());
}

void check_same_device(const Tensor& a, const Tensor& b, const char* what, const char* op) {
  check(a.device() == b.device(), "{}: input on {} but {} on {}", op, a.device(), what, b.device());
}

// Checks every index value lies in [0, size); names the op, the bad value and the dim.
void check_index_range(const Tensor& index, int64_t size, int dim, const Tensor& x, const char* op) {
  if (index.device().is_cuda()) return;  // read on the device by its kernel (not built yet)
  int64_t at = cpu::first_out_of_range(index, size);
  if (at < 0) return;
  int64_t value = index.dtype() == DType::Int64 ? index.data<int64_t>()[at] : index.data<int32_t>()[at];
  fail("{}: index {} is out of range for dimension {} of size {} (input {}, index {})", op, value, dim, size,
       x.shape(), index.shape());
}

// ---- max / min over all elements -----------------------------------------------------

Tensor extreme_all(const Tensor& x, bool is_max) {
  const char* op = is_max ? "max" : "min";
  check_numeric(x, op);
  check(x.numel() > 0, "{}: {} has no elements; the {} of nothing is undefined", op, x.describe(), op);
  Tensor out = Tensor::empty(Shape{}, {.dtype = x.dtype(), .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::extreme_all_forward(x.detach().contiguous(), is_max, out); break;
    case DeviceType::CUDA:
      TG_CUDA_KERNEL(op, cuda::reduce_forward(is_max ? cpu::Reduce::Max : cpu::Reduce::Min, x.detach().contiguous(), 1,
                                              x.numel(), 1, out, op));
      break;
  }
  if (needs_grad({x}))
    // Every element equal to the result shares the gradient evenly: g / count.
    record(out, op, {x}, [x = x.detach(), v = out.detach()](const Tensor& g, const InputMask&) -> TensorList {
      Tensor hit = std::isnan(v.item()) ? ne(x, x) : eq(x, v);
      Tensor count = sum(hit.to(x.dtype()));
      return {where(hit, div(g, count), 0.0)};
    });
  return out;
}

// ---- max / min / argmax / argmin over a dim, with an optional mask ----------------------

MaxResult extreme_dim(const Tensor& x, int64_t dim_, bool keepdim, const Tensor& mask, bool is_max, bool want_values,
                      const char* op) {
  check_numeric(x, op);
  const int d = wrap_dim(dim_, x.dim(), op);
  const Shape xs = x.dim() == 0 ? Shape{1} : x.shape();
  const int64_t r = xs[d];
  check(r > 0, "{}: dimension {} of {} is empty; the {} of nothing is undefined", op, d, x.shape(), op);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < d; ++i) outer *= xs[i];
  for (int i = d + 1; i < xs.size(); ++i) inner *= xs[i];
  Shape out_shape;
  for (int i = 0; i < x.dim(); ++i) {  // a 0-d input gives a 0-d result
    if (i != d) out_shape.push_back(xs[i]);
    else if (keepdim) out_shape.push_back(1);
  }

  Tensor m;
  if (mask.defined()) {
    check(is_mask_type(mask.dtype()), "{}: the mask must be bool/uint8, got {}", op, mask.describe());
    check_same_device(x, mask, "mask", op);
    bool fits = mask.dim() <= x.dim();
    for (int i = 0; fits && i < mask.dim(); ++i) {
      int64_t have = mask.shape()[i], want = x.shape()[x.dim() - mask.dim() + i];
      fits = have == want || have == 1;
    }
    check(fits, "{}: mask {} does not broadcast to the input's shape {}", op, mask.shape(), x.shape());
    m = mask.expand(x.shape()).contiguous();  // copies only when the mask really broadcasts
  }

  MaxResult res;
  if (want_values) res.values = Tensor::empty(out_shape, {.dtype = x.dtype(), .device = x.device()});
  res.indices = Tensor::empty(out_shape, {.dtype = DType::Int64, .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU:
      cpu::extreme_dim_forward(x.detach().contiguous(), m, outer, r, inner, is_max, res.values, res.indices);
      break;
    case DeviceType::CUDA:
      TG_CUDA_KERNEL(op, cuda::extreme_dim_forward(x.detach().contiguous(), m, outer, r, inner, is_max, res.values,
                                                   res.indices, op));
      break;
  }
  if (want_values && needs_grad({x}))
    // dx = g scattered into zeros at the selected index; rows with index -1 get nothing.
    record(res.values, op, {x},
           [in_shape = x.shape(), idx = SavedTensor(res.indices), outer, r, inner, op](const Tensor& g,
                                                                                       const InputMask&) -> TensorList {
             Tensor dx = Tensor::empty(in_shape, {.dtype = g.dtype(), .device = g.device()});
             switch (g.device().type) {
               case DeviceType::CPU: cpu::extreme_dim_backward(g.contiguous(), idx.get(op), outer, r, inner, dx); break;
               case DeviceType::CUDA:
                 TG_CUDA_KERNEL(op, cuda::extreme_dim_backward(g.contiguous(), idx.get(op), outer, r, inner, dx, op));
                 break;
             }
             return {dx};
           }, kNoVersionCheck);
  return res;
}

// The index checks gather and scatter_add share: int64, x's rank, and index.size(e) <=
// x.size(e) for e != dim.
int check_gather_index(const Tensor& x, int64_t dim_, const Tensor& index, const char* op) {
  check(x.defined() && index.defined(), "{}: undefined tensor", op);
  check(index.dtype() == DType::Int64, "{}: the index must be int64, got {}", op, index.describe());
  check_same_device(x, index, "index", op);
  check(x.dim() > 0, "{}: needs an input with at least one dimension, got {}", op, x.describe());
  const int d = wrap_dim(dim_, x.dim(), op);
  check(index.dim() == x.dim(), "{}: index {} must have as many dimensions as the input {} ({} vs {})", op,
        index.shape(), x.shape(), index.dim(), x.dim());
  for (int e = 0; e < x.dim(); ++e)
    check(e == d || index.shape()[e] <= x.shape()[e],
          "{}: index {} is larger than the input {} in dimension {} ({} > {})", op, index.shape(), x.shape(), e,
          index.shape()[e], x.shape()[e]);
  return d;
}

// gather without autograd: index already checked and contiguous.
Tensor gather_raw(const Tensor& x, int d, const Tensor& index, const char* op) {
  Tensor out = Tensor::empty(index.shape(), {.dtype = x.dtype(), .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::gather_forward(x.detach().contiguous(), d, index, out); break;
    case DeviceType::CUDA: no_cuda_kernel(op);
  }
  return out;
}

// out (contiguous, holding its start value) += src scattered at index along d.
void scatter_add_raw(Tensor& out, int d, const Tensor& index, const Tensor& src, const char* op) {
  switch (out.device().type) {
    case DeviceType::CPU: cpu::scatter_add_forward(out, d, index, src.detach().contiguous()); break;
    case DeviceType::CUDA: no_cuda_kernel(op);
  }
}

}  // namespace

Tensor max(const Tensor& x) { return extreme_all(x, true); }
Tensor min(const Tensor& x) { return extreme_all(x, false); }

MaxResult max(const Tensor& x, int64_t dim, bool keepdim, const Tensor& mask) {
  return extreme_dim(x, dim, keepdim, mask, true, true, "max");
}
MaxResult min(const Tensor& x, int64_t dim, bool keepdim, const Tensor& mask) {
  return extreme_dim(x, dim, keepdim, mask, false, true, "min");
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim, const Tensor& mask) {
  return extreme_dim(x, dim, keepdim, mask, true, false, "argmax").indices;
}
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim, const Tensor& mask) {
  return extreme_dim(x, dim, keepdim, mask, false, false, "argmin").indices;
}

// ---- gather -----------------------------------------------------------------------------

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const int d = check_gather_index(x, dim, index, "gather");
  Tensor ic = index.contiguous();
  check_index_range(ic, x.shape()[d], d, x, "gather");
  Tensor out = gather_raw(x, d, ic, "gather");
  if (needs_grad({x}))
    // dx = scatter-add of g into zeros of x's shape (repeated indices accumulate).
    record(out, "gather", {x},
           [x_shape = x.shape(), d, idx = SavedTensor(ic)](const Tensor& g, const InputMask&) -> TensorList {
             Tensor dx = zeros(x_shape, {.dtype = g.dtype(), .device = g.device()});
             scatter_add_raw(dx, d, idx.get("gather"), g, "gather");
             return {dx};
           }, kNoVersionCheck);
  return out;
}

// ---- index_select -------------------------------------------------------------------------

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const char* op = "index_select";
  check(x.defined() && index.defined(), "{}: undefined tensor", op);
  check(is_integral(index.dtype()), "{}: the index must be int64 or int32, got {}", op, index.describe());
  check(index.dim() <= 1, "{}: the index must be 1-D, got {}", op, index.describe());
  check_same_device(x, index, "index", op);
  check(x.dim() > 0, "{}: needs an input with at least one dimension, got {}", op, x.describe());
  const int d = wrap_dim(dim, x.dim(), op);
  Tensor ic = index.contiguous();
  check_index_range(ic, x.shape()[d], d, x, op);
  Shape out_shape = x.shape();
  out_shape[d] = ic.numel();
  if (x.device().is_cuda() && is_floating(x.dtype())) {
    // On the GPU: a row lookup in x with dim d moved to the front, so that the backward is
    // the embedding's deterministic sort-and-segment sum (ops/cuda/embedding_math.h).
    Tensor front = x.transpose(0, d).contiguous();
    Shape fs = front.shape();
    const int64_t width = fs[0] > 0 ? front.numel() / fs[0] : 0;
    Shape picked_shape = fs;
    picked_shape[0] = ic.numel();
    return embedding(front.reshape({fs[0], width}), ic.reshape({ic.numel()})).reshape(picked_shape).transpose(0, d);
  }
  Tensor out = Tensor::empty(out_shape, {.dtype = x.dtype(), .device = x.device()});
  switch (x.device().type) {
    case DeviceType::CPU: cpu::index_select_forward(x.detach().contiguous(), d, ic, out); break;
    case DeviceType::CUDA: no_cuda_kernel(op);  // integer tensors: no GPU kernel yet
  }
  if (needs_grad({x}))
    // dx = index_add of g into zeros: dx[.., index[j], ..] += g[.., j, ..].
    record(out, op, {x},
           [x_shape = x.shape(), d, idx = SavedTensor(ic), op](const Tensor& g, const InputMask&) -> TensorList {
             Tensor dx = zeros(x_shape, {.dtype = g.dtype(), .device = g.device()});
             switch (g.device().type) {
               case DeviceType::CPU: cpu::index_select_backward(g.contiguous(), d, idx.get(op), dx); break;
               case DeviceType::CUDA: no_cuda_kernel(op);
             }
             return {dx};
           }, kNoVersionCheck);
  return out;
}

// ---- scatter_add ----------------------------------------------------------------------------

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  const char* op = "scatter_add";
  check(src.defined(), "{}: undefined src tensor", op);
  const int d = check_gather_index(x, dim, index, op);
  check_numeric(x, op);
  check(src.dtype() == x.dtype(), "{}: dtypes differ: input {} and src {}", op, x.describe(), src.describe());
  check_same_device(x, src, "src", op);
  check(src.dim() == x.dim(), "{}: src {} must have as many dimensions as the input {}", op, src.shape(), x.shape());
  for (int e = 0; e < x.dim(); ++e)
    check(index.shape()[e] <= src.shape()[e], "{}: index {} is larger than src {} in dimension {} ({} > {})", op,
          index.shape(), src.shape(), e, index.shape()[e], src.shape()[e]);
  Tensor ic = index.contiguous();
  check_index_range(ic, x.shape()[d], d, x, op);
  Tensor out = Tensor::empty(x.shape(), {.dtype = x.dtype(), .device = x.device()});
  {
    NoGradGuard no_grad;
    out.copy_(x.detach());
  }
  scatter_add_raw(out, d, ic, src, op);
  if (needs_grad({x, src}))
    // dx = g; dsrc = g gathered at index, zero where src is larger than index.
    record(out, op, {x, src},
           [src_shape = src.shape(), d, idx = SavedTensor(ic), op](const Tensor& g,
                                                                  const InputMask& need) -> TensorList {
             Tensor dsrc;
             if (need[1]) {
               const Tensor& i = idx.get(op);
               Tensor picked = gather_raw(g, d, i, op);
               if (i.shape() == src_shape) {
                 dsrc = picked;
               } else {
                 dsrc = zeros(src_shape, {.dtype = g.dtype(), .device = g.device()});
                 Tensor region = dsrc;
                 for (int e = 0; e < i.dim(); ++e) region = region.narrow(e, 0, i.shape()[e]);
                 region.copy_(picked);
               }
             }
             return {need[0] ? g : Tensor(), dsrc};
           }, kNoVersionCheck);
  return out;
}

}  // namespace tg::ops
