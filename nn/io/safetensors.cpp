#include "nn/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/io/atomic_writer.h"

namespace tg::nn {

// Tensor bytes are copied as they are in memory; the format is little-endian.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

// The reference implementation refuses longer headers; so do we, before allocating one.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Position in the reference implementation's dtype order (increasing alignment). Its
// writer sorts by this, descending, then by name; ours does the same so files match.
int alignment_rank(DType t) {
  switch (t) {
    case DType::Bool: return 0;
    case DType::UInt8: return 1;
    case DType::Int32: return 9;
    case DType::Float32: return 11;
    case DType::Float64: return 12;
    case DType::Int64: return 13;
  }
  return 0;
}

bool dtype_from_code(std::string_view code, DType& out) {
  static constexpr std::pair<std::string_view, DType> kTable[] = {
      {"F32", kFloat32}, {"F64", kFloat64}, {"I64", kInt64}, {"I32", kInt32}, {"U8", kUInt8}, {"BOOL", kBool}};
  for (const auto& [c, t] : kTable)
    if (code == c) {
      out = t;
      return true;
    }
  return false;
}

// A JSON value for an error message, cut short: a corrupt header can hold anything.
std::string excerpt(const nlohmann::json& j) {
  std::string s = j.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// ---------------------------------------------------------------------------- writing

struct Item {
  const std::string* name;
  Tensor data;  // contiguous, on the CPU
  uint64_t bytes;
};

struct Plan {
  std::string prefix;  // the 8-byte length and the padded header
  std::vector<Item> items;
};

Plan plan_file(const StateDict& tensors, const Metadata& metadata, std::string_view target) {
  Plan plan;
  plan.items.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    check(name != "__metadata__", "{}: '__metadata__' is reserved for the metadata and cannot name a tensor", target);
    check(t.defined(), "{}: tensor '{}' is undefined", target, name);
    check(!t.is_row_sparse(), "{}: tensor '{}' is a row-sparse gradient; write its to_dense()", target, name);
    Tensor c = (t.device().is_cpu() ? t : t.to(Device::cpu())).contiguous();
    plan.items.push_back({&name, c, static_cast<uint64_t>(c.numel()) * c.element_size()});
  }
  // The map already iterates by name, so a stable sort by alignment gives (alignment, name).
  std::stable_sort(plan.items.begin(), plan.items.end(), [](const Item& a, const Item& b) {
    return alignment_rank(a.data.dtype()) > alignment_rank(b.data.dtype());
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const Item& it : plan.items) {
    const Shape& s = it.data.shape();
    header[*it.name] = {{"dtype", safetensors_dtype_code(it.data.dtype())},
                        {"shape", std::vector<int64_t>(s.begin(), s.end())},
                        {"data_offsets", {offset, offset + it.bytes}}};
    offset += it.bytes;
  }
  std::string json;
  try {
    json = header.dump();
  } catch (const nlohmann::json::exception& e) {
    fail("{}: a tensor name or metadata string is not valid UTF-8 ({})", target, e.what());
  }
  json.append((8 - json.size() % 8) % 8, ' ');
  check(json.size() <= kMaxHeaderBytes, "{}: the header would be {} bytes, over the format's limit of {}", target,
        json.size(), kMaxHeaderBytes);
  plan.prefix.resize(8);
  const uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) plan.prefix[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  plan.prefix += json;
  return plan;
}

template <class Sink>
void emit(const Plan& plan, Sink&& sink) {
  sink(plan.prefix.data(), plan.prefix.size());
  for (const Item& it : plan.items) {
    if (it.bytes == 0) continue;
    const auto* p = static_cast<const unsigned char*>(it.data.raw_data());
    if (it.data.dtype() != kBool) {
      sink(p, it.bytes);
      continue;
    }
    // tapegrad reads any nonzero byte as true; other readers (torch) want exactly 0 or 1.
    unsigned char buf[4096];
    for (uint64_t done = 0; done < it.bytes;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buf, it.bytes - done));
      for (size_t i = 0; i < n; ++i) buf[i] = p[done + i] != 0;
      sink(buf, n);
      done += n;
    }
  }
}

// ---------------------------------------------------------------------------- reading

