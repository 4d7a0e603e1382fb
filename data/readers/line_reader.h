#pragma once
// LineReader: streams a text file line by line through one reusable buffer (1 MiB chunks,
// memchr for the newline), so a file larger than memory is read in constant memory and no
// std::string is built per line. Lines are returned without their '\n'; a '\r' before it
// (CRLF files) is left for the line parsers, which strip it. The last line may lack a
// newline: terminated() says so, for readers that must tell a complete last line from a
// truncated one.
//
//   LineReader in(path);                  // error "cannot open '<path>': <reason>"
//   std::string_view line;
//   while (in.next(line)) use(in.number(), line);
//
// The view stays valid until the next call to next().
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace tg::data {

class LineReader {
 public:
  explicit LineReader(const std::string& path, size_t chunk_bytes = size_t{1} << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  bool next(std::string_view& line);
  int64_t number() const { return number_; }        // 1-based number of the last line returned
  bool terminated() const { return terminated_; }   // the last line returned ended with '\n'
  const std::string& path() const { return path_; }

 private:
  bool fill();  // reads more bytes after the unconsumed tail; false at the end of the file

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // unconsumed bytes: buf_[begin_, end_)
  bool eof_ = false;
  int64_t number_ = 0;
  bool terminated_ = true;
};

// Counts the lines of a file that are neither empty nor "\r" after the first `skip` lines
// (what the readers count as data rows), at memchr speed.
int64_t count_data_lines(const std::string& path, int64_t skip);

}  // namespace tg::data
