// data_core_bench: how fast the data core is, so that a training step never waits on data.
//   1. writes a Criteo-format file (label, 13 integers, 26 8-hex keys, ~10% empty fields);
//   2. reads it with read_criteo (all passes: count, fit, encode) -> rows/s, MB/s;
//   3. iterates batches of 1024 (shuffled) with and without prefetch -> batches/s;
//   4. a consumer that "trains" for a fixed time per batch: the prefetching iterator's wait
//      (data-wait time the Trainer would report).
// Prints one JSON line.   data_core_bench [rows=1000000] [train_ms_per_batch=2]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/rng.h"
#include "data/iterator.h"
#include "data/readers/criteo.h"

using namespace tg;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const double train_ms = argc > 2 ? std::atof(argv[2]) : 2.0;
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("tapegrad-data-core-bench-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "train.txt").string();
  {
    Generator g(1);
    std::ofstream out(path, std::ios::binary);
    std::string line;
    char hex[16];
    for (int64_t r = 0; r < rows; ++r) {
      line.clear();
      line += static_cast<char>('0' + g.next_below(2));
      for (int i = 0; i < 13; ++i) {
        line += '\t';
        if (g.next_below(10) != 0) line += std::to_string(g.next_below(1000) - 2);
      }
      for (int i = 0; i < 26; ++i) {
        line += '\t';
        if (g.next_below(10) == 0) continue;
        auto n = fmt::format_to_n(hex, sizeof hex, "{:08x}", g.next_below(int64_t{1} << (6 + i % 14)));
        line.append(hex, n.size);
      }
      line += '\n';
      out << line;
    }
  }
  nlohmann::json j = {{"rows", rows}, {"bytes", std::filesystem::file_size(path)}};
  auto t0 = Clock::now();
  auto splits = data::read_criteo(path);  // 80/10/10 ratio split: count, fit, encode passes
  const double encode_s = since(t0);
  j["criteo_read_rows_per_s"] = static_cast<double>(rows) / encode_s;
  j["criteo_read_mb_per_s"] = static_cast<double>(std::filesystem::file_size(path)) / 1e6 / encode_s;
  j["train_rows"] = splits.train.rows();
  for (bool prefetch : {false, true}) {
    data::BatchIterator it(splits.train, {.batch_size = 1024, .seed = 1, .prefetch = prefetch});
    auto t1 = Clock::now();
    int64_t batches = 0;
    for (const data::Batch& b : it.epoch(1)) batches += b.size > 0;
    j[prefetch ? "iterator_batches_per_s_prefetch" : "iterator_batches_per_s"] =
        static_cast<double>(batches) / since(t1);
  }
  {
    // A consumer busy for train_ms per batch: with prefetch, the data should be ready.
    data::BatchIterator it(splits.train, {.batch_size = 1024, .seed = 1});
    int64_t batches = 0;
    auto t2 = Clock::now();
    for (const data::Batch& b : it.epoch(2)) {
      (void)b;
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(train_ms * 1000)));
      if (++batches == 200) break;
    }
    j["consumer_ms_per_batch"] = train_ms;
    j["consumer_batches"] = batches;
    j["consumer_wall_s"] = since(t2);
    j["consumer_data_wait_s"] = it.stats().wait_seconds;
    j["consumer_max_wait_ms"] = it.stats().max_wait_seconds * 1e3;
  }
  std::filesystem::remove_all(dir);
  fmt::print("{}\n", j.dump());
}
