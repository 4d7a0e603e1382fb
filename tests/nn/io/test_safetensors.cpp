// safetensors: exact bytes against hand-built files and the reference implementation's own
// test vectors, bit-exact round trips of every dtype, layouts other writers produce.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "core/tapegrad.h"
#include "nn/io/safetensors.h"
#include "tests/nn/io/io_test_util.h"

using namespace tg;
using namespace tg::io_test;

namespace {

template <class Bits>
Tensor from_bits(std::initializer_list<Bits> bits, DType dtype) {
  Tensor t = Tensor::empty({static_cast<int64_t>(bits.size())}, {.dtype = dtype});
  REQUIRE(t.element_size() == sizeof(Bits));
  std::memcpy(t.raw_data(), bits.begin(), bits.size() * sizeof(Bits));
  return t;
}

nn::SafetensorsFile round_trip_file(const TempDir& dir, const nn::StateDict& t, const nn::Metadata& m = {}) {
  nn::write_safetensors(dir.file("rt.safetensors"), t, m);
  return nn::read_safetensors(dir.file("rt.safetensors"));
}

}  // namespace

TEST_CASE("safetensors: a one-tensor file is byte for byte the hand-built one") {
  nn::StateDict t{{"a", from_vector(std::vector<float>{1.0f, -2.0f}, {2})}};
  // 54 bytes of JSON + 2 spaces = 56 = 0x38; then 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0.
  const std::string expected = std::string("\x38\0\0\0\0\0\0\0", 8) +
                               R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})" + "  " +
                               std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);
  CHECK(nn::safetensors_bytes(t) == expected);
  TempDir dir;
  nn::write_safetensors(dir.file("a.safetensors"), t);
  CHECK(read_all(dir.file("a.safetensors")) == expected);
}

TEST_CASE("safetensors: mixed dtypes are laid out by alignment then name, metadata first, LE data") {
  Tensor mask = Tensor::empty({2}, {.dtype = kBool});
  static_cast<uint8_t*>(mask.raw_data())[0] = 1;
  static_cast<uint8_t*>(mask.raw_data())[1] = 0;
  nn::StateDict t{{"mask", mask},
                  {"ids", from_vector(std::vector<int32_t>{-1, 256}, {2})},
                  {"w", from_vector(std::vector<float>{0.5f}, {1})},
                  {"step", full({}, 7, {.dtype = kInt64})}};
  // 251 bytes of JSON + 5 spaces = 256: the length's second byte is 1.
  const std::string header =
      R"({"__metadata__":{"k":"v"},"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
      R"("w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"ids":{"dtype":"I32","shape":[2],)"
      R"("data_offsets":[12,20]},"mask":{"dtype":"BOOL","shape":[2],"data_offsets":[20,22]}})";
  const std::string data("\x07\0\0\0\0\0\0\0"           // int64 7
                         "\x00\x00\x00\x3f"             // 0.5f
                         "\xff\xff\xff\xff\x00\x01\0\0"  // int32 -1, 256
                         "\x01\x00",                    // true, false
                         22);
  const std::string expected = std::string("\x00\x01\0\0\0\0\0\0", 8) + header + "     " + data;
  CHECK(nn::safetensors_bytes(t, {{"k", "v"}}) == expected);
  // Every tensor starts at a file offset that is a multiple of its element size.
  auto head = nn::read_safetensors_bytes(expected, "mixed");
  CHECK(head.tensors.size() == 4);
  TempDir dir;
  write_all(dir.file("m.safetensors"), expected);
  auto h = nn::read_safetensors_header(dir.file("m.safetensors"));
  REQUIRE(h.entries.size() == 4);
  CHECK(h.data_start == 8 + 256);
  CHECK(h.data_size == 22);
  for (const auto& e : h.entries) CHECK((h.data_start + e.begin) % dtype_size(e.dtype) == 0);
  CHECK(h.entries[0].name == "step");
  CHECK(h.entries[3].name == "mask");
  CHECK(h.metadata.at("k") == "v");
}

