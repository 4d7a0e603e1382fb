// docs/TUTORIAL.md shows exactly docs/tutorial/tiny_ctr.cpp, which the build compiles and this
// test runs: the tutorial never shows code that does not build or does not do what it says.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/test_files.h"

using tg::testing::read_file;

TEST_CASE("tutorial: TUTORIAL.md shows docs/tutorial/tiny_ctr.cpp, and the program does what the text says") {
  const std::string source = TAPEGRAD_SOURCE_DIR;
  std::string tutorial = read_file(source + "/docs/TUTORIAL.md");
  std::string example = read_file(source + "/docs/tutorial/tiny_ctr.cpp");
  REQUIRE_FALSE(example.empty());
  CHECK(tutorial.find("```cpp\n" + example + "```") != std::string::npos);

  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("tapegrad-tutorial-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cmd = "cd '" + dir.string() + "' && " + TAPEGRAD_BUILD_DIR + "/tests/inspect/tapegrad-tutorial";
  auto [status, out] = tg::testing::run_command(cmd);
  CHECK(status == 0);
  CHECK(fs::exists(dir / "tiny_ctr.dot"));
  CHECK(out.find("graph: ") != std::string::npos);
  CHECK(out.find("step 150: loss ") != std::string::npos);
  CHECK(std::stod(out.substr(out.find("step 150: loss ") + 15)) < 0.3);  // it learned the planted rule
  CHECK(out.find("mlp.0") != std::string::npos);                        // the trace names modules
  CHECK(out.find("logloss") != std::string::npos);
  CHECK(out.find("cube with the bug") != std::string::npos);
  CHECK(out.find("-> FAIL") != std::string::npos);
  CHECK(out.find("cube without the bug") != std::string::npos);
  CHECK(out.find("-> PASS") != std::string::npos);
  fs::remove_all(dir);
}
