// The README's example must be the file apps/readme_example.cpp, which the build compiles
// and this test runs: the front page never shows code that does not build.
#include <doctest/doctest.h>

#include <string>

#include "tests/test_files.h"

using tg::testing::read_file;

TEST_CASE("readme: the example in README.md is apps/readme_example.cpp, and it runs") {
  std::string readme = read_file(std::string(TAPEGRAD_SOURCE_DIR) + "/README.md");
  std::string example = read_file(std::string(TAPEGRAD_SOURCE_DIR) + "/apps/readme_example.cpp");
  REQUIRE_FALSE(example.empty());
  CHECK(readme.find("```cpp\n" + example + "```") != std::string::npos);
  auto [status, out] = tg::testing::run_command(std::string(TAPEGRAD_BUILD_DIR) + "/apps/tapegrad-readme-example");
  CHECK(status == 0);
  CHECK(out.find("mlp.0.weight") != std::string::npos);  // the summary names the parameters
  auto at = out.find("test AUC ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(out.substr(at + 9)) > 0.65);  // it learned something from the planted data
}
