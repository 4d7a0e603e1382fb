#pragma once
// AtomicFileWriter: streams a file so that the real name only ever holds a complete file.
//
//   bytes go to "<path>.tmp.<pid>" in the same directory (same file system, so the rename
//   is atomic); commit() fsyncs the temp file, renames it over `path` and fsyncs the
//   directory so the new name survives a power cut. Any failure before the rename, an
//   exception thrown by the caller while it is still writing, or destruction without
//   commit() removes the temp file; the old file under `path` is never touched.
//
// Unlike core/atomic_file.h (small text files held in one string) this streams: a
// checkpoint is written tensor by tensor without first assembling the whole file in memory.
// Small writes are gathered in a 1 MiB buffer; large ones go straight to write(2).
#include <cstddef>
#include <string>
#include <vector>

namespace tg::nn {

class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();  // without commit(): closes and removes the temp file
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t bytes);
  // Flushes, fsyncs, renames over the real name, fsyncs the directory. After an error the
  // temp file is gone and the old file is as it was.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }
  size_t bytes_written() const { return written_ + buffer_.size(); }

 private:
  void flush();
  void write_fd(const char* data, size_t bytes);
  [[noreturn]] void abort_with(const std::string& message);

  std::string path_;
  std::string temp_;
  int fd_ = -1;
  size_t written_ = 0;  // bytes handed to write(2)
  long long fail_after_ = -1;  // injected failure (tests); -1: none
  std::vector<char> buffer_;
  bool finished_ = false;  // committed, or aborted and cleaned up
};

// For tests: the next AtomicFileWriter created on this thread fails (as a full disk or a
// crash would) once `bytes` bytes have reached its temp file. One-shot.
void inject_atomic_write_failure_after(size_t bytes);

}  // namespace tg::nn
