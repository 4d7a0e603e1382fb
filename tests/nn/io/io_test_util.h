#pragma once
// Shared by the nn/io tests: a temp directory removed on exit, whole-file reads and writes,
// bit-level tensor comparison, a tiny module with parameters and a buffer.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/tapegrad.h"
#include "nn/module.h"

namespace tg::io_test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("tapegrad-io-{}-{}", ::getpid(), counter++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path / name).string(); }
  int count_files() const {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(path)) (void)entry, ++n;
    return n;
  }
};

// doctest::Contains for a std::string (it keeps its own copy).
inline doctest::Contains has(const std::string& text) { return doctest::Contains(text.c_str()); }

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Same dtype, shape and bytes (NaN payloads and -0.0 included).
inline bool bytes_equal(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  if (a.numel() == 0) return true;
  Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.raw_data(), cb.raw_data(), static_cast<size_t>(ca.numel()) * ca.element_size()) == 0;
}

// The 8-byte little-endian length, the header padded with spaces to a multiple of 8, then
// `data` — a file built by hand, independent of the writer.
inline std::string file_with_header(std::string json, const std::string& data = {}, bool pad = true) {
  if (pad) json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + json + data;
}

template <class T>
std::string le_bytes(std::initializer_list<T> values) {
  std::string out;
  for (T v : values) {
    unsigned char raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));  // host is little-endian (static_assert in safetensors.cpp)
    out.append(reinterpret_cast<const char*>(raw), sizeof(T));
  }
  return out;
}

struct Tiny : nn::Module {
  Tensor w = add_param("w", randn({3, 2}));
  Tensor e = add_param("e", randn({5, 2}), nn::ParamRole::Embedding);
  Tensor memory = add_buffer("memory", randn({4}));
};

}  // namespace tg::io_test
