// Python reads tapegrad's files and tapegrad reads Python's. The reader on the Python side is
// safetensors.numpy when it imports, torch.frombuffer when only torch does, and otherwise a
// plain json+struct decoder (the standard library only), so the check runs wherever
// /usr/bin/python3 exists and is skipped, with a message, where it does not.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/tapegrad.h"
#include "nn/io/safetensors.h"
#include "tests/nn/io/io_test_util.h"

using namespace tg;
using namespace tg::io_test;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Prints {"backend", "metadata", "tensors": {name: {"dtype", "shape", "bits"}}} where bits
// are the elements' bit patterns as integers (so NaN payloads and -0.0 compare exactly).
constexpr const char* kReadScript = R"PY(
import json, struct, sys
path = sys.argv[1]
raw = open(path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
assert n % 8 == 0, 'header not padded to 8'
assert raw[8:9] == b'{', 'header does not start with {'
header = json.loads(raw[8:8 + n].decode('utf-8'))
data = raw[8 + n:]
meta = header.pop('__metadata__', {})
fmt = {'F32': ('I', 4), 'F64': ('Q', 8), 'I64': ('q', 8), 'I32': ('i', 4), 'U8': ('B', 1), 'BOOL': ('B', 1)}
spans = sorted((e['data_offsets'][0], e['data_offsets'][1]) for e in header.values())
end = 0
for b, e in spans:
    assert b == end, 'gap or overlap at %d' % b
    end = e
assert end == len(data), 'data block not covered'
out = {'metadata': meta, 'tensors': {}}
backend = 'struct'
try:
    import numpy as np
    from safetensors.numpy import load_file
    arrays = load_file(path)
    backend = 'safetensors'
except Exception:
    try:
        import torch
        backend = 'torch'
    except Exception:
        pass
for name, e in header.items():
    code, size = fmt[e['dtype']]
    b, end = e['data_offsets']
    count = 1
    for d in e['shape']:
        count *= d
    assert end - b == count * size, name
    if backend == 'safetensors':
        a = arrays[name]
        assert list(a.shape) == e['shape'], name
        view = {'F32': np.uint32, 'F64': np.uint64, 'I64': np.int64, 'I32': np.int32,
                'U8': np.uint8, 'BOOL': np.uint8}
        bits = [int(v) for v in a.reshape(-1).view(view[e['dtype']])]
    elif backend == 'torch' and count > 0:
        tdt = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32,
               'U8': torch.uint8, 'BOOL': torch.bool}
        t = torch.frombuffer(bytearray(data[b:end]), dtype=tdt[e['dtype']]).reshape(e['shape'])
        flat = t.reshape(-1)
        if e['dtype'] == 'F32':
            bits = [v & 0xffffffff for v in flat.view(torch.int32).tolist()]
        elif e['dtype'] == 'F64':
            bits = [v & 0xffffffffffffffff for v in flat.view(torch.int64).tolist()]
        else:
            bits = [int(v) for v in flat.tolist()]
    else:
        bits = list(struct.unpack('<%d%s' % (count, code), data[b:end]))
    out['tensors'][name] = {'dtype': e['dtype'], 'shape': e['shape'], 'bits': bits}
out['backend'] = backend
print(json.dumps(out))
)PY";

// Writes a file as another writer would: insertion order (not by alignment), F64 at an odd
// offset, header unpadded, metadata last; with safetensors.numpy when it imports.
constexpr const char* kWriteScript = R"PY(
import json, struct, sys
path = sys.argv[1]
try:
    import numpy as np
    from safetensors.numpy import save_file
    save_file({'x': np.array([[1.5, -2.0], [0.25, 3e38]], dtype=np.float32),
               'ids': np.array([-1, 2**40, 7], dtype=np.int64),
               'flag': np.array([True, False]),
               'u': np.zeros((0,), dtype=np.uint8),
               's': np.array(0.1, dtype=np.float64)}, path, metadata={'framework': 'py'})
    print('safetensors')
except ImportError:
    parts = [('x', 'F32', [2, 2], struct.pack('<4f', 1.5, -2.0, 0.25, 3e38)),
             ('ids', 'I64', [3], struct.pack('<3q', -1, 2**40, 7)),
             ('flag', 'BOOL', [2], bytes([1, 0])),
             ('u', 'U8', [0], b''),
             ('s', 'F64', [], struct.pack('<d', 0.1))]
    header, offset, blob = {}, 0, b''
    for name, dtype, shape, raw in parts:
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        blob += raw
    header['__metadata__'] = {'framework': 'py'}
    text = json.dumps(header).encode('utf-8')
    open(path, 'wb').write(struct.pack('<Q', len(text)) + text + blob)
    print('struct')
)PY";

bool have_python() { return ::access(kPython, X_OK) == 0; }

