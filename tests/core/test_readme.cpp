// The README's example must be the file apps/readme_example.cpp, which the build compiles
// and this test runs: the front page never shows code that does not build.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("readme: the example in README.md is apps/readme_example.cpp, and it runs") {
  std::string readme = slurp(std::string(TAPEGRAD_SOURCE_DIR) + "/README.md");
  std::string example = slurp(std::string(TAPEGRAD_SOURCE_DIR) + "/apps/readme_example.cpp");
  REQUIRE_FALSE(example.empty());
  CHECK(readme.find("```cpp\n" + example + "```") != std::string::npos);
  std::string cmd = std::string(TAPEGRAD_BUILD_DIR) + "/apps/tapegrad-readme-example";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  CHECK(pclose(p) == 0);
  CHECK(out.find("mlp.0.weight") != std::string::npos);  // the summary names the parameters
  auto at = out.find("test AUC ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(out.substr(at + 9)) > 0.65);  // it learned something from the planted data
}
