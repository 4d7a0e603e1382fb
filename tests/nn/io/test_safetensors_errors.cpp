// safetensors: every corrupt, truncated or inconsistent file is a tg::Error naming the file
// (and the tensor), never a crash or a huge allocation; the writer refuses what the format
// cannot hold.
#include <doctest/doctest.h>

#include <random>

#include "core/tapegrad.h"
#include "nn/io/safetensors.h"
#include "tests/nn/io/io_test_util.h"

using namespace tg;
using namespace tg::io_test;

namespace {

// One F32 [2] tensor "a" with the given entry JSON fields and `data_bytes` of data.
std::string one_entry(const std::string& entry, size_t data_bytes = 8) {
  return file_with_header(R"({"a":)" + entry + "}", std::string(data_bytes, '\0'));
}

// The error starts with the source's name and contains `expected`.
void check_error(const std::string& bytes, const std::string& expected) {
  CAPTURE(expected);
  try {
    nn::read_safetensors_bytes(bytes, "bad.safetensors");
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.rfind("bad.safetensors: ", 0) == 0);
    CHECK_MESSAGE(msg.find(expected) != std::string::npos, msg);
  }
}

}  // namespace

TEST_CASE("safetensors errors: a file cut at any byte names the file and says what is wrong") {
  TempDir dir;
  nn::StateDict t{{"w", randn({4, 4})}, {"b", randn({4})}, {"ids", arange(3)}};
  const std::string good = nn::safetensors_bytes(t, {{"k", "v"}});
  const size_t data_start = good.size() - (64 + 16 + 24);
  const std::string path = dir.file("cut.safetensors");
  for (size_t cut = 0; cut < good.size(); ++cut) {
    write_all(path, good.substr(0, cut));
    std::string what = cut < 8           ? "fewer than the 8 of the header length"
                       : cut < data_start ? "runs past the end of the file"
                                          : "run past the end of the data block";
    CAPTURE(cut);
    CHECK_THROWS_WITH_AS(nn::read_safetensors(path), has(path + ": "), Error);
    CHECK_THROWS_WITH_AS(nn::read_safetensors(path), has(what), Error);
  }
  write_all(path, good);
  CHECK(nn::read_safetensors(path).tensors.size() == 3);
  // A cut exactly between two tensors is still a truncation (the header promises more).
  write_all(path, good.substr(0, data_start + 24));
  CHECK_THROWS_WITH_AS(nn::read_safetensors(path), has("tensor 'b': data_offsets [24, 40] run past"),
                       Error);
}

TEST_CASE("safetensors errors: a corrupt header length is refused before anything is allocated") {
  std::string huge = nn::safetensors_bytes({{"w", ones({2})}});
  const uint64_t big = 1ULL << 60;
  std::memcpy(huge.data(), &big, 8);
  check_error(huge, "header length 1152921504606846976 is over the format's limit of 100000000 bytes");
  const uint64_t max = ~0ULL;
  std::memcpy(huge.data(), &max, 8);
  check_error(huge, "is over the format's limit");
  const uint64_t just_past = huge.size() - 7;
  std::memcpy(huge.data(), &just_past, 8);
  check_error(huge, fmt::format("header length {} runs past the end of the file ({} bytes)", just_past, huge.size()));
}

TEST_CASE("safetensors errors: the header must be a JSON object in valid UTF-8 without duplicate names") {
  check_error(file_with_header("{not json"), "the header is not valid JSON");
  check_error(file_with_header(""), "the header is not valid JSON");
  check_error(file_with_header(R"({"a":{}} trailing)"), "the header is not valid JSON");
  check_error(file_with_header("[1, 2]"), "the header is a JSON array, not an object");
  check_error(file_with_header("\"x\""), "the header is a JSON string, not an object");
  check_error(file_with_header("{\"\xff\xfe\":1}"), "the header is not valid JSON");
  check_error(file_with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                               R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                               "xy"),
              "the header names 'a' twice");
  check_error(file_with_header(R"({"__metadata__":{"k":1}})"), "__metadata__ 'k' is not a string: 1");
  check_error(file_with_header(R"({"__metadata__":["k"]})"), "__metadata__ is not an object of strings");
}

