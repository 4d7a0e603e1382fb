#pragma once
// For tests that look at files and programs from outside: a whole file as a string, and a
// command's exit status and output.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace tg::testing {

// The file's bytes; "" when it cannot be read (the caller's CHECK then shows what was missing).
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CommandResult {
  int status = -1;  // as pclose() returns it: 0 when the command exited 0
  std::string out;  // what it wrote to stdout (add 2>&1 to the command for stderr too)
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) r.out += buf;
  r.status = pclose(p);
  return r;
}

}  // namespace tg::testing
