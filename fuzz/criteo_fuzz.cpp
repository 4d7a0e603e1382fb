// libFuzzer target: the Criteo line parser and the encoder behind it must never crash on any
// line; bad input is a tg::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "data/encoder.h"
#include "data/readers/criteo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tg::data::Encoder* encoder = [] {
    auto* e = new tg::data::Encoder(tg::data::criteo_schema());
    e->finalize();
    return e;
  }();
  static tg::data::Dataset dataset = encoder->make_dataset();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> fields;
  std::string scratch;
  try {
    tg::data::parse_criteo_line(line, fields, scratch);
    encoder->encode(fields, dataset);
  } catch (const tg::Error&) {
  }
  if (dataset.rows() > 10000) dataset = encoder->make_dataset();
  return 0;
}