TEST_CASE("safetensors: the reference implementation's serialization test vectors") {
  // An empty dict: "{}" padded to 8.
  CHECK(nn::safetensors_bytes({}) == std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  // Metadata only: 35 bytes of JSON padded to 40.
  CHECK(nn::safetensors_bytes({}, {{"framework", "pt"}}) ==
        std::string("\x28\0\0\0\0\0\0\0", 8) + R"({"__metadata__":{"framework":"pt"}})" + "     ");
  // F32 0..5: "attn.0" [1,2,3] needs no padding (64 bytes), "attn0" [1,1,2,3] needs 7.
  std::vector<float> v{0, 1, 2, 3, 4, 5};
  const std::string data = std::string("\0\0\0\0\0\0\x80\x3f\0\0\0\x40\0\0\x40\x40\0\0\x80\x40\0\0\xa0\x40", 24);
  CHECK(nn::safetensors_bytes({{"attn.0", from_vector(v, {1, 2, 3})}}) ==
        std::string("\x40\0\0\0\0\0\0\0", 8) + R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})" +
            data);
  CHECK(nn::safetensors_bytes({{"attn0", from_vector(v, {1, 1, 2, 3})}}) ==
        std::string("\x48\0\0\0\0\0\0\0", 8) +
            R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})" + "       " + data);
}

TEST_CASE("safetensors: round trip is bit-exact for every dtype, NaN payloads, -0.0, inf, extremes") {
  TempDir dir;
  nn::StateDict t{
      // quiet NaN with payload, negative signalling NaN, -0.0, +inf, -inf, smallest subnormal, max
      {"f32", from_bits<uint32_t>({0x7fc00001u, 0xff800001u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x00000001u,
                                   0x7f7fffffu, 0x3f800000u},
                                  kFloat32)},
      {"f64", from_bits<uint64_t>({0x7ff8000000000abcull, 0xfff0000000000001ull, 0x8000000000000000ull,
                                   0x7ff0000000000000ull, 0x0000000000000001ull, 0x3fb999999999999aull},
                                  kFloat64)},
      {"i64", from_vector(std::vector<int64_t>{INT64_MIN, -1, 0, INT64_MAX, 1LL << 40}, {5})},
      {"i32", from_vector(std::vector<int32_t>{INT32_MIN, -1, 0, INT32_MAX}, {2, 2})},
      {"u8", arange(256).to(kUInt8)},
      {"bool", from_vector(std::vector<int64_t>{1, 0, 0, 1, 1}, {5}).to(kBool)},
  };
  auto back = round_trip_file(dir, t);
  REQUIRE(back.tensors.size() == t.size());
  for (const auto& [name, value] : t) CHECK_MESSAGE(bytes_equal(back.tensors.at(name), value), name);
  CHECK(std::isnan(back.tensors.at("f32").to_vector()[0]));
  CHECK(std::signbit(back.tensors.at("f32").to_vector()[2]));
  CHECK(back.tensors.at("u8").to_vector()[255] == 255);
  CHECK(back.metadata.empty());
  // The in-memory path gives the same tensors.
  auto mem = nn::read_safetensors_bytes(nn::safetensors_bytes(t), "memory");
  for (const auto& [name, value] : t) CHECK_MESSAGE(bytes_equal(mem.tensors.at(name), value), name);
}

TEST_CASE("safetensors: scalars and empty tensors of every dtype") {
  TempDir dir;
  nn::StateDict t;
  for (DType d : {kFloat32, kFloat64, kInt64, kInt32, kUInt8, kBool}) {
    t[fmt::format("scalar_{}", d)] = full({}, 1, {.dtype = d});
    t[fmt::format("empty_{}", d)] = zeros({0}, {.dtype = d});
    t[fmt::format("empty3_{}", d)] = zeros({3, 0, 2}, {.dtype = d});
  }
  auto back = round_trip_file(dir, t);
  REQUIRE(back.tensors.size() == t.size());
  for (const auto& [name, value] : t) CHECK_MESSAGE(bytes_equal(back.tensors.at(name), value), name);
  CHECK(back.tensors.at("scalar_float64").dim() == 0);
  CHECK(back.tensors.at("scalar_float64").item() == 1.0);
  CHECK(back.tensors.at("empty3_int32").shape() == Shape{3, 0, 2});
  // A file holding only empty tensors has an empty data block.
  auto h = nn::read_safetensors_header(dir.file("rt.safetensors"));
  uint64_t empties = 0;
  for (const auto& e : h.entries) empties += e.begin == e.end;
  CHECK(empties == 12);
}

