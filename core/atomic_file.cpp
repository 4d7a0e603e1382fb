#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"

namespace tg {

namespace {
thread_local long long g_fail_after = -1;  // bytes; -1: no injected failure
}

void inject_write_failure_after(size_t bytes) { g_fail_after = static_cast<long long>(bytes); }

void write_file_atomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd >= 0, "cannot write '{}': {}", tmp, std::strerror(errno));
  const long long fail_after = g_fail_after;
  g_fail_after = -1;
  size_t done = 0;
  while (done < contents.size()) {
    size_t chunk = contents.size() - done;
    if (fail_after >= 0) {
      if (done >= static_cast<size_t>(fail_after)) {
        ::close(fd);
        std::remove(tmp.c_str());
        fail("cannot write '{}': injected failure after {} bytes", tmp, done);
      }
      chunk = std::min(chunk, static_cast<size_t>(fail_after) - done);
    }
    ssize_t n = ::write(fd, contents.data() + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      std::remove(tmp.c_str());
      fail("cannot write '{}': {}", tmp, std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    fail("cannot write '{}': {}", tmp, std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    fail("cannot rename '{}' to '{}': {}", tmp, path, std::strerror(err));
  }
  // The rename is durable only once the directory entry is on disk.
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace tg
