#include "ops/sparse.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/autograd.h"
#include "ops/cuda/embedding.h"
#include "ops/dispatch.h"
#include "ops/shape.h"

namespace tg::ops {

namespace {

int64_t row_width(const Tensor& values) { return values.dim() == 0 ? 1 : values.numel() / std::max<int64_t>(values.size(0), 1); }

// Sorts (row, source position) pairs and sums the values of equal rows, in a fixed order
// (ascending position), so the result is deterministic.
Tensor build(const Tensor& values_in, const std::vector<int64_t>& rows, int64_t dense_rows, const char* op) {
  check(values_in.device().is_cpu(), "{}: row-sparse tensors are only supported on the cpu in this build", op);
  Tensor values = values_in.contiguous();
  const int64_t n = static_cast<int64_t>(rows.size()), w = row_width(values);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return rows[a] < rows[b]; });
  std::vector<int64_t> unique_rows;
  for (int64_t k : order) {
    int64_t r = rows[static_cast<size_t>(k)];
    check(r >= 0 && r < dense_rows, "{}: row {} is out of range for {} rows", op, r, dense_rows);
    if (unique_rows.empty() || unique_rows.back() != r) unique_rows.push_back(r);
  }
  Shape vshape = values.shape();
  vshape[0] = static_cast<int64_t>(unique_rows.size());
  Tensor out = zeros(vshape, {.dtype = values.dtype()});
  dispatch_floating(values.dtype(), op, [&]<class T>() {
    const T* src = values.data<T>();
    T* dst = out.data<T>();
    int64_t u = -1, prev = -1;
    for (int64_t k : order) {
      int64_t r = rows[static_cast<size_t>(k)];
      if (r != prev) {
        ++u;
        prev = r;
      }
      for (int64_t j = 0; j < w; ++j) dst[u * w + j] += src[k * w + j];
    }
  });
  out.impl()->row_index = from_vector(unique_rows, Shape{static_cast<int64_t>(unique_rows.size())}).impl_ptr();
  out.impl()->dense_rows = dense_rows;
  return out;
}

// The values of a row-sparse tensor as a plain contiguous tensor (no row ids attached).
Tensor plain_values(const Tensor& sparse) {
  Tensor values = sparse.detach();
  values.impl()->row_index.reset();
  return values.contiguous();
}

// values [U, w] with their row ids, reshaped to [U, dense_shape[1:]...], ids kept.
Tensor with_rows(const Tensor& coalesced, const Shape& dense_shape) {
  Shape vshape = dense_shape;
  vshape[0] = coalesced.size(0);
  Tensor out = plain_values(coalesced).reshape(vshape).detach();
  out.impl()->row_index = coalesced.impl()->row_index;
  out.impl()->dense_rows = dense_shape[0];
  return out;
}

std::vector<int64_t> rows_of(const Tensor& sparse) { return sparse.row_index().to_vector_as<int64_t>(); }

}  // namespace

Tensor make_row_sparse(const Tensor& values, const Tensor& rows, int64_t dense_rows) {
  check(values.dim() >= 1 && rows.dim() == 1 && rows.numel() == values.size(0),
        "make_row_sparse: values {} and rows {} disagree", values.shape(), rows.shape());
  check(is_integral(rows.dtype()), "make_row_sparse: rows must be integers, got {}", rows.describe());
  return build(values, rows.to_vector_as<int64_t>(), dense_rows, "make_row_sparse");
}

Tensor coalesce_rows(const Tensor& sparse) {
  check(sparse.is_row_sparse(), "coalesce_rows: {} is not row-sparse", sparse.describe());
  return build(sparse.detach(), rows_of(sparse), sparse.impl()->dense_rows, "coalesce_rows");
}