SafetensorsEntry parse_entry(const std::string& name, const nlohmann::json& entry, uint64_t data_size,
                             const std::string& source) {
  check(entry.is_object(), "{}: tensor '{}': the entry is not an object: {}", source, name, excerpt(entry));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    check(entry.contains(key), "{}: tensor '{}': the entry has no '{}': {}", source, name, key, excerpt(entry));
  SafetensorsEntry e;
  e.name = name;
  const auto& jdtype = entry["dtype"];
  check(jdtype.is_string() && dtype_from_code(jdtype.get_ref<const std::string&>(), e.dtype),
        "{}: tensor '{}': unsupported dtype {} (tapegrad reads F32, F64, I64, I32, U8 and BOOL)", source, name,
        excerpt(jdtype));

  const auto& jshape = entry["shape"];
  check(jshape.is_array(), "{}: tensor '{}': shape {} is not a list", source, name, excerpt(jshape));
  check(jshape.size() <= static_cast<size_t>(kMaxDims), "{}: tensor '{}': shape {} has more than {} dimensions",
        source, name, excerpt(jshape), kMaxDims);
  // numel for the byte count; span (the product with zero dims counted as 1) bounds the
  // strides a tensor of this shape gets, which must fit int64 even when numel is 0.
  uint64_t numel = 1, span = 1;
  for (const auto& d : jshape) {
    check(d.is_number_unsigned(), "{}: tensor '{}': shape {} is not a list of non-negative integers", source, name,
          excerpt(jshape));
    const auto v = d.get<uint64_t>();
    check(!__builtin_mul_overflow(numel, v, &numel) && !__builtin_mul_overflow(span, std::max<uint64_t>(v, 1), &span) &&
              span <= uint64_t{std::numeric_limits<int64_t>::max()},
          "{}: tensor '{}': shape {} overflows", source, name, excerpt(jshape));
    e.shape.push_back(static_cast<int64_t>(v));
  }
  uint64_t bytes = 0;
  check(!__builtin_mul_overflow(numel, dtype_size(e.dtype), &bytes), "{}: tensor '{}': shape {} overflows", source,
        name, excerpt(jshape));

  const auto& off = entry["data_offsets"];
  check(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(),
        "{}: tensor '{}': data_offsets must be two non-negative integers, got {}", source, name, excerpt(off));
  e.begin = off[0].get<uint64_t>();
  e.end = off[1].get<uint64_t>();
  check(e.begin <= e.end, "{}: tensor '{}': data_offsets [{}, {}] end before they begin", source, name, e.begin,
        e.end);
  check(e.end - e.begin == bytes, "{}: tensor '{}': data_offsets [{}, {}] hold {} bytes but {} {} needs {}", source,
        name, e.begin, e.end, e.end - e.begin, safetensors_dtype_code(e.dtype), e.shape, bytes);
  check(e.end <= data_size,
        "{}: tensor '{}': data_offsets [{}, {}] run past the end of the data block ({} bytes): the file is "
        "truncated or the offsets are wrong",
        source, name, e.begin, e.end, data_size);
  return e;
}

SafetensorsHeader parse_header(std::string_view json, uint64_t data_start, uint64_t data_size,
                               const std::string& source) {
  // nlohmann keeps the last of duplicate keys silently; a tensor named twice is an error.
  std::set<std::string, std::less<>> seen;
  std::string duplicate;
  auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && duplicate.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second) duplicate = key;
    }
    return true;
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(json.begin(), json.end(), on_event);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the header is not valid JSON: {}", source, e.what());
  }
  check(header.is_object(), "{}: the header is a JSON {}, not an object", source, header.type_name());
  check(duplicate.empty(), "{}: the header names '{}' twice", source, duplicate);

  SafetensorsHeader out;
  out.data_start = data_start;
  out.data_size = data_size;
  out.entries.reserve(header.size());
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (entry.is_null()) continue;
      check(entry.is_object(), "{}: __metadata__ is not an object of strings: {}", source, excerpt(entry));
      for (const auto& [k, v] : entry.items()) {
        check(v.is_string(), "{}: __metadata__ '{}' is not a string: {}", source, k, excerpt(v));
        out.metadata.emplace(k, v.get<std::string>());
      }
      continue;
    }
    out.entries.push_back(parse_entry(name, entry, data_size, source));
  }
  std::sort(out.entries.begin(), out.entries.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  const SafetensorsEntry* prev = nullptr;
  for (const auto& e : out.entries) {
    if (e.begin < covered)
      fail("{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap in the data block", source, prev->name, prev->begin,
           prev->end, e.name, e.begin, e.end);
    if (e.begin > covered)
      fail("{}: tensor '{}' starts at byte {} of the data block but the tensors before it end at {}: a gap of {} "
           "bytes",
           source, e.name, e.begin, covered, e.begin - covered);
    covered = e.end;
    prev = &e;
  }
  check(covered == data_size, "{}: the data block has {} bytes but the tensors cover {}", source, data_size, covered);
  return out;
}

