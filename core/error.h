// The one error type of tapegrad. Every message names the op and the shapes, dtypes or
// devices involved, e.g. "matmul: [32,16] x [8,4]: inner dimensions 16 and 8 differ".
// Errors at API boundaries throw; assert() is only for internal invariants.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace tg {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

// check(cond, "op: message {}", arg): the message is only formatted when cond is false,
// so checks are cheap on the hot path.
template <class... Args>
inline void check(bool ok, fmt::format_string<Args...> format, Args&&... args) {
  if (!ok) [[unlikely]]
    fail(format, std::forward<Args>(args)...);
}

}  // namespace tg