Tensor add_rows(const Tensor& a, const Tensor& b) {
  check(a.is_row_sparse() && b.is_row_sparse(), "add_rows: both operands must be row-sparse");
  check(a.dense_shape() == b.dense_shape() && a.dtype() == b.dtype(), "add_rows: {} {} vs {} {}", a.dense_shape(),
        a.dtype(), b.dense_shape(), b.dtype());
  NoGradGuard no_grad;
  if (a.device().is_cuda()) {
    check(b.device() == a.device(), "add_rows: operands on {} and {}", a.device(), b.device());
    // On the GPU: both row lists as one lookup's gradient, coalesced by the embedding's
    // deterministic sort-and-segment backward (equal rows summed in position order).
    const int64_t w = row_width(a);
    Tensor values = concat({plain_values(a).reshape({a.size(0), w}), plain_values(b).reshape({b.size(0), w})}, 0);
    Tensor rows = concat({a.row_index(), b.row_index()}, 0);
    Tensor sum;
    TG_CUDA_KERNEL("add_rows", sum = cuda::embedding_backward(values, rows, 1, Tensor(), -1,
                                                              Shape{a.impl()->dense_rows, w}, true));
    return with_rows(sum, a.dense_shape());
  }
  std::vector<int64_t> rows = rows_of(a), rb = rows_of(b);
  rows.insert(rows.end(), rb.begin(), rb.end());
  Tensor av = a.detach(), bv = b.detach();
  av.impl()->row_index.reset();
  bv.impl()->row_index.reset();
  Shape shape = av.shape();
  shape[0] += bv.shape()[0];
  Tensor both = Tensor::empty(shape, {.dtype = a.dtype()});
  both.narrow(0, 0, av.shape()[0]).copy_(av);
  both.narrow(0, av.shape()[0], bv.shape()[0]).copy_(bv);
  return build(both, rows, a.impl()->dense_rows, "add_rows");
}

void index_add_rows_(Tensor& dense, const Tensor& sparse) {
  check(sparse.is_row_sparse(), "index_add_rows_: {} is not row-sparse", sparse.describe());
  check(dense.shape() == sparse.dense_shape() && dense.dtype() == sparse.dtype() && dense.is_contiguous(),
        "index_add_rows_: dense {} vs row-sparse {}", dense.describe(), sparse.dense_shape());
  if (dense.device().is_cuda()) {
    check(sparse.device() == dense.device(), "index_add_rows_: dense on {} but rows on {}", dense.device(),
          sparse.device());
    // On the GPU: the rows scattered into a zero table by the embedding's deterministic
    // backward (repeated rows summed in order), then added.
    const int64_t w = row_width(sparse);
    const Shape table{dense.dim() > 0 ? dense.size(0) : 1, w};
    Tensor values = plain_values(sparse).reshape({sparse.size(0), w});
    Tensor scattered;
    TG_CUDA_KERNEL("index_add_rows_", scattered = cuda::embedding_backward(values, sparse.row_index(), 1, Tensor(), -1,
                                                                          table, false));
    NoGradGuard no_grad;
    dense.add_(scattered.reshape(dense.shape()));
    return;
  }
  std::vector<int64_t> rows = rows_of(sparse);
  Tensor values = sparse.detach();
  values.impl()->row_index.reset();
  values = values.contiguous();
  const int64_t w = row_width(values);
  dispatch_floating(dense.dtype(), "index_add_rows_", [&]<class T>() {
    T* dst = dense.data<T>();
    const T* src = values.data<T>();
    for (size_t k = 0; k < rows.size(); ++k)
      for (int64_t j = 0; j < w; ++j) dst[rows[k] * w + j] += src[static_cast<int64_t>(k) * w + j];
  });
  dense.storage()->bump_version();
}

}  // namespace tg::ops

namespace tg {

Tensor Tensor::to_dense() const {
  if (!is_row_sparse()) return *this;
  Tensor dense = zeros(dense_shape(), {.dtype = dtype(), .device = device()});
  ops::index_add_rows_(dense, *this);
  return dense;
}

}  // namespace tg