TEST_CASE("safetensors errors: each malformed entry names the tensor") {
  check_error(one_entry("3"), "tensor 'a': the entry is not an object: 3");
  check_error(one_entry(R"({"shape":[2],"data_offsets":[0,8]})"), "tensor 'a': the entry has no 'dtype'");
  check_error(one_entry(R"({"dtype":"F32","data_offsets":[0,8]})"), "tensor 'a': the entry has no 'shape'");
  check_error(one_entry(R"({"dtype":"F32","shape":[2]})"), "tensor 'a': the entry has no 'data_offsets'");
  check_error(one_entry(R"({"dtype":"F16","shape":[4],"data_offsets":[0,8]})"),
              R"(tensor 'a': unsupported dtype "F16" (tapegrad reads F32, F64, I64, I32, U8 and BOOL))");
  check_error(one_entry(R"({"dtype":"f32","shape":[2],"data_offsets":[0,8]})"), "unsupported dtype \"f32\"");
  check_error(one_entry(R"({"dtype":4,"shape":[2],"data_offsets":[0,8]})"), "unsupported dtype 4");
  check_error(one_entry(R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})"), "tensor 'a': shape 2 is not a list");
  check_error(one_entry(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"),
              "tensor 'a': shape [-2] is not a list of non-negative integers");
  check_error(one_entry(R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"),
              "not a list of non-negative integers");
  check_error(one_entry(R"({"dtype":"F32","shape":[9223372036854775808,0],"data_offsets":[0,0]})", 0),
              "tensor 'a': shape [9223372036854775808,0] overflows");
  check_error(one_entry(R"({"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]})", 0),
              "tensor 'a': shape [0,4294967296,4294967296] overflows");  // no data, but its strides would overflow
  check_error(one_entry(R"({"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]})", 1),
              "tensor 'a': shape [1,1,1,1,1,1,1,1,1] has more than 8 dimensions");
  check_error(one_entry(R"({"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]})", 4),
              "tensor 'a': shape [4294967296,4294967296,16] overflows");
  check_error(one_entry(R"({"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]})"),
              "tensor 'a': shape [2305843009213693952] overflows");
  check_error(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"),
              "tensor 'a': data_offsets must be two non-negative integers, got [0]");
  check_error(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,0]})"),
              "data_offsets must be two non-negative integers");
  check_error(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":"0-8"})"),
              "data_offsets must be two non-negative integers");
  check_error(one_entry(R"({"dtype":"F32","shape":[0],"data_offsets":[8,0]})"),
              "tensor 'a': data_offsets [8, 0] end before they begin");
  check_error(one_entry(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"),
              "tensor 'a': data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12");
  check_error(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[8,16]})"),
              "tensor 'a': data_offsets [8, 16] run past the end of the data block (8 bytes)");
  check_error(one_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[18446744073709551608,0]})"),
              "end before they begin");
}

TEST_CASE("safetensors errors: overlaps, gaps and uncovered bytes in the data block") {
  const std::string two = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)";
  check_error(file_with_header(two + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(4, 0)),
              "tensors 'a' [0, 4] and 'b' [0, 4] overlap in the data block");
  check_error(file_with_header(two + R"("b":{"dtype":"F32","shape":[2],"data_offsets":[2,10]}})", std::string(10, 0)),
              "tensors 'a' [0, 4] and 'b' [2, 10] overlap");
  check_error(file_with_header(two + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", std::string(12, 0)),
              "tensor 'b' starts at byte 8 of the data block but the tensors before it end at 4: a gap of 4 bytes");
  check_error(file_with_header(R"({"b":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}})", std::string(4, 0)),
              "tensor 'b' starts at byte 3");
  check_error(file_with_header(two + R"("x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}})", std::string(12, 0)),
              "the data block has 12 bytes but the tensors cover 4");
  check_error(file_with_header("{}", "junk"), "the data block has 4 bytes but the tensors cover 0");
}

TEST_CASE("safetensors errors: paths that are not safetensors files") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(nn::read_safetensors(dir.file("missing.safetensors")),
                       has("cannot open '" + dir.file("missing.safetensors") + "' for reading"), Error);
  CHECK_THROWS_WITH_AS(nn::read_safetensors(dir.path.string()), has("not a regular file"), Error);
  write_all(dir.file("text.safetensors"), "hello, this is not a tensor file at all");
  CHECK_THROWS_WITH_AS(nn::read_safetensors(dir.file("text.safetensors")), has("text.safetensors: header length"),
                       Error);
  CHECK_THROWS_WITH_AS(nn::read_safetensors_header(dir.file("text.safetensors")),
                       has("text.safetensors: header length"), Error);
}

TEST_CASE("safetensors errors: random corruption of a valid file is a clean error or a valid file") {
  const std::string good = nn::safetensors_bytes(
      {{"w", randn({3, 4})}, {"ids", arange(5)}, {"m", ones({2}, {.dtype = kBool})}}, {{"epoch", "3"}});
  std::mt19937 rng(1234);
  int errors = 0, valid = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      // Mostly the length and the header, where the structure lives.
      const size_t limit = rng() % 4 == 0 ? bytes.size() : std::min<size_t>(bytes.size(), 8 + 200);
      bytes[rng() % limit] = static_cast<char>(rng() & 0xff);
    }
    if (rng() % 5 == 0) bytes.resize(rng() % bytes.size());
    try {
      auto f = nn::read_safetensors_bytes(bytes, "fuzzed");
      size_t total = 0;  // a file that reads must be self-consistent
      for (const auto& [name, t] : f.tensors) total += static_cast<size_t>(t.numel()) * t.element_size();
      CHECK(total <= bytes.size());
      ++valid;
    } catch (const Error& e) {
      CHECK(std::string(e.what()).rfind("fuzzed: ", 0) == 0);
      ++errors;
    }
  }
  MESSAGE("corrupted files: ", errors, " refused, ", valid, " still valid");
  CHECK(errors > 2000);
  CHECK(valid > 0);  // flips inside the float data leave a valid file
}

TEST_CASE("safetensors errors: the writer refuses what the format cannot hold, before touching the file") {
  TempDir dir;
  const std::string path = dir.file("w.safetensors");
  CHECK_THROWS_WITH_AS(nn::write_safetensors(path, {{"__metadata__", ones({1})}}),
                       has("'__metadata__' is reserved"), Error);
  CHECK_THROWS_WITH_AS(nn::write_safetensors(path, {{"a", ones({1})}, {"b", Tensor()}}),
                       has("cannot write '" + path + "': tensor 'b' is undefined"), Error);
  CHECK_THROWS_WITH_AS(nn::write_safetensors(path, {{"bad\xff", ones({1})}}), has("not valid UTF-8"),
                       Error);
  CHECK_THROWS_WITH_AS(nn::write_safetensors(path, {{"a", ones({1})}}, {{"k", "\xc3"}}),
                       has("not valid UTF-8"), Error);
  CHECK(dir.count_files() == 0);
}
