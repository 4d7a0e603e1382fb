// View ops: new shape/strides over the same storage; no data moves. Each backward maps
// the gradient back through the inverse view (reshape back, inverse permute, pad a
// narrowed gradient with zeros, sum an expanded one).
#include <numeric>

#include "core/autograd.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

namespace tg {

namespace {

// Resolves one -1 in `shape` against `numel`.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op, const Shape& from) {
  Shape out = shape;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      check(infer < 0, "{}: more than one -1 in shape {}", op, shape);
      infer = i;
    } else {
      check(out[i] >= 0, "{}: negative dimension in shape {}", op, shape);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    check(known != 0 && numel % known == 0, "{}: cannot view {} ({} elements) as {}", op, from, numel, shape);
    out[infer] = numel / known;
  }
  check(out.numel() == numel, "{}: cannot view {} ({} elements) as {} ({} elements)", op, from, numel, out, out.numel());
  return out;
}

// Strides for viewing `t` as `shape` without a copy, or false when impossible
// (the same rule as PyTorch's computeStride: split/merge only contiguous runs).
bool view_strides(const Tensor& t, const Shape& shape, Shape* strides) {
  if (t.is_contiguous()) {
    *strides = contiguous_strides(shape);
    return true;
  }
  const Shape& old_shape = t.shape();
  const Shape& old_strides = t.strides();
  Shape st = Shape::filled(shape.size(), 0);
  int view_d = shape.size() - 1;
  int64_t chunk_base_stride = old_strides.size() ? old_strides.back() : 1;
  int64_t tensor_numel = 1, view_numel = 1;
  for (int tensor_d = old_shape.size() - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_shape[tensor_d];
    if (tensor_d == 0 || (old_shape[tensor_d - 1] != 1 &&
                          old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        st[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return false;
  *strides = st;
  return true;
}

Tensor view_impl(const Tensor& t, const Shape& requested, bool allow_copy, const char* op) {
  Shape shape = infer_shape(requested, t.numel(), op, t.shape());
  Shape strides;
  if (!view_strides(t, shape, &strides)) {
    check(allow_copy, "{}: {} with strides {} cannot be viewed as {} without a copy; use reshape()", op, t.shape(),
          t.strides(), shape);
    return view_impl(t.contiguous(), shape, false, op);  // contiguous() records the copy
  }
  Tensor out = as_strided(t, shape, strides, t.offset());
  if (needs_grad({t}))
    record(out, op, {t}, [in_shape = t.shape()](const Tensor& g, const InputMask&) -> TensorList {
      return {g.reshape(in_shape)};
    }, kNoVersionCheck);
  return out;
}

}  // namespace

Tensor Tensor::reshape(const Shape& shape) const { return view_impl(*this, shape, true, "reshape"); }
Tensor Tensor::view(const Shape& shape) const { return view_impl(*this, shape, false, "view"); }

Tensor Tensor::permute(const Shape& dims) const {
  check(dims.size() == dim(), "permute: {} dims given for a tensor of shape {}", dims.size(), shape());
  Shape shape_out, strides_out, inverse = Shape::filled(dim(), -1);
  for (int i = 0; i < dims.size(); ++i) {
    int d = wrap_dim(dims[i], dim(), "permute");
    check(inverse[d] < 0, "permute: dimension {} repeated in {}", d, dims);
    inverse[d] = i;
    shape_out.push_back(shape()[d]);
    strides_out.push_back(strides()[d]);
  }
  Tensor out = as_strided(*this, shape_out, strides_out, offset());
  if (needs_grad({*this}))
    record(out, "permute", {*this}, [inverse](const Tensor& g, const InputMask&) -> TensorList {
      return {g.permute(inverse)};
    }, kNoVersionCheck);
  return out;
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  Shape perm;
  for (int i = 0; i < dim(); ++i) perm.push_back(i);
  int a = wrap_dim(d0, dim(), "transpose"), b = wrap_dim(d1, dim(), "transpose");
  std::swap(perm[a], perm[b]);
  return permute(perm);
}

Tensor Tensor::t() const {
  check(dim() == 2, "t: expects a 2-D tensor, got {}", shape());
  return transpose(0, 1);
}

Tensor Tensor::slice(int64_t dim_, int64_t start, int64_t end, int64_t step) const {
  int d = wrap_dim(dim_, dim(), "slice");
  check(step >= 1, "slice: step must be >= 1, got {}", step);
  int64_t n = shape()[d];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape sh = shape(), st = strides();
  sh[d] = (end - start + step - 1) / step;
  st[d] = strides()[d] * step;
  Tensor out = as_strided(*this, sh, st, offset() + start * strides()[d]);
  if (needs_grad({*this}))
    record(out, "slice", {*this}, [in_shape = shape(), d, start, end, step](const Tensor& g, const InputMask&) -> TensorList {
      // The gradient of a slice is zero outside it: scatter g into a zero tensor.
      Tensor full_grad = zeros(in_shape, {.dtype = g.dtype(), .device = g.device()});
      full_grad.slice(d, start, end, step).copy_(g);
      return {full_grad};
    }, kNoVersionCheck);
  return out;
}

Tensor Tensor::narrow(int64_t dim_, int64_t start, int64_t length) const {
  int d = wrap_dim(dim_, dim(), "narrow");
  int64_t n = shape()[d];
  if (start < 0) start += n;
  check(start >= 0 && length >= 0 && start + length <= n,
        "narrow: [{}, {}) is out of range for dimension {} of size {} (shape {})", start, start + length, d, n, shape());
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t dim_, int64_t index) const {
  int d = wrap_dim(dim_, dim(), "select");
  int64_t n = shape()[d];
  check(index >= -n && index < n, "select: index {} is out of range for dimension {} of size {}", index, d, n);
  if (index < 0) index += n;
  return narrow(d, index, 1).squeeze(d);
}

Tensor Tensor::expand(const Shape& target) const {
  check(target.size() >= dim(), "expand: cannot expand {} to fewer dimensions {}", shape(), target);
  int lead = target.size() - dim();
  Shape sh = target, st = Shape::filled(target.size(), 0);
  for (int i = 0; i < target.size(); ++i) {
    int j = i - lead;
    if (j < 0) {
      check(target[i] >= 0, "expand: new leading dimension {} cannot be -1 (shape {} to {})", i, shape(), target);
      continue;
    }
    int64_t have = shape()[j];
    if (target[i] == -1 || target[i] == have) {
      sh[i] = have;
      st[i] = strides()[j];
    } else {
      check(have == 1, "expand: dimension {} has size {} and cannot be expanded to {} (shape {} to {})", j, have,
            target[i], shape(), target);
    }
  }
  Tensor out = as_strided(*this, sh, st, offset());
  if (needs_grad({*this}))
    record(out, "expand", {*this}, [in_shape = shape()](const Tensor& g, const InputMask&) -> TensorList {
      return {ops::sum_to(g, in_shape)};
    }, kNoVersionCheck);
  return out;
}

Tensor Tensor::squeeze() const {
  Shape sh;
  for (int64_t d : shape())
    if (d != 1) sh.push_back(d);
  return reshape(sh);
}

Tensor Tensor::squeeze(int64_t dim_) const {
  int d = wrap_dim(dim_, dim(), "squeeze");
  if (shape()[d] != 1) return *this;
  Shape sh = shape();
  sh.erase(d);
  return reshape(sh);
}

Tensor Tensor::unsqueeze(int64_t dim_) const {
  int d = wrap_dim(dim_, dim() + 1, "unsqueeze");
  Shape sh = shape();
  sh.insert(d, 1);
  return reshape(sh);
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape(Shape{1});
  int s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  check(s <= e, "flatten: start_dim {} > end_dim {} (shape {})", s, e, shape());
  Shape sh;
  for (int i = 0; i < s; ++i) sh.push_back(shape()[i]);
  int64_t p = 1;
  for (int i = s; i <= e; ++i) p *= shape()[i];
  sh.push_back(p);
  for (int i = e + 1; i < dim(); ++i) sh.push_back(shape()[i]);
  return reshape(sh);
}

}  // namespace tg
