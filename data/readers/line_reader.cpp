#include "data/readers/line_reader.h"

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace tg::data {

LineReader::LineReader(const std::string& path, size_t chunk_bytes) : path_(path), buf_(chunk_bytes) {
  check(chunk_bytes > 0, "LineReader: chunk size must be positive");
  file_ = std::fopen(path.c_str(), "rb");
  check(file_ != nullptr, "cannot open '{}': {}", path, std::strerror(errno));
}

LineReader::~LineReader() {
  if (file_) std::fclose(file_);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Keep the unconsumed tail at the front; grow only when one line fills the whole buffer.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
  check(!std::ferror(file_), "error reading '{}': {}", path_, std::strerror(errno));
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  size_t scanned = begin_;  // bytes already searched for '\n'
  while (true) {
    const void* nl = std::memchr(buf_.data() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      const auto at = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      line = std::string_view(buf_.data() + begin_, at - begin_);
      begin_ = at + 1;
      ++number_;
      terminated_ = true;
      return true;
    }
    const size_t searched = end_ - begin_;
    if (!fill()) break;
    scanned = begin_ + searched;  // fill() moved the tail to the front
  }
  if (begin_ == end_) return false;
  line = std::string_view(buf_.data() + begin_, end_ - begin_);  // a last line without '\n'
  begin_ = end_;
  ++number_;
  terminated_ = false;
  return true;
}

int64_t count_data_lines(const std::string& path, int64_t skip) {
  LineReader in(path);
  std::string_view line;
  int64_t n = 0;
  while (in.next(line))
    if (in.number() > skip && !line.empty() && line != "\r") ++n;
  return n;
}

}  // namespace tg::data
