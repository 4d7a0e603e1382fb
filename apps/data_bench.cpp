// tapegrad-data-bench: how fast the data pipeline is, so that a training step never waits on
// data. Encodes a generated Criteo-format file (two streaming passes: fit, encode), iterates
// batches of 1024 with and without the prefetching iterator, measures how long a consumer
// busy 2 ms per batch (a training step) waits for data, and loads MovieLens-100K-format data
// with its histories. Prints one JSON line. Not a test: figures depend on the machine.
//   tapegrad-data-bench [rows=300000] [movielens-100k dir (optional)]
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/rng.h"
#include "data/iterator.h"
#include "data/movielens/movielens100k.h"
#include "data/readers/criteo.h"
#include "data/synthetic/movielens_synthetic.h"

using namespace tg;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

namespace {

// The scratch folder, removed on every way out (an error included).
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / fmt::format("tapegrad-data-bench-{}", ::getpid());
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

int run(int64_t rows, std::string ml) {
  ScratchDir scratch;
  const auto& dir = scratch.path;
  const std::string path = (dir / "train.txt").string();
  {
    Generator g(1);
    std::ofstream out(path);
    std::string line;
    for (int64_t r = 0; r < rows; ++r) {
      line = fmt::format("{}", g.next_below(2));
      for (int i = 0; i < 13; ++i) line += g.next_below(10) == 0 ? "\t" : fmt::format("\t{}", g.next_below(1000));
      for (int i = 0; i < 26; ++i) line += g.next_below(20) == 0 ? "\t" : fmt::format("\t{:08x}", g.next_below(1 << (8 + i % 12)));
      out << line << '\n';
    }
  }
  nlohmann::json j = {{"rows", rows}};
  auto t0 = Clock::now();
  auto splits = data::read_criteo(path, {.read = {.split = {.mode = data::SplitOptions::Mode::None}}});
  const double encode_s = since(t0);
  j["criteo_encode_rows_per_s"] = static_cast<double>(rows) / encode_s;
  j["criteo_bytes"] = std::filesystem::file_size(path);
  j["criteo_encode_mb_per_s"] = static_cast<double>(std::filesystem::file_size(path)) / 1e6 / encode_s;
  for (bool prefetch : {false, true}) {
    data::BatchIterator it(splits.train, {.batch_size = 1024, .seed = 1, .prefetch = prefetch});
    it.start_epoch(1);
    auto t1 = Clock::now();
    int64_t batches = 0;
    while (it.next()) ++batches;
    j[prefetch ? "batches_per_s_prefetch" : "batches_per_s"] = static_cast<double>(batches) / since(t1);
  }
  {
    // A consumer busy 2 ms per batch: with prefetch the next batch should already be there.
    data::BatchIterator it(splits.train, {.batch_size = 1024, .seed = 1});
    it.start_epoch(2);
    int64_t batches = 0;
    while (batches < 100 && it.next()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ++batches;
    }
    j["consumer_batches"] = batches;
    j["consumer_data_wait_s"] = it.stats().wait_seconds;
    j["consumer_max_wait_ms"] = it.stats().max_wait_seconds * 1e3;
  }
  if (ml.empty()) {
    ml = (dir / "ml").string();
    data::write_synthetic_movielens(ml);
  }
  auto t2 = Clock::now();
  auto m = data::load_movielens100k(ml);
  const double ml_s = since(t2);
  const auto ml_rows = m.train.rows() + m.valid.rows() + m.test.rows();
  j["movielens_samples"] = ml_rows;
  j["movielens_load_samples_per_s"] = static_cast<double>(ml_rows) / ml_s;
  fmt::print("{}\n", j.dump());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tapegrad-data-bench: rows/s of encoding (Criteo format), batches/s of the iterator, data wait of a "
               "busy consumer, MovieLens-100K load speed; one JSON line"};
  int64_t rows = 300000;
  std::string ml;
  app.add_option("rows", rows, "rows of the generated Criteo-format file")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("movielens_dir", ml, "a MovieLens-100K folder (default: a generated one)");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(rows, ml);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tapegrad-data-bench: {}\n", e.what());
    return 1;
  }
}
