#include "nn/io/atomic_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.h"

namespace tg::nn {

namespace {
constexpr size_t kBufferBytes = size_t{1} << 20;
thread_local long long g_fail_after = -1;  // bytes; -1: no injected failure

std::string errno_text(int err) { return std::strerror(err); }
}  // namespace

void inject_atomic_write_failure_after(size_t bytes) { g_fail_after = static_cast<long long>(bytes); }

AtomicFileWriter::AtomicFileWriter(std::string path)
    : path_(std::move(path)), temp_(path_ + ".tmp." + std::to_string(::getpid())) {
  check(!path_.empty(), "AtomicFileWriter: empty path");
  fail_after_ = g_fail_after;
  g_fail_after = -1;
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd_ >= 0, "cannot write '{}': cannot create '{}': {}", path_, temp_, errno_text(errno));
  buffer_.reserve(kBufferBytes);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) std::remove(temp_.c_str());
}

void AtomicFileWriter::abort_with(const std::string& message) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::remove(temp_.c_str());
  finished_ = true;  // the temp file is gone: nothing left for the destructor
  throw Error(message);
}

void AtomicFileWriter::write(const void* data, size_t bytes) {
  check(fd_ >= 0 && !finished_, "cannot write '{}': the writer is already closed", path_);
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + bytes <= kBufferBytes) {
    buffer_.insert(buffer_.end(), p, p + bytes);
    return;
  }
  flush();
  if (bytes < kBufferBytes) {
    buffer_.insert(buffer_.end(), p, p + bytes);
  } else {
    write_fd(p, bytes);
  }
}

void AtomicFileWriter::flush() {
  if (buffer_.empty()) return;
  write_fd(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void AtomicFileWriter::write_fd(const char* data, size_t bytes) {
  size_t done = 0;
  while (done < bytes) {
    size_t chunk = bytes - done;
    if (fail_after_ >= 0) {
      const auto limit = static_cast<size_t>(fail_after_);
      if (written_ >= limit)
        abort_with(fmt::format("cannot write '{}': injected failure after {} bytes of '{}'", path_, written_, temp_));
      chunk = std::min(chunk, limit - written_);
    }
    const ssize_t n = ::write(fd_, data + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      abort_with(fmt::format("cannot write '{}': writing '{}' failed after {} bytes: {}", path_, temp_, written_,
                             errno_text(err)));
    }
    done += static_cast<size_t>(n);
    written_ += static_cast<size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  check(fd_ >= 0 && !finished_, "cannot write '{}': the writer is already closed", path_);
  flush();
  if (::fsync(fd_) != 0)
    abort_with(fmt::format("cannot write '{}': fsync of '{}': {}", path_, temp_, errno_text(errno)));
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) abort_with(fmt::format("cannot write '{}': close of '{}': {}", path_, temp_, errno_text(errno)));
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    abort_with(fmt::format("cannot write '{}': rename from '{}': {}", path_, temp_, errno_text(errno)));
  finished_ = true;
  // The rename is durable only once the directory entry is on disk. The file itself is
  // complete either way, so a directory that cannot be opened (no read permission) is not
  // an error.
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace tg::nn
