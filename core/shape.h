// Shape: a small inline vector of dimension sizes (or strides). Tensors have at most
// kMaxDims dimensions; keeping shapes inline means creating a tensor does not call malloc
// for its metadata, which matters for the per-op overhead of small CTR graphs.
#pragma once
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace tg {

inline constexpr int kMaxDims = 8;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  Shape(const std::vector<int64_t>& dims) { assign(dims.begin(), dims.end()); }  // NOLINT: implicit on purpose
  template <class It> Shape(It first, It last) { assign(first, last); }

  static Shape filled(int n, int64_t value) {
    Shape s;
    for (int i = 0; i < n; ++i) s.push_back(value);
    return s;
  }

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t& operator[](int i) { return d_[i]; }
  int64_t operator[](int i) const { return d_[i]; }
  int64_t* begin() { return d_; }
  int64_t* end() { return d_ + n_; }
  const int64_t* begin() const { return d_; }
  const int64_t* end() const { return d_ + n_; }
  const int64_t* data() const { return d_; }
  int64_t back() const { return d_[n_ - 1]; }

  void push_back(int64_t v) {
    check(n_ < kMaxDims, "shape: more than {} dimensions are not supported", kMaxDims);
    d_[n_++] = v;
  }
  void insert(int pos, int64_t v) {
    push_back(0);
    for (int i = n_ - 1; i > pos; --i) d_[i] = d_[i - 1];
    d_[pos] = v;
  }
  void erase(int pos) {
    for (int i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
    --n_;
  }
  void resize(int n, int64_t fill = 0) {
    check(n <= kMaxDims, "shape: more than {} dimensions are not supported", kMaxDims);
    for (int i = n_; i < n; ++i) d_[i] = fill;
    n_ = n;
  }

  int64_t numel() const {
    int64_t p = 1;
    for (int i = 0; i < n_; ++i) p *= d_[i];
    return p;
  }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

  friend bool operator==(const Shape& a, const Shape& b) {
    return a.n_ == b.n_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  template <class It> void assign(It first, It last) {
    n_ = 0;
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }
  int64_t d_[kMaxDims] = {};
  int n_ = 0;
};

// "[32,16]" — the form used in every error message.
inline std::string to_string(const Shape& s) { return fmt::format("[{}]", fmt::join(s.begin(), s.end(), ",")); }

// Contiguous (row-major) strides of a shape, in elements.
inline Shape contiguous_strides(const Shape& shape) {
  Shape st = Shape::filled(shape.size(), 1);
  for (int i = shape.size() - 2; i >= 0; --i) st[i] = st[i + 1] * std::max<int64_t>(shape[i + 1], 1);
  return st;
}

// Wraps a possibly negative dimension index into [0, ndim); names the op on error.
inline int wrap_dim(int64_t dim, int ndim, const char* op) {
  int64_t n = std::max(ndim, 1);
  check(dim >= -n && dim < n, "{}: dimension {} is out of range for a tensor with {} dimensions", op, dim, ndim);
  return static_cast<int>(dim < 0 ? dim + n : dim);
}

}  // namespace tg

template <> struct fmt::formatter<tg::Shape> : fmt::formatter<std::string> {
  auto format(const tg::Shape& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(tg::to_string(s), ctx);
  }
};
