#pragma once
// Helpers of the MovieLens / Taobao reader tests: a temporary folder that removes itself,
// files written byte for byte, and the shared real-data folder.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace tg::testing {

class TempDir {
 public:
  explicit TempDir(const char* tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() / fmt::format("tapegrad-{}-{}-{}", tag, ::getpid(), counter++);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `bytes` exactly (binary: no newline translation).
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream out(file(name), std::ios::binary | std::ios::trunc);
    out << bytes;
  }

 private:
  std::filesystem::path path_;
};

// ../shared/data/<name>: TAPEGRAD_SHARED_DIR when set, else beside the source tree.
inline std::string shared_data(const std::string& name) {
  const char* env = std::getenv("TAPEGRAD_SHARED_DIR");
  const std::string root = env ? std::string(env) : std::string(TAPEGRAD_SOURCE_DIR) + "/../shared";
  return root + "/data/" + name;
}

}  // namespace tg::testing
