#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/tapegrad.h"
#include "nn/io/checkpoint.h"
#include "core/atomic_file.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / fmt::format("tapegrad-io-{}-{}", ::getpid(), counter()++);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const char* name) const { return (path / name).string(); }
  static int& counter() {
    static int c = 0;
    return c;
  }
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_all(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

bool bytes_equal(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.raw_data(), cb.raw_data(), static_cast<size_t>(ca.numel()) * ca.element_size()) == 0;
}

struct Tiny : nn::Module {
  Tensor w = add_param("w", randn({3, 2}));
  Tensor e = add_param("e", randn({5, 2}), nn::ParamRole::Embedding);
  Tensor memory = add_buffer("memory", randn({4}));
};

}  // namespace

TEST_CASE("safetensors: byte layout of a tiny file matches the spec") {
  nn::StateDict t{{"a", from_vector(std::vector<float>{1.0f, -2.0f}, {2})}};
  std::string bytes = nn::safetensors_bytes(t);
  std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string expected(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) expected[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  expected += header;
  const unsigned char data[] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0};  // 1.0f, -2.0f little-endian
  expected.append(reinterpret_cast<const char*>(data), 8);
  CHECK(bytes == expected);
  CHECK((bytes.size() - 8 - 8) % 8 == 0);
}

TEST_CASE("safetensors: round trip is bit-exact for every dtype, scalars, empty and strided tensors") {
  TempDir dir;
  Tensor f = from_vector(std::vector<float>{1.5f, NAN, INFINITY, -0.0f, -INFINITY, 3e-39f}, {2, 3});
  Tensor strided = randn({4, 6}, {.dtype = kFloat64}).t();  // non-contiguous
  nn::StateDict t{{"f32", f},
                  {"f64", randn({3}, {.dtype = kFloat64})},
                  {"i64", from_vector(std::vector<int64_t>{-5, 1LL << 40, 7}, {3})},
                  {"i32", randint(-100, 100, {2, 2}, {.dtype = kInt32})},
                  {"u8", randint(0, 255, {5}).to(kUInt8)},
                  {"bool", randint(0, 2, {3}).to(kBool)},
                  {"scalar", full({}, 4.25)},
                  {"empty", zeros({0, 3})},
                  {"strided", strided}};
  nn::write_safetensors(dir.file("t.safetensors"), t, {{"note", "hello"}, {"x", ""}});
  auto back = nn::read_safetensors(dir.file("t.safetensors"));
  CHECK(back.tensors.size() == t.size());
  for (auto& [name, value] : t) CHECK_MESSAGE(bytes_equal(back.tensors.at(name), value), name);
  CHECK(back.metadata.at("note") == "hello");
  CHECK(back.metadata.at("x") == "");
  CHECK(back.tensors.at("scalar").dim() == 0);
}

TEST_CASE("safetensors: corrupt and truncated files give clear errors, never a crash") {
  TempDir dir;
  nn::StateDict t{{"w", randn({4, 4})}, {"b", randn({4})}};
  const std::string good = nn::safetensors_bytes(t, {{"k", "v"}});
  uint64_t n = 0;
  std::memcpy(&n, good.data(), 8);
  // Truncated at many points: inside the length, the header and the data.
  for (size_t cut : {size_t{0}, size_t{3}, size_t{8}, size_t{20}, size_t{8 + n}, size_t{8 + n + 10}, good.size() - 1}) {
    write_all(dir.file("cut.safetensors"), good.substr(0, cut));
    CHECK_THROWS_WITH_AS(nn::read_safetensors(dir.file("cut.safetensors")), doctest::Contains("cut.safetensors"),
                         Error);
  }
  std::string huge = good;
  uint64_t big = 1ULL << 60;
  std::memcpy(huge.data(), &big, 8);
  CHECK_THROWS_WITH_AS(nn::read_safetensors_bytes(huge, "huge"), doctest::Contains("runs past the end"), Error);

  auto with_header = [](std::string json, size_t data_bytes) {
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    uint64_t len = json.size();
    std::memcpy(out.data(), &len, 8);
    return out + json + std::string(data_bytes, '\0');
  };
  CHECK_THROWS_WITH_AS(nn::read_safetensors_bytes(with_header("{not json", 0), "bad"),
                       doctest::Contains("not valid JSON"), Error);
  CHECK_THROWS_WITH_AS(
      nn::read_safetensors_bytes(with_header(R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", 2), "f16"),
      doctest::Contains("tensor 'a': unsupported dtype"), Error);
  CHECK_THROWS_WITH_AS(
      nn::read_safetensors_bytes(with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "off"),
      doctest::Contains("tensor 'a': data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12"), Error);
  CHECK_THROWS_WITH_AS(
      nn::read_safetensors_bytes(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4), "overlap"),
      doctest::Contains("gap or overlap"), Error);
  CHECK_THROWS_WITH_AS(
      nn::read_safetensors_bytes(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 12), "extra"),
      doctest::Contains("data block has 12 bytes but the tensors cover 4"), Error);
  CHECK_THROWS_WITH_AS(
      nn::read_safetensors_bytes(with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})", 4), "overflow"),
      doctest::Contains("overflows"), Error);
  CHECK_THROWS_WITH_AS(nn::read_safetensors(dir.file("missing.safetensors")), doctest::Contains("cannot open"), Error);
}

