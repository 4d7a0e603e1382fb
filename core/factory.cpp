// Tensor factories: zeros, ones, full, arange, from_vector, tensor.
#include <cstring>

#include "core/autograd.h"
#include "core/tensor.h"

namespace tg {

Tensor full(const Shape& shape, double value, TensorOptions options) {
  bool rg = options.requires_grad;
  options.requires_grad = false;
  Tensor t = Tensor::empty(shape, options);
  {
    NoGradGuard g;
    t.fill_(value);
  }
  return t.set_requires_grad(rg);
}

Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1.0, options); }

namespace {
TensorOptions like(const Tensor& t) { return {.dtype = t.dtype(), .device = t.device()}; }
}  // namespace

Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), like(t)); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), like(t)); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, like(t)); }
Tensor empty_like(const Tensor& t) { return Tensor::empty(t.shape(), like(t)); }

Tensor arange(int64_t end, TensorOptions options) { return arange(0, end, 1, options); }

Tensor arange(int64_t start, int64_t end, int64_t step, TensorOptions options) {
  check(step != 0, "arange: step must be nonzero");
  int64_t n = step > 0 ? (end - start + step - 1) / step : (start - end - step - 1) / (-step);
  n = std::max<int64_t>(n, 0);
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>(start + i * step);
  return from_vector(v, Shape{n}, options);
}

namespace {
template <class Src> Tensor from_values(const std::vector<Src>& values, const Shape& shape, TensorOptions options) {
  check(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: {} values do not fill shape {} ({} elements)",
        values.size(), shape, shape.numel());
  check(options.device.is_cpu(), "from_vector: build on the cpu and move with .to(device)");
  bool rg = options.requires_grad;
  options.requires_grad = false;
  Tensor t = Tensor::empty(shape, options);
  auto store = [&](auto* dst) {
    using T = std::remove_pointer_t<decltype(dst)>;
    for (size_t i = 0; i < values.size(); ++i) dst[i] = static_cast<T>(values[i]);
  };
  switch (options.dtype) {
    case DType::Float32: store(t.data<float>()); break;
    case DType::Float64: store(t.data<double>()); break;
    case DType::Int64: store(t.data<int64_t>()); break;
    case DType::Int32: store(t.data<int32_t>()); break;
    case DType::Bool:
      for (size_t i = 0; i < values.size(); ++i) t.data<uint8_t>()[i] = values[i] != Src(0);
      break;
    case DType::UInt8: store(t.data<uint8_t>()); break;
  }
  return t.set_requires_grad(rg);
}
}  // namespace

Tensor from_vector(const std::vector<float>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<double>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<int64_t>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<int32_t>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }

Tensor tensor(std::initializer_list<double> values, TensorOptions options) {
  return from_vector(std::vector<double>(values), Shape{static_cast<int64_t>(values.size())}, options);
}

Tensor scalar_tensor(double value, TensorOptions options) { return full(Shape{}, value, options); }

}  // namespace tg
