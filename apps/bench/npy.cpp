#include "apps/bench/npy.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace tg::bench {

namespace {

// The value text of `key` in the header dict: from after "'key':" to the next top-level
// comma or closing brace (a shape tuple keeps its commas).
std::string dict_value(const std::string& header, const std::string& key, const std::string& path) {
  const std::string quoted = "'" + key + "'";
  size_t at = header.find(quoted);
  check(at != std::string::npos, "read_npy: {}: the header has no '{}' ({})", path, key, header);
  at = header.find(':', at + quoted.size());
  check(at != std::string::npos, "read_npy: {}: no ':' after '{}' in the header", path, key);
  size_t end = at + 1;
  int depth = 0;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  std::string v = header.substr(at + 1, end - at - 1);
  const size_t first = v.find_first_not_of(" ");
  const size_t last = v.find_last_not_of(" ");
  return first == std::string::npos ? "" : v.substr(first, last - first + 1);
}

Shape parse_shape(const std::string& text, const std::string& path) {
  check(text.size() >= 2 && text.front() == '(' && text.back() == ')', "read_npy: {}: shape '{}' is not a tuple",
        path, text);
  std::vector<int64_t> dims;
  std::string_view body(text.data() + 1, text.size() - 2);
  size_t pos = 0;
  while (pos < body.size()) {
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == ',')) ++pos;
    if (pos >= body.size()) break;
    int64_t v = 0;
    bool any = false;
    while (pos < body.size() && body[pos] >= '0' && body[pos] <= '9') {
      v = v * 10 + (body[pos] - '0');
      ++pos;
      any = true;
    }
    check(any, "read_npy: {}: shape '{}' holds something other than sizes", path, text);
    dims.push_back(v);
  }
  check(static_cast<int>(dims.size()) <= kMaxDims, "read_npy: {}: {} dimensions (at most {})", path, dims.size(),
        kMaxDims);
  Shape shape;
  for (int64_t d : dims) shape.push_back(d);
  return shape;
}

}  // namespace

Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "read_npy: cannot open {}", path);
  char magic[8];
  in.read(magic, 8);
  check(in.gcount() == 8 && std::memcmp(magic, "\x93NUMPY", 6) == 0, "read_npy: {} is not a .npy file (bad magic)",
        path);
  const int major = static_cast<unsigned char>(magic[6]);
  check(major >= 1 && major <= 3, "read_npy: {}: format version {} unknown (1, 2 or 3)", path, major);
  uint32_t header_len = 0;
  unsigned char len_bytes[4] = {0, 0, 0, 0};
  const int len_size = major == 1 ? 2 : 4;
  in.read(reinterpret_cast<char*>(len_bytes), len_size);
  check(in.gcount() == len_size, "read_npy: {}: truncated header length", path);
  for (int i = len_size - 1; i >= 0; --i) header_len = header_len * 256 + len_bytes[i];
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  check(static_cast<uint32_t>(in.gcount()) == header_len, "read_npy: {}: truncated header", path);

  const std::string descr = dict_value(header, "descr", path);
  const std::string fortran = dict_value(header, "fortran_order", path);
  check(fortran == "False", "read_npy: {}: Fortran-order arrays are not read (fortran_order {})", path, fortran);
  DType dtype;
  if (descr == "'<f4'") {
    dtype = kFloat32;
  } else if (descr == "'<i8'") {
    dtype = kInt64;
  } else {
    fail("read_npy: {}: dtype {} is not read (only float32 '<f4' and int64 '<i8')", path, descr);
  }
  const Shape shape = parse_shape(dict_value(header, "shape", path), path);
  Tensor out = Tensor::empty(shape, {.dtype = dtype});
  const auto bytes = static_cast<std::streamsize>(out.numel() * static_cast<int64_t>(out.element_size()));
  in.read(static_cast<char*>(out.raw_data()), bytes);
  check(in.gcount() == bytes, "read_npy: {}: {} data bytes expected for {} {}, the file holds {}", path, bytes, dtype,
        shape, in.gcount());
  return out;
}

}  // namespace tg::bench
