// libFuzzer target: the Avazu line parser (hour expansion included) never crashes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "data/readers/avazu.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> fields;
  std::string scratch;
  try {
    tg::data::parse_avazu_line(line, fields, scratch);
  } catch (const tg::Error&) {
  }
  return 0;
}
