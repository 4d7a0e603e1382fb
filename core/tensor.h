// Tensor: a cheap handle (shared pointer) to a strided view of a Storage.
//
//   shape [d0..dn-1], strides in elements, an element offset into the storage, a dtype
//   and a device. Views (reshape, permute, narrow, expand, ...) share the storage and
//   differ only in shape/strides/offset; contiguous() copies only when needed.
//
// Autograd fields: requires_grad, the accumulated .grad, and grad_fn — the Node of the
// op that produced this tensor (null for leaves). See core/autograd.h.
//
// Methods that are ops (views, to(), contiguous(), ...) are declared here for the
// t.reshape(...).flatten(1) style and implemented in ops/ next to their backward.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"
#include "core/storage.h"

namespace tg {

class Tensor;
struct Node;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;
  int64_t offset = 0;  // in elements
  DType dtype = DType::Float32;

  bool requires_grad = false;
  bool retains_grad = false;          // non-leaf that keeps its .grad (retain_grad())
  std::shared_ptr<TensorImpl> grad;   // accumulated gradient
  std::shared_ptr<Node> grad_fn;      // producing op; null for leaves
  std::string name;

  // A row-sparse gradient (embedding tables): this tensor holds only the rows listed in
  // row_index (int64 [n], unique, ascending) of a tensor whose first dimension is dense_rows.
  std::shared_ptr<TensorImpl> row_index;
  int64_t dense_rows = 0;
};

// What describe() returns: formats as "float32 [32,16] cpu 'name'" only when printed, so
// passing t.describe() to tg::check() costs nothing when the check passes.
struct TensorDescription {
  const TensorImpl* impl;
  std::string str() const;
  operator std::string() const { return str(); }  // NOLINT: implicit on purpose
};

struct TensorOptions {
  DType dtype = DType::Float32;
  Device device = Device::cpu();
  bool requires_grad = false;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Uninitialised tensor (contiguous). Prefer the factories below.
  static Tensor empty(const Shape& shape, TensorOptions options = {});

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- metadata
  const Shape& shape() const { return checked().shape; }
  const Shape& strides() const { return checked().strides; }
  int dim() const { return shape().size(); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return shape().numel(); }
  int64_t offset() const { return checked().offset; }
  DType dtype() const { return checked().dtype; }
  Device device() const { return checked().storage->device(); }
  bool is_contiguous() const;
  size_t element_size() const { return dtype_size(dtype()); }
  const std::shared_ptr<Storage>& storage() const { return checked().storage; }
  // One line: "float32 [32,16] cpu" (+ name), used in error messages (formatted lazily).
  TensorDescription describe() const { return TensorDescription{impl_.get()}; }

  // ---- raw data (CPU). data<T>() checks that T matches the dtype; points at element 0.
  template <class T> T* data() const;
  void* raw_data() const;

  // ---- element access (CPU; any dtype read as double)
  double item() const;                                   // a one-element tensor's value
  template <class T> T item() const { return static_cast<T>(item()); }
  double at(std::initializer_list<int64_t> index) const;
  void set(std::initializer_list<int64_t> index, double value);  // in-place write, no autograd
  std::vector<double> to_vector() const;                  // all elements, row-major
  template <class T> std::vector<T> to_vector_as() const;

  // ---- autograd
  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  // Marks a leaf as a parameter whose gradient is wanted (floating dtypes only).
  Tensor& set_requires_grad(bool value = true);
  bool is_leaf() const { return !impl_ || impl_->grad_fn == nullptr; }
  Tensor grad() const { return impl_ && impl_->grad ? Tensor(impl_->grad) : Tensor(); }
  void set_grad(const Tensor& g);
  void zero_grad();  // drops the gradient (next backward starts from zero)
  const std::shared_ptr<Node>& grad_fn() const { return checked().grad_fn; }
  void retain_grad();  // a non-leaf keeps its gradient after backward
  // Reverse-mode pass from this tensor: seeds d(this)=1 (scalars) or `seed`, walks the
  // graph in reverse execution order and accumulates into the .grad of leaves.
  void backward(const Tensor& seed = Tensor(), bool retain_graph = false) const;
  // Same storage, no history: gradients do not flow through the result.
  Tensor detach() const;

  const std::string& name() const { return checked().name; }
  Tensor& set_name(std::string name);

  // ---- row-sparse gradients (see TensorImpl::row_index)
  bool is_row_sparse() const { return impl_ && impl_->row_index != nullptr; }
  Tensor row_index() const { return Tensor(checked().row_index); }
  Shape dense_shape() const;
  Tensor to_dense() const;  // scatters the rows into a zero tensor of dense_shape()

  // ---- conversions (ops/convert.cpp)
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  Tensor contiguous() const;
  Tensor clone() const;

  // ---- views (ops/view.cpp): share storage, differentiable
  Tensor reshape(const Shape& shape) const;  // one dim may be -1; copies only if it must
  Tensor view(const Shape& shape) const;     // like reshape but never copies (error instead)
  Tensor permute(const Shape& dims) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const;                          // 2-D transpose
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // removes dim
  Tensor expand(const Shape& shape) const;   // size-1 dims broadcast (stride 0); -1 keeps a dim
  Tensor expand_as(const Tensor& other) const { return expand(other.shape()); }
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;

  // ---- in-place writes (no autograd; refused on tensors that need grad while recording)
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& copy_(const Tensor& src);  // broadcasts src to this shape, converts dtype
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // this += alpha * other (broadcast)
  Tensor& mul_(double factor);

  std::string str() const;  // printing (ops/print.cpp)

 private:
  const TensorImpl& checked() const {
    if (!impl_) [[unlikely]] fail("tensor: use of an undefined (empty) tensor");
    return *impl_;
  }
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

// A tensor over `base`'s storage with the given geometry (shape, strides, element offset),
// without autograd: the building block of views and strided copies inside ops.
Tensor as_strided(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset);

// ---- factories (core/factory.cpp)
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor empty_like(const Tensor& t);
// [start, end) in steps; dtype defaults to int64.
Tensor arange(int64_t end, TensorOptions options = {.dtype = DType::Int64});
Tensor arange(int64_t start, int64_t end, int64_t step = 1, TensorOptions options = {.dtype = DType::Int64});
// Copies values into a new tensor of the given shape (numel must match); dtype as asked.
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options = {.dtype = DType::Float64});
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape, TensorOptions options = {.dtype = DType::Int64});
Tensor from_vector(const std::vector<int32_t>& values, const Shape& shape, TensorOptions options = {.dtype = DType::Int32});
// 1-D tensor from a braced list: tg::tensor({1.f, 2.f}), tg::tensor({1, 2}, {.dtype = kInt64}).
Tensor tensor(std::initializer_list<double> values, TensorOptions options = {});
Tensor scalar_tensor(double value, TensorOptions options = {});

}  // namespace tg

template <> struct fmt::formatter<tg::TensorDescription> : fmt::formatter<std::string> {
  auto format(const tg::TensorDescription& d, format_context& ctx) const {
    return fmt::formatter<std::string>::format(d.str(), ctx);
  }
};

template <> struct fmt::formatter<tg::Tensor> : fmt::formatter<std::string> {
  auto format(const tg::Tensor& t, format_context& ctx) const {
    return fmt::formatter<std::string>::format(t.str(), ctx);
  }
};
