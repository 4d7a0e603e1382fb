#pragma once
// Small pieces shared by the MovieLens and Taobao readers and their line parsers.
//
// BadLines is the one policy for malformed lines: by default the first one stops reading
// with tg::Error "<file>:<line>: <what the parser said>" (the parser names the field); with
// skip = true it is skipped and counted, and the first few messages are kept so the caller
// can report them at the end.
// for_each_data_line streams a file through data/readers/line_reader.h (one reusable
// buffer, no std::string per line), strips a trailing '\r' (CRLF copies), skips blank
// lines, and routes parser errors through BadLines. A last line without '\n' is a line
// like any other: a truncated one fails its parser's column count or number check.
// parse_field_int / parse_field_double are the strict number parsers of the line parsers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "data/readers/line_reader.h"

namespace tg::data {

struct BadLines {
  bool skip = false;
  int64_t skipped = 0;
  std::vector<std::string> examples = {};  // the first kMaxExamples messages
  static constexpr size_t kMaxExamples = 5;

  // Rethrows e as "<path>:<line>: <e.what()>", or (skip) counts it.
  void handle(const std::string& path, int64_t line, const Error& e);
};

// Calls f(line_number, line) for every non-blank line after `header_lines` lines, catching
// tg::Error from f into `bad`. A missing/unreadable file, an empty file, or one without a
// data line is an error even when skipping (there is nothing to skip). Returns the number
// of data lines seen (bad ones included).
template <class F>
int64_t for_each_data_line(const std::string& path, int64_t header_lines, BadLines& bad, F&& f) {
  LineReader in(path);
  std::string_view line;
  int64_t data_lines = 0;
  while (in.next(line)) {
    if (in.number() <= header_lines) continue;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ++data_lines;
    try {
      f(in.number(), line);
    } catch (const Error& e) {
      bad.handle(path, in.number(), e);
    }
  }
  check(in.number() > 0, "{}: empty file", path);
  check(data_lines > 0, "{}: no data lines", path);
  return data_lines;
}

// The first line of a file without its '\r' (a header), or an error naming an empty file.
std::string first_line(const std::string& path);

// Splits on one delimiter character / string into `out` (cleared first; no quoting).
void split_on(std::string_view line, char delimiter, std::vector<std::string_view>& out);
void split_on(std::string_view line, std::string_view delimiter, std::vector<std::string_view>& out);

// Strict integer parse: the whole text, base 10, no spaces; throws "field '<field>':
// expected an integer, got '<text>'" or "field '<field>': <v> is out of range [lo, hi]".
int64_t parse_field_int(std::string_view text, std::string_view field, int64_t lo, int64_t hi);
// Strict finite decimal number; throws "field '<field>': expected a number, got '<text>'".
double parse_field_double(std::string_view text, std::string_view field);
// Field text as shown in a message: at most 40 bytes, so a garbage megabyte line does not
// become a megabyte error.
std::string shown(std::string_view text);

}  // namespace tg::data
