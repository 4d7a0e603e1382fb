#include "core/device.h"

#include <cstdlib>

#include "core/error.h"

namespace tg {

Device Device::parse(const std::string& text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.rfind("cuda:", 0) == 0 && text.size() > 5) {
    char* end = nullptr;
    long idx = std::strtol(text.c_str() + 5, &end, 10);
    if (*end == '\0' && idx >= 0) return cuda(static_cast<int>(idx));
  }
  fail("device: '{}' is not a device (expected cpu, cuda or cuda:N)", text);
}

// cuda_built() and cuda_available() are defined by core/cuda/runtime.cpp (CUDA builds) or
// core/cuda/runtime_absent.cpp (CPU-only builds).

}  // namespace tg
