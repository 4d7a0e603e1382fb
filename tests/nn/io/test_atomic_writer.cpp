// Atomic writes: the real name holds the old file or the complete new one, never a part,
// and no temp file is left behind whatever fails.
#include <doctest/doctest.h>

#include <stdexcept>

#include "core/tapegrad.h"
#include "nn/io/atomic_writer.h"
#include "nn/io/checkpoint.h"
#include "tests/nn/io/io_test_util.h"

using namespace tg;
using namespace tg::io_test;

TEST_CASE("atomic writer: commit puts the whole file under the real name; small and large writes") {
  TempDir dir;
  const std::string path = dir.file("f.bin");
  std::string big(3 << 20, '\0');  // larger than the 1 MiB buffer: goes straight to write(2)
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  {
    nn::AtomicFileWriter w(path);
    CHECK(w.temp_path() == path + ".tmp." + std::to_string(::getpid()));
    w.write("head", 4);
    w.write(big.data(), big.size());
    w.write("tail", 4);
    CHECK(!fs::exists(path));
    CHECK(fs::exists(w.temp_path()));
    CHECK(w.bytes_written() == big.size() + 8);
    w.commit();
    CHECK_THROWS_WITH_AS(w.write("x", 1), has("already closed"), Error);
  }
  CHECK(read_all(path) == "head" + big + "tail");
  CHECK(dir.count_files() == 1);
}

TEST_CASE("atomic writer: an exception before commit removes the temp file and keeps the old one") {
  TempDir dir;
  const std::string path = dir.file("f.bin");
  write_all(path, "old contents");
  CHECK_THROWS_AS(
      [&] {
        nn::AtomicFileWriter w(path);
        w.write("new", 3);
        throw std::runtime_error("the caller failed mid-way");
      }(),
      std::runtime_error);
  CHECK(read_all(path) == "old contents");
  CHECK(dir.count_files() == 1);
}

TEST_CASE("atomic writer: a failing write (injected) names the file, removes the temp, keeps the old one") {
  TempDir dir;
  const std::string path = dir.file("f.bin");
  write_all(path, "old contents");
  nn::inject_atomic_write_failure_after(5);
  nn::AtomicFileWriter w(path);
  w.write("0123456789", 10);  // still buffered: the failure comes when it reaches the file
  CHECK_THROWS_WITH_AS(w.commit(), has("cannot write '" + path + "': injected failure after 5 bytes"),
                       Error);
  CHECK(read_all(path) == "old contents");
  CHECK(dir.count_files() == 1);
  // The injection is one-shot: the next writer succeeds.
  nn::AtomicFileWriter again(path);
  again.write("new", 3);
  again.commit();
  CHECK(read_all(path) == "new");
}

TEST_CASE("atomic writer: a directory that does not exist is a clear error") {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/f.bin");
  CHECK_THROWS_WITH_AS(nn::AtomicFileWriter{path}, has("cannot write '" + path + "'"), Error);
  CHECK_THROWS_WITH_AS(nn::write_safetensors(path, {{"a", ones({1})}}), has("No such file"), Error);
}

TEST_CASE("atomic writer: a checkpoint write interrupted anywhere leaves the old checkpoint intact") {
  TempDir dir;
  const std::string path = dir.file("last.safetensors");
  Tiny a, b;
  nn::TrainingPosition pos{.epoch = 1, .step = 10};
  nn::save_checkpoint(path, a, {}, pos);
  const std::string before = read_all(path);
  const uint64_t data_start = nn::read_safetensors_header(path).data_start;
  // At the very start, inside the header, at the start of the data, half-way, one byte short.
  for (size_t at : {size_t{0}, size_t{20}, static_cast<size_t>(data_start), before.size() / 2, before.size() - 1}) {
    CAPTURE(at);
    nn::inject_atomic_write_failure_after(at);
    CHECK_THROWS_WITH_AS(nn::save_checkpoint(path, b, {}, {.epoch = 2, .step = 20}),
                         has("injected failure"), Error);
    CHECK(read_all(path) == before);
    CHECK(dir.count_files() == 1);
    auto old = nn::read_checkpoint(path);
    CHECK(old.position.epoch == 1);
    CHECK(bytes_equal(old.model.at("w"), a.w));
  }
  // A state that cannot be serialised (an undefined optimizer tensor) fails before any file
  // is created; the old checkpoint is untouched.
  CHECK_THROWS_WITH_AS(nn::save_checkpoint(path, b, {{"exp_avg.w", Tensor()}}, pos),
                       has("tensor 'optim.exp_avg.w' is undefined"), Error);
  CHECK(read_all(path) == before);
  CHECK(dir.count_files() == 1);
  // And an uninterrupted write replaces it.
  nn::save_checkpoint(path, b, {}, {.epoch = 2});
  CHECK(nn::read_checkpoint(path).position.epoch == 2);
  CHECK(dir.count_files() == 1);
}