TEST_CASE("safetensors: non-contiguous tensors are written as their row-major contiguous copy") {
  TempDir dir;
  Tensor base = randn({4, 6}, {.dtype = kFloat64});
  Tensor ids = arange(24).reshape({2, 3, 4});
  nn::StateDict t{{"transposed", base.t()},
                  {"stepped", base.slice(1, 1, 6, 2)},
                  {"narrowed", base.narrow(0, 1, 2)},   // nonzero storage offset
                  {"selected", base.select(1, 3)},
                  {"broadcast", full({1, 3}, 2.5).expand({4, 3})},  // stride 0
                  {"permuted_ids", ids.permute({2, 0, 1})},
                  {"mask_t", (arange(6).reshape({2, 3}).to(kUInt8)).t()}};
  for (const auto& [name, value] : t)
    if (name != "narrowed" && name != "selected") CHECK_MESSAGE(!value.is_contiguous(), name);
  auto back = round_trip_file(dir, t);
  for (const auto& [name, value] : t) {
    CHECK_MESSAGE(back.tensors.at(name).is_contiguous(), name);
    CHECK_MESSAGE(bytes_equal(back.tensors.at(name), value.contiguous()), name);
  }
  CHECK(back.tensors.at("permuted_ids").at({3, 1, 2}) == ids.at({1, 2, 3}));
  CHECK(back.tensors.at("transposed").at({5, 2}) == base.at({2, 5}));
}

TEST_CASE("safetensors: bool bytes are written as 0/1 (other readers require it)") {
  Tensor mask = Tensor::empty({3}, {.dtype = kBool});
  auto* raw = static_cast<uint8_t*>(mask.raw_data());
  raw[0] = 7, raw[1] = 0, raw[2] = 255;
  std::string bytes = nn::safetensors_bytes({{"m", mask}});
  CHECK(bytes.substr(bytes.size() - 3) == std::string("\x01\x00\x01", 3));
  auto back = nn::read_safetensors_bytes(bytes, "mask");
  CHECK(back.tensors.at("m").to_vector() == std::vector<double>{1, 0, 1});
}

TEST_CASE("safetensors: metadata and names with quotes, unicode and control characters round trip") {
  TempDir dir;
  nn::Metadata m{{"note", "hello"},
                 {"empty", ""},
                 {"quote\"key", "line1\nline2\ttab \\ \"q\""},
                 {"unicode", "größe — 学習率 🚀"},
                 {"json", R"({"nested": [1, 2, {"a": null}]})"}};
  nn::StateDict t{{"layer.0.weight", ones({2})}, {"ü \"odd\" name", zeros({1})}, {"", ones({1})}};
  auto back = round_trip_file(dir, t, m);
  CHECK(back.metadata == m);
  for (const auto& [name, value] : t) CHECK_MESSAGE(bytes_equal(back.tensors.at(name), value), name);
}

TEST_CASE("safetensors: files laid out by other writers are read (any order, no padding, metadata last)") {
  // Name order instead of alignment order, I32 data at an odd offset, header not padded,
  // __metadata__ after the tensors, spaces in the JSON: all valid.
  const std::string json =
      R"({ "b" : {"shape": [3], "dtype": "U8", "data_offsets": [0, 3]},)"
      R"( "a": {"data_offsets": [3, 11], "dtype": "I32", "shape": [2]},)"
      R"( "c": {"dtype": "F64", "shape": [], "data_offsets": [11, 19]}, "__metadata__": {"format": "pt"}})";
  const std::string data = std::string("\x01\x02\x03", 3) + le_bytes<int32_t>({-7, 9}) + le_bytes<double>({0.25});
  for (bool pad : {false, true}) {
    auto f = nn::read_safetensors_bytes(file_with_header(json, data, pad), "other");
    CHECK(f.tensors.at("b").to_vector() == std::vector<double>{1, 2, 3});
    CHECK(f.tensors.at("b").dtype() == kUInt8);
    CHECK(f.tensors.at("a").to_vector() == std::vector<double>{-7, 9});
    CHECK(f.tensors.at("a").dtype() == kInt32);
    CHECK(f.tensors.at("c").item() == 0.25);
    CHECK(f.tensors.at("c").dim() == 0);
    CHECK(f.metadata.at("format") == "pt");
  }
  // "__metadata__": null is the reference writer's "no metadata".
  auto f = nn::read_safetensors_bytes(file_with_header(R"({"__metadata__":null})"), "null-meta");
  CHECK(f.tensors.empty());
  CHECK(f.metadata.empty());
}

TEST_CASE("safetensors: a large tensor goes through the streaming writer intact") {
  TempDir dir;
  Tensor big = randn({700, 1000});  // 2.8 MB: larger than the writer's 1 MiB buffer
  nn::StateDict t{{"big", big}, {"small", ones({3})}, {"tiny", full({}, 3, {.dtype = kInt32})}};
  auto back = round_trip_file(dir, t);
  for (const auto& [name, value] : t) CHECK_MESSAGE(bytes_equal(back.tensors.at(name), value), name);
  CHECK(read_all(dir.file("rt.safetensors")) == nn::safetensors_bytes(t));
}
