// tests for apps/bench (tapegrad-bench): the benchmark models have the PyTorch reference's
// parameter counts, the .npy reader reads what numpy writes and refuses the rest with the
// file's name, a training step runs on synthetic batches, and one step of each model matches
// PyTorch's (../shared/bench/dump_golden.py) within the README's tolerance. The last case
// needs /usr/bin/python3 with torch and ../shared; it is skipped (with a message) otherwise.
// No timings here: the benchmark's figures are never a test.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "apps/bench/bench_models.h"
#include "apps/bench/npy.h"
#include "apps/bench/parity.h"
#include "apps/bench/synthetic.h"
#include "core/error.h"
#include "nn/optim/adam.h"

using namespace tg;
namespace fs = std::filesystem;

namespace {

// A .npy file written by hand: header dict, padded to a multiple of 64 bytes (format 1.0).
void write_npy(const std::string& path, const std::string& descr, const std::string& shape, const void* data,
               size_t bytes, const std::string& fortran = "False") {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<uint16_t>(dict.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

std::string temp_dir(const std::string& tag) {
  fs::path dir = fs::temp_directory_path() / ("tapegrad-test-bench-" + tag + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace

TEST_CASE("bench: the models have the PyTorch reference's parameter counts") {
  for (const auto& name : bench::bench_model_names()) {
    CAPTURE(name);
    bench::BenchModel m = bench::build_bench_model(name);
    CHECK(m.model->num_parameters() == bench::reference_params(name));
  }
  CHECK_THROWS_WITH_AS(bench::build_bench_model("din"), doctest::Contains("unknown model 'din'"), Error);
}

TEST_CASE("bench: read_npy reads float32 and int64 and names the file on anything else") {
  const std::string dir = temp_dir("npy");
  const float f[6] = {1, 2, 3, 4, 5, 6};
  write_npy(dir + "/f.npy", "<f4", "(2, 3)", f, sizeof f);
  Tensor t = bench::read_npy(dir + "/f.npy");
  CHECK(t.dtype() == kFloat32);
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t.at({1, 2}) == 6.0);
  const int64_t i[1] = {42};
  write_npy(dir + "/i.npy", "<i8", "(1,)", i, sizeof i);
  CHECK(bench::read_npy(dir + "/i.npy").at({0}) == 42.0);
  write_npy(dir + "/scalar.npy", "<f4", "()", f, 4);
  CHECK(bench::read_npy(dir + "/scalar.npy").item() == 1.0);
  const double d[1] = {1.0};
  write_npy(dir + "/d.npy", "<f8", "(1,)", d, sizeof d);
  CHECK_THROWS_WITH_AS(bench::read_npy(dir + "/d.npy"), doctest::Contains("d.npy: dtype '<f8' is not read"), Error);
  write_npy(dir + "/fortran.npy", "<f4", "(2, 3)", f, sizeof f, "True");
  CHECK_THROWS_WITH_AS(bench::read_npy(dir + "/fortran.npy"), doctest::Contains("fortran.npy: Fortran-order"), Error);
  write_npy(dir + "/short.npy", "<f4", "(2, 3)", f, 8);
  CHECK_THROWS_WITH_AS(bench::read_npy(dir + "/short.npy"), doctest::Contains("short.npy: 24 data bytes expected"),
                       Error);
  std::ofstream(dir + "/text.npy") << "hello";
  CHECK_THROWS_WITH_AS(bench::read_npy(dir + "/text.npy"), doctest::Contains("text.npy is not a .npy file"), Error);
  CHECK_THROWS_WITH_AS(bench::read_npy(dir + "/missing.npy"), doctest::Contains("cannot open"), Error);
  fs::remove_all(dir);
}

TEST_CASE("bench: a training step of every model runs on synthetic batches") {
  for (const auto& name : bench::bench_model_names()) {
    CAPTURE(name);
    // Small tables and sequences keep the test fast; the graph is the benchmark's.
    bench::BenchModel m = bench::build_bench_model(name, {.vocab = 200, .small_vocab = 50, .seq_len = name == "iarm" ? 0 : 12});
    bench::SyntheticData data(m, 3);
    bench::Inputs in = data.batch(16);
    data::Batch batch = bench::batch_from_inputs(m, in.x, in.y);
    nn::Adam opt(m.model->parameters());
    double first = 0, last = 0;
    for (int step = 0; step < 3; ++step) {
      opt.zero_grad();
      nn::LossTerms terms = m.model->loss(batch, m.model->forward(batch));
      terms.total.backward();
      opt.step();
      m.model->after_step();
      (step == 0 ? first : last) = terms.total.item();
    }
    CHECK(std::isfinite(first));
    CHECK(last < first);  // the same batch three times: the loss falls
  }
}

TEST_CASE("bench: batch_from_inputs refuses a mask that is not id != 0") {
  bench::BenchModel m = bench::build_bench_model("eain", {.vocab = 50, .small_vocab = 50, .seq_len = 4});
  bench::SyntheticData data(m, 1);
  bench::Inputs in = data.batch(4);
  in.x[3] = ones_like(in.x[3]);  // every slot valid, but some ids are padding (empty rows forced at 5 %)
  in.x[2] = zeros_like(in.x[2]);
  CHECK_THROWS_WITH_AS(bench::batch_from_inputs(m, in.x, in.y), doctest::Contains("masks must be exactly id != 0"),
                       Error);
}

TEST_CASE("bench: one training step of every model matches PyTorch (dump_golden.py)") {
  const char* env = std::getenv("TAPEGRAD_SHARED_DIR");
  const std::string shared = env ? env : std::string(TAPEGRAD_SOURCE_DIR) + "/../shared";
  const std::string script = shared + "/bench/dump_golden.py";
  if (!fs::exists(script)) {
    MESSAGE("skipped: " << script << " is not present");
    return;
  }
  if (std::system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: /usr/bin/python3 cannot import torch and numpy (apt-get install python3-torch python3-numpy)");
    return;
  }
  for (const auto& name : bench::bench_model_names()) {
    CAPTURE(name);
    const std::string dir = temp_dir("golden-" + name);
    const std::string cmd = "/usr/bin/python3 '" + script + "' --model " + name + " --out '" + dir + "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    CHECK(bench::run_parity(dir, {.sparse_grad = false, .verbose = false}) == 0);  // the benchmark's default
    CHECK(bench::run_parity(dir, {.sparse_grad = true, .verbose = false}) == 0);   // --sparse-grad
    fs::remove_all(dir);
  }
}
