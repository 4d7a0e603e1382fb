#include "ops/sparse.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/autograd.h"
#include "ops/dispatch.h"

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