TEST_CASE("checkpoint: model, buffers, optimizer state and position round trip") {
  TempDir dir;
  Tiny a, b;
  nn::StateDict opt{{"exp_avg.w", randn({3, 2})}, {"step.w", full({1}, 3, {.dtype = kInt64})}};
  nn::TrainingPosition pos{.epoch = 4, .step = 123, .best_metric = 0.8125, .best_epoch = 3, .seed = 42};
  pos.extra["history"] = R"([{"epoch":1}])";
  nn::save_checkpoint(dir.file("c.safetensors"), a, opt, pos);
  auto loaded = nn::load_checkpoint(dir.file("c.safetensors"), b);
  for (auto& [name, t] : a.state_dict()) CHECK_MESSAGE(bytes_equal(t, b.state_dict().at(name)), name);
  CHECK(bytes_equal(loaded.optimizer.at("exp_avg.w"), opt.at("exp_avg.w")));
  CHECK(loaded.position.epoch == 4);
  CHECK(loaded.position.step == 123);
  CHECK(loaded.position.best_metric == 0.8125);
  CHECK(loaded.position.best_epoch == 3);
  CHECK(loaded.position.seed == 42);
  CHECK(loaded.position.extra.at("history") == pos.extra["history"]);

  // Plain weights carry the parameter names as they are.
  nn::save_weights(dir.file("w.safetensors"), a);
  auto plain = nn::read_safetensors(dir.file("w.safetensors"));
  CHECK(plain.tensors.count("w") == 1);
  CHECK(plain.tensors.count("memory") == 1);
  Tiny c;
  nn::load_weights(dir.file("w.safetensors"), c);
  CHECK(bytes_equal(c.e, a.e));
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(dir.file("w.safetensors")), doctest::Contains("not a tapegrad checkpoint"),
                       Error);
}

TEST_CASE("checkpoint: a wrong shape, a missing name and a wrong dtype are reported by name") {
  TempDir dir;
  Tiny a;
  nn::StateDict wrong = a.state_dict();
  wrong["w"] = zeros({2, 2});
  wrong.erase("e");
  wrong["memory"] = zeros({4}, {.dtype = kFloat64});
  nn::write_safetensors(dir.file("bad.safetensors"), wrong);
  try {
    nn::load_weights(dir.file("bad.safetensors"), a);
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("bad.safetensors") != std::string::npos);
    CHECK(msg.find("'w': expected float32 [3,2], got float32 [2,2]") != std::string::npos);
    CHECK(msg.find("missing 'e'") != std::string::npos);
    CHECK(msg.find("'memory': expected float32 [4], got float64 [4]") != std::string::npos);
  }
}

TEST_CASE("checkpoint: an interrupted write leaves the old file intact and no temp file") {
  TempDir dir;
  Tiny a, b;
  const std::string path = dir.file("model.safetensors");
  nn::save_weights(path, a);
  const std::string before = read_all(path);
  inject_write_failure_after(before.size() / 2);
  CHECK_THROWS_WITH_AS(nn::save_weights(path, b), doctest::Contains("injected failure"), Error);
  CHECK(read_all(path) == before);
  int files = 0;
  for (auto& entry : fs::directory_iterator(dir.path)) (void)entry, ++files;
  CHECK(files == 1);
  Tiny c;
  nn::load_weights(path, c);
  CHECK(bytes_equal(c.w, a.w));
}

TEST_CASE("safetensors: Python reads tapegrad's file (when python3 with torch or safetensors is present)") {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: /usr/bin/python3 with torch is not installed");
    return;
  }
  TempDir dir;
  Tiny a;
  nn::save_weights(dir.file("py.safetensors"), a);
  // Parse the header with json+struct and the data with torch.frombuffer, then compare sums.
  std::string script = dir.file("check.py");
  std::ofstream(script) << R"(import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
h = json.loads(raw[8:8+n]); data = raw[8+n:]
for name, e in sorted(h.items()):
    if name == '__metadata__': continue
    b, end = e['data_offsets']
    t = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32).reshape(e['shape'])
    print(name, ' '.join('%.9g' % v for v in t.flatten().tolist()))
)";
  std::string out_path = dir.file("out.txt");
  REQUIRE(std::system(fmt::format("/usr/bin/python3 {} {} > {}", script, dir.file("py.safetensors"), out_path).c_str()) == 0);
  std::ifstream in(out_path);
  int seen = 0;
  for (std::string name; in >> name;) {
    Tensor t = a.state_dict().at(name);
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v;
      in >> v;
      CHECK(static_cast<float>(v) == static_cast<float>(t.contiguous().to_vector()[static_cast<size_t>(i)]));
    }
    ++seen;
  }
  CHECK(seen == 3);
}