// Runs a script with one argument; returns its stdout, or fails the test with its stderr.
std::string run_python(const TempDir& dir, const char* script, const std::string& arg) {
  const std::string py = dir.file("script.py"), out = dir.file("out.txt"), err = dir.file("err.txt");
  write_all(py, script);
  const int rc = std::system(fmt::format("{} '{}' '{}' > '{}' 2> '{}'", kPython, py, arg, out, err).c_str());
  INFO("python stderr: ", read_all(err));
  REQUIRE(rc == 0);
  return read_all(out);
}

// The tensor's elements as the integers the read script prints.
std::vector<nlohmann::json> bits_of(const Tensor& t) {
  Tensor c = t.contiguous();
  std::vector<nlohmann::json> out;
  const auto* p = static_cast<const unsigned char*>(c.raw_data());
  for (int64_t i = 0; i < c.numel(); ++i) {
    const unsigned char* e = p + static_cast<size_t>(i) * c.element_size();
    switch (c.dtype()) {
      case DType::Float32: { uint32_t v; std::memcpy(&v, e, 4); out.emplace_back(v); break; }
      case DType::Float64: { uint64_t v; std::memcpy(&v, e, 8); out.emplace_back(v); break; }
      case DType::Int64: { int64_t v; std::memcpy(&v, e, 8); out.emplace_back(v); break; }
      case DType::Int32: { int32_t v; std::memcpy(&v, e, 4); out.emplace_back(v); break; }
      case DType::UInt8:
      case DType::Bool: out.emplace_back(static_cast<int>(*e)); break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("python interop: Python reads every dtype of a tapegrad file bit for bit") {
  if (!have_python()) {
    MESSAGE("skipped: /usr/bin/python3 is not installed");
    return;
  }
  TempDir dir;
  Tensor f32 = Tensor::empty({2, 2});
  const uint32_t f32_bits[] = {0x7fc00001u, 0x80000000u, 0x7f800000u, 0x3f800000u};
  std::memcpy(f32.raw_data(), f32_bits, sizeof f32_bits);
  nn::StateDict t{{"layer.0.weight", f32},
                  {"f64", from_vector(std::vector<double>{0.1, -1e300}, {2})},
                  {"i64", from_vector(std::vector<int64_t>{INT64_MIN, INT64_MAX, -3}, {3})},
                  {"i32", from_vector(std::vector<int32_t>{INT32_MIN, 5}, {2, 1})},
                  {"u8", from_vector(std::vector<int64_t>{0, 128, 255}, {3}).to(kUInt8)},
                  {"mask", from_vector(std::vector<int64_t>{1, 0, 1}, {3}).to(kBool)},
                  {"scalar", full({}, -0.5, {.dtype = kFloat64})},
                  {"empty", zeros({0, 4})},
                  {"strided", randn({3, 4}).t()}};
  const std::string path = dir.file("tg.safetensors");
  nn::write_safetensors(path, t, {{"epoch", "7"}, {"note", "größe"}});
  const auto out = nlohmann::json::parse(run_python(dir, kReadScript, path));
  MESSAGE("python reader: " << out["backend"].get<std::string>());
  CHECK(out["metadata"]["epoch"] == "7");
  CHECK(out["metadata"]["note"] == "größe");
  REQUIRE(out["tensors"].size() == t.size());
  for (const auto& [name, value] : t) {
    CAPTURE(name);
    const auto& e = out["tensors"][name];
    CHECK(e["dtype"] == nn::safetensors_dtype_code(value.dtype()));
    CHECK(e["shape"].get<std::vector<int64_t>>() == value.shape().vec());
    CHECK(e["bits"].get<std::vector<nlohmann::json>>() == bits_of(value));
  }
}

TEST_CASE("python interop: tapegrad reads a file written by Python") {
  if (!have_python()) {
    MESSAGE("skipped: /usr/bin/python3 is not installed");
    return;
  }
  TempDir dir;
  const std::string path = dir.file("py.safetensors");
  MESSAGE("python writer: " << run_python(dir, kWriteScript, path));
  auto f = nn::read_safetensors(path);
  CHECK(f.metadata.at("framework") == "py");
  REQUIRE(f.tensors.size() == 5);
  CHECK(f.tensors.at("x").dtype() == kFloat32);
  CHECK(f.tensors.at("x").shape() == Shape{2, 2});
  CHECK(f.tensors.at("x").to_vector_as<float>() == std::vector<float>{1.5f, -2.0f, 0.25f, 3e38f});
  CHECK(f.tensors.at("ids").to_vector_as<int64_t>() == std::vector<int64_t>{-1, int64_t{1} << 40, 7});
  CHECK(f.tensors.at("flag").dtype() == kBool);
  CHECK(f.tensors.at("flag").to_vector() == std::vector<double>{1, 0});
  CHECK(f.tensors.at("u").numel() == 0);
  CHECK(f.tensors.at("u").dtype() == kUInt8);
  CHECK(f.tensors.at("s").dim() == 0);
  CHECK(f.tensors.at("s").item() == 0.1);
}
