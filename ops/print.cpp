// Printing: "tensor([[1.0000, 2.0000], ...], float32 [2,2], requires_grad)" with large
// dimensions summarised by their first and last 3 entries, as PyTorch does.
#include <cmath>

#include "core/autograd.h"

namespace tg {

namespace {

void print_rec(std::string& s, const std::vector<double>& v, const Shape& shape, int d, int64_t base, DType dt,
               int indent) {
  const int64_t n = shape[d];
  int64_t stride = 1;
  for (int k = d + 1; k < shape.size(); ++k) stride *= shape[k];
  constexpr int64_t kEdge = 3;
  const bool summarise = n > 2 * kEdge + 1;
  s += '[';
  for (int64_t i = 0; i < n; ++i) {
    if (summarise && i == kEdge) {
      s += d + 1 == shape.size() ? "..., " : "...,\n" + std::string(static_cast<size_t>(indent + 1), ' ');
      i = n - kEdge;
    }
    if (d + 1 == shape.size()) {
      double x = v[static_cast<size_t>(base + i)];
      s += is_floating(dt) ? fmt::format("{:.4f}", x) : fmt::format("{}", static_cast<int64_t>(x));
    } else {
      print_rec(s, v, shape, d + 1, base + i * stride, dt, indent + 1);
    }
    if (i + 1 < n) s += d + 1 == shape.size() ? ", " : ",\n" + std::string(static_cast<size_t>(indent + 1), ' ');
  }
  s += ']';
}

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  if (device().is_cuda()) return fmt::format("tensor(<on {}>, {})", device(), describe());
  Tensor c = is_row_sparse() ? to_dense() : *this;
  std::vector<double> v = c.to_vector();
  std::string s = "tensor(";
  if (c.dim() == 0) {
    s += is_floating(dtype()) ? fmt::format("{:.4f}", v[0]) : fmt::format("{}", static_cast<int64_t>(v[0]));
  } else if (c.numel() == 0) {
    s += "[]";
  } else {
    print_rec(s, v, c.shape(), 0, 0, dtype(), 7);
  }
  s += fmt::format(", {} {}", dtype(), to_string(shape()));
  if (is_row_sparse()) s += fmt::format(" row-sparse of {}", to_string(dense_shape()));
  if (!name().empty()) s += fmt::format(", name='{}'", name());
  if (grad_fn()) s += fmt::format(", grad_fn={}", grad_fn()->op);
  else if (requires_grad()) s += ", requires_grad";
  return s + ")";
}

}  // namespace tg
