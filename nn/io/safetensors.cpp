#include "nn/io/safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/atomic_file.h"

namespace tg::nn {

static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

const char* dtype_code(DType t) {
  switch (t) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
    case DType::Int32: return "I32";
    case DType::UInt8: return "U8";
    case DType::Bool: return "BOOL";
  }
  return "?";
}

bool dtype_from_code(const std::string& code, DType& out) {
  static const std::pair<const char*, DType> table[] = {{"F32", kFloat32}, {"F64", kFloat64}, {"I64", kInt64},
                                                       {"I32", kInt32},   {"U8", kUInt8},     {"BOOL", kBool}};
  for (auto& [c, t] : table)
    if (code == c) return out = t, true;
  return false;
}

}  // namespace

std::string safetensors_bytes(const StateDict& tensors, const Metadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<Tensor> contiguous;
  for (const auto& [name, t] : tensors) {
    check(name != "__metadata__", "write_safetensors: '__metadata__' is reserved and cannot name a tensor");
    check(t.defined(), "write_safetensors: tensor '{}' is undefined", name);
    check(!t.is_row_sparse(), "write_safetensors: tensor '{}' is row-sparse; densify it first", name);
    Tensor c = t.device().is_cpu() ? t.contiguous() : t.to(Device::cpu()).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(c.numel()) * c.element_size();
    std::vector<int64_t> shape(c.shape().begin(), c.shape().end());
    header[name] = {{"dtype", dtype_code(c.dtype())}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(c);
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  out += json;
  out.reserve(out.size() + offset);
  for (const auto& c : contiguous)
    out.append(static_cast<const char*>(c.raw_data()), static_cast<size_t>(c.numel()) * c.element_size());
  return out;
}

void write_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  write_file_atomically(path, safetensors_bytes(tensors, metadata));
}

SafetensorsFile read_safetensors_bytes(const std::string& bytes, const std::string& source) {
  check(bytes.size() >= 8, "{}: not a safetensors file: {} bytes, shorter than the 8-byte header length", source,
        bytes.size());
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  check(n <= bytes.size() - 8, "{}: header length {} runs past the end of the file ({} bytes): truncated or corrupt",
        source, n, bytes.size());
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the header is not valid JSON: {}", source, e.what());
  }
  check(header.is_object(), "{}: the header is not a JSON object", source);
  const uint64_t data_size = bytes.size() - 8 - n;
  const char* data = bytes.data() + 8 + n;
  SafetensorsFile out;
  struct Span {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      check(entry.is_object(), "{}: __metadata__ is not an object", source);
      for (const auto& [k, v] : entry.items()) {
        check(v.is_string(), "{}: __metadata__ value of '{}' is not a string", source, k);
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    check(entry.is_object() && entry.contains("dtype") && entry.contains("shape") && entry.contains("data_offsets"),
          "{}: tensor '{}': the entry needs dtype, shape and data_offsets", source, name);
    DType dtype;
    check(entry["dtype"].is_string() && dtype_from_code(entry["dtype"].get<std::string>(), dtype),
          "{}: tensor '{}': unsupported dtype {}", source, name, entry["dtype"].dump());
    const auto& jshape = entry["shape"];
    check(jshape.is_array() && jshape.size() <= static_cast<size_t>(kMaxDims), "{}: tensor '{}': bad shape {}",
          source, name, jshape.dump());
    Shape shape;
    uint64_t numel = 1;
    for (const auto& d : jshape) {
      check(d.is_number_unsigned(), "{}: tensor '{}': bad shape {}", source, name, jshape.dump());
      const auto v = d.get<uint64_t>();
      check(!__builtin_mul_overflow(numel, v, &numel), "{}: tensor '{}': shape {} overflows", source, name,
            jshape.dump());
      shape.push_back(static_cast<int64_t>(v));
    }
    const auto& off = entry["data_offsets"];
    check(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(),
          "{}: tensor '{}': data_offsets must be two non-negative integers, got {}", source, name, off.dump());
    const auto begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    check(begin <= end && end <= data_size,
          "{}: tensor '{}': data_offsets [{}, {}] outside the data block of {} bytes (truncated file?)", source, name,
          begin, end, data_size);
    uint64_t need = 0;
    check(!__builtin_mul_overflow(numel, dtype_size(dtype), &need) && end - begin == need,
          "{}: tensor '{}': data_offsets [{}, {}] hold {} bytes but {} {} needs {}", source, name, begin, end,
          end - begin, dtype_code(dtype), shape, numel * dtype_size(dtype));
    Tensor t = Tensor::empty(shape, {.dtype = dtype});
    if (end > begin) std::memcpy(t.raw_data(), data + begin, end - begin);
    out.tensors[name] = t;
    spans.push_back({begin, end, name});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  uint64_t covered = 0;
  for (const auto& s : spans) {
    check(s.begin == covered, "{}: tensor '{}' starts at byte {} of the data block, expected {} (gap or overlap)",
          source, s.name, s.begin, covered);
    covered = s.end;
  }
  check(covered == data_size, "{}: the data block has {} bytes but the tensors cover {}", source, data_size, covered);
  return out;
}

SafetensorsFile read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "cannot open '{}' for reading", path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check(!in.bad(), "error reading '{}'", path);
  return read_safetensors_bytes(bytes, path);
}

}  // namespace tg::nn
