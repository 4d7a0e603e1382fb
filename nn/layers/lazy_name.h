// Arguments for error messages that cost nothing unless the message is built: a layer's
// describe() and a possibly undefined tensor's shape. tg::check() formats its arguments only
// when the check fails, but `describe()` written as an argument would build a string on
// every forward; lazy_name(*this) defers it.
#pragma once
#include <string>

#include <fmt/format.h>

#include "core/tensor.h"
#include "nn/module.h"

namespace tg::nn {

struct LazyName {
  const Module* module;
};
inline LazyName lazy_name(const Module& m) { return {&m}; }

struct LazyShape {
  const Tensor* tensor;
};
inline LazyShape lazy_shape(const Tensor& t) { return {&t}; }

}  // namespace tg::nn

template <> struct fmt::formatter<tg::nn::LazyName> : fmt::formatter<std::string> {
  auto format(const tg::nn::LazyName& n, format_context& ctx) const {
    return fmt::formatter<std::string>::format(n.module->describe(), ctx);
  }
};

template <> struct fmt::formatter<tg::nn::LazyShape> : fmt::formatter<std::string> {
  auto format(const tg::nn::LazyShape& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(
        s.tensor->defined() ? tg::to_string(s.tensor->shape()) : std::string("(undefined)"), ctx);
  }
};