// read_at(offset, dst, n) fills dst with n bytes at `offset` or throws.
template <class ReadAt>
SafetensorsHeader read_header_with(uint64_t file_size, ReadAt&& read_at, const std::string& source) {
  check(file_size >= 8, "{}: not a safetensors file: {} bytes, fewer than the 8 of the header length", source,
        file_size);
  unsigned char raw[8];
  read_at(0, raw, 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | raw[i];
  check(n <= kMaxHeaderBytes, "{}: header length {} is over the format's limit of {} bytes: corrupt file", source, n,
        kMaxHeaderBytes);
  check(n <= file_size - 8, "{}: header length {} runs past the end of the file ({} bytes): truncated or corrupt",
        source, n, file_size);
  std::string json(static_cast<size_t>(n), '\0');
  read_at(8, json.data(), n);
  return parse_header(json, 8 + n, file_size - 8 - n, source);
}

template <class ReadAt>
SafetensorsFile read_with(uint64_t file_size, ReadAt&& read_at, const std::string& source) {
  SafetensorsHeader header = read_header_with(file_size, read_at, source);
  // Every size below was checked against the file size: the allocations add up to at most
  // the data block.
  SafetensorsFile out;
  out.metadata = std::move(header.metadata);
  for (const auto& e : header.entries) {
    Tensor t = Tensor::empty(e.shape, {.dtype = e.dtype});
    if (e.end > e.begin) read_at(header.data_start + e.begin, t.raw_data(), e.end - e.begin);
    out.tensors.emplace(e.name, std::move(t));
  }
  return out;
}

// A file read with pread at given offsets; closes itself.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    check(fd_ >= 0, "cannot open '{}' for reading: {}", path, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      fail("cannot read '{}': not a regular file", path);
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }
  void read_at(uint64_t offset, void* dst, uint64_t n) const {
    auto* p = static_cast<char*>(dst);
    for (uint64_t done = 0; done < n;) {
      const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n - done, uint64_t{1} << 30));
      const ssize_t r = ::pread(fd_, p + done, chunk, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      check(r >= 0, "cannot read '{}': {}", path_, std::strerror(errno));
      check(r > 0, "{}: the file ended at byte {} while {} bytes at {} were expected (it shrank while being read)",
            path_, offset + done, n, offset);
      done += static_cast<uint64_t>(r);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace

const char* safetensors_dtype_code(DType t) {
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

std::string safetensors_bytes(const StateDict& tensors, const Metadata& metadata) {
  Plan plan = plan_file(tensors, metadata, "safetensors");
  uint64_t total = plan.prefix.size();
  for (const Item& it : plan.items) total += it.bytes;
  std::string out;
  out.reserve(static_cast<size_t>(total));
  emit(plan, [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); });
  return out;
}

void write_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  // Everything that can be refused is refused before the temp file exists.
  Plan plan = plan_file(tensors, metadata, fmt::format("cannot write '{}'", path));
  AtomicFileWriter out(path);
  emit(plan, [&](const void* p, size_t n) { out.write(p, n); });
  out.commit();
}

SafetensorsFile read_safetensors_bytes(const std::string& bytes, const std::string& source) {
  auto read_at = [&](uint64_t offset, void* dst, uint64_t n) {
    std::memcpy(dst, bytes.data() + offset, static_cast<size_t>(n));
  };
  return read_with(bytes.size(), read_at, source);
}

SafetensorsFile read_safetensors(const std::string& path) {
  InputFile file(path);
  return read_with(file.size(), [&](uint64_t offset, void* dst, uint64_t n) { file.read_at(offset, dst, n); },
                   path);
}

SafetensorsHeader read_safetensors_header(const std::string& path) {
  InputFile file(path);
  return read_header_with(file.size(), [&](uint64_t offset, void* dst, uint64_t n) { file.read_at(offset, dst, n); },
                          path);
}

}  // namespace tg::nn
