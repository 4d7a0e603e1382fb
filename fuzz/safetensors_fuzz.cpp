// libFuzzer target: reading a safetensors file from arbitrary bytes never crashes and never
// allocates from a corrupt length.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "nn/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    tg::nn::read_safetensors_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const tg::Error&) {
  }
  return 0;
}
