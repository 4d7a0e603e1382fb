// The model apps' inspection flags, run as a user would: --dot, --trace-step, --grad-stats.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/test_files.h"

using tg::testing::read_file;

TEST_CASE("apps: --dot writes the step's graph, --trace-step prints the tape, --grad-stats logs statistics") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("tapegrad-app-flags-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cmd = std::string(TAPEGRAD_BUILD_DIR) + "/apps/tapegrad-iarm train --max-steps 2 --epochs 1 --quiet" +
                          " --dot " + (dir / "g.dot").string() + " --dot-render none --trace-step 2 --grad-stats 1" +
                          " --out " + (dir / "run").string() + " 2> " + (dir / "err.txt").string() + " > /dev/null";
  CHECK(std::system(cmd.c_str()) == 0);
  const std::string dot = read_file((dir / "g.dot").string());
  CHECK(dot.rfind("digraph", 0) == 0);
  CHECK(dot.find("interact.0.w_query") != std::string::npos);
  const std::string err = read_file((dir / "err.txt").string());
  CHECK(err.find("wrote the graph of step 1") != std::string::npos);
  CHECK(err.find("tape trace of step 2") != std::string::npos);
  CHECK(err.find("gradient statistics at step 2") != std::string::npos);
  const std::string log = read_file((dir / "run" / "metrics.jsonl").string());
  CHECK(log.find("\"grad_stats\"") != std::string::npos);
  CHECK(log.find("\"step\":1") != std::string::npos);
  fs::remove_all(dir);
}
