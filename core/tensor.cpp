#include "core/tensor.h"

#include "core/autograd.h"

namespace tg {

Tensor Tensor::empty(const Shape& shape, TensorOptions options) {
  for (int64_t d : shape) check(d >= 0, "empty: negative dimension in shape {}", shape);
  check(!options.requires_grad || is_floating(options.dtype), "empty: only floating tensors can require grad, got {}",
        options.dtype);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape.numel()) * dtype_size(options.dtype), options.device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = options.dtype;
  impl->requires_grad = options.requires_grad;
  return Tensor(std::move(impl));
}

Tensor as_strided(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
  check(shape.size() == strides.size(), "as_strided: shape {} and strides {} differ in rank", shape, strides);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }

bool Tensor::is_contiguous() const {
  const TensorImpl& t = checked();
  if (t.shape.numel() == 0) return true;  // no element: any strides describe it
  int64_t expected = 1;
  for (int i = t.shape.size() - 1; i >= 0; --i) {
    if (t.shape[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

std::string TensorDescription::str() const {
  if (!impl) return "undefined tensor";
  std::string s = fmt::format("{} {} {}", impl->dtype, to_string(impl->shape), impl->storage->device());
  if (!impl->name.empty()) s += fmt::format(" '{}'", impl->name);
  return s;
}

void* Tensor::raw_data() const {
  const TensorImpl& t = checked();
  return static_cast<char*>(t.storage->data()) + t.offset * static_cast<int64_t>(dtype_size(t.dtype));
}

template <class T> T* Tensor::data() const {
  constexpr DType want = dtype_of<T>();
  DType have = dtype();
  bool ok = have == want || (dtype_size(have) == 1 && sizeof(T) == 1);
  check(ok, "data<{}>: tensor {} has dtype {}", dtype_name(want), describe(), have);
  return static_cast<T*>(raw_data());
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template int64_t* Tensor::data<int64_t>() const;
template int32_t* Tensor::data<int32_t>() const;
template uint8_t* Tensor::data<uint8_t>() const;
template bool* Tensor::data<bool>() const;

namespace {
double read_element(const void* p, DType t) {
  switch (t) {
    case DType::Float32: return *static_cast<const float*>(p);
    case DType::Float64: return *static_cast<const double*>(p);
    case DType::Int64: return static_cast<double>(*static_cast<const int64_t*>(p));
    case DType::Int32: return *static_cast<const int32_t*>(p);
    case DType::Bool:
    case DType::UInt8: return *static_cast<const uint8_t*>(p);
  }
  return 0;
}
void write_element(void* p, DType t, double v) {
  switch (t) {
    case DType::Float32: *static_cast<float*>(p) = static_cast<float>(v); break;
    case DType::Float64: *static_cast<double*>(p) = v; break;
    case DType::Int64: *static_cast<int64_t*>(p) = static_cast<int64_t>(v); break;
    case DType::Int32: *static_cast<int32_t*>(p) = static_cast<int32_t>(v); break;
    case DType::Bool: *static_cast<uint8_t*>(p) = v != 0; break;
    case DType::UInt8: *static_cast<uint8_t*>(p) = static_cast<uint8_t>(v); break;
  }
}
}  // namespace

double Tensor::item() const {
  check(numel() == 1, "item: tensor {} has {} elements, expected exactly one", describe(), numel());
  if (device().is_cuda()) return detach().to(kCPU).item();  // the host needs the value: copy (synchronises)
  return read_element(raw_data(), dtype());
}

namespace {
int64_t element_offset(const Tensor& t, std::initializer_list<int64_t> index, const char* op) {
  check(static_cast<int>(index.size()) == t.dim(), "{}: {} indices for tensor {}", op, index.size(), t.describe());
  int64_t off = 0;
  int d = 0;
  for (int64_t i : index) {
    int64_t n = t.shape()[d];
    check(i >= -n && i < n, "{}: index {} is out of range for dimension {} of size {} (tensor {})", op, i, d, n,
          t.describe());
    off += (i < 0 ? i + n : i) * t.strides()[d];
    ++d;
  }
  return off;
}
}  // namespace

double Tensor::at(std::initializer_list<int64_t> index) const {
  if (device().is_cuda()) return detach().to(kCPU).at(index);
  int64_t off = element_offset(*this, index, "at");
  return read_element(static_cast<char*>(raw_data()) + off * static_cast<int64_t>(element_size()), dtype());
}

void Tensor::set(std::initializer_list<int64_t> index, double value) {
  check(device().is_cpu(), "set: tensor {} is not on the cpu", describe());
  check(!(requires_grad() && grad_mode_enabled()),
        "set: in-place write into {} which requires grad; wrap it in tg::NoGradGuard", describe());
  int64_t off = element_offset(*this, index, "set");
  write_element(static_cast<char*>(raw_data()) + off * static_cast<int64_t>(element_size()), dtype(), value);
  storage()->bump_version();
}

std::vector<double> Tensor::to_vector() const {
  if (device().is_cuda()) return detach().to(kCPU).to_vector();
  std::vector<double> out;
  out.reserve(static_cast<size_t>(numel()));
  const char* base = static_cast<const char*>(raw_data());
  const int64_t esize = static_cast<int64_t>(element_size());
  const int n = dim();
  Shape idx = Shape::filled(n, 0);
  for (int64_t k = 0; k < numel(); ++k) {
    int64_t off = 0;
    for (int d = 0; d < n; ++d) off += idx[d] * strides()[d];
    out.push_back(read_element(base + off * esize, dtype()));
    for (int d = n - 1; d >= 0; --d) {
      if (++idx[d] < shape()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

template <class T> std::vector<T> Tensor::to_vector_as() const {
  std::vector<double> v = to_vector();
  return std::vector<T>(v.begin(), v.end());
}
template std::vector<float> Tensor::to_vector_as<float>() const;
template std::vector<double> Tensor::to_vector_as<double>() const;
template std::vector<int64_t> Tensor::to_vector_as<int64_t>() const;
template std::vector<int32_t> Tensor::to_vector_as<int32_t>() const;

Tensor& Tensor::set_requires_grad(bool value) {
  check(defined(), "set_requires_grad: undefined tensor");
  check(!value || is_floating(dtype()), "set_requires_grad: only floating tensors can require grad, got {}",
        describe());
  if (!is_leaf())
    fail("set_requires_grad: {} is the output of {}; only leaves can be marked (use detach() first)", describe(),
         grad_fn()->op);
  impl_->requires_grad = value;
  return *this;
}

void Tensor::set_grad(const Tensor& g) {
  check(defined(), "set_grad: undefined tensor");
  if (g.defined()) {
    Shape gs = g.is_row_sparse() ? g.dense_shape() : g.shape();
    check(gs == shape() && g.dtype() == dtype(), "set_grad: gradient {} does not match tensor {}", g.describe(),
          describe());
  }
  impl_->grad = g.impl_ptr();
}

void Tensor::zero_grad() {
  if (impl_) impl_->grad.reset();
}

Tensor Tensor::detach() const {
  const TensorImpl& t = checked();
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.storage;
  impl->shape = t.shape;
  impl->strides = t.strides;
  impl->offset = t.offset;
  impl->dtype = t.dtype;
  impl->row_index = t.row_index;
  impl->dense_rows = t.dense_rows;
  return Tensor(std::move(impl));
}

Tensor& Tensor::set_name(std::string name) {
  check(defined(), "set_name: undefined tensor");
  impl_->name = std::move(name);
  return *this;
}

Shape Tensor::dense_shape() const {
  if (!is_row_sparse()) return shape();
  Shape s = shape();
  s[0] = impl_->dense_rows;
  return s;
}

}  // namespace tg
