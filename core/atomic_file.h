#pragma once
// Small text files (metrics summaries, SVG curves, vocabularies) written so that a crash
// never leaves a half-written file under the real name: write "<path>.tmp.<pid>", fsync,
// rename over `path`. Errors name the path and the system error.
#include <string>
#include <string_view>

namespace tg {

void write_file_atomically(const std::string& path, std::string_view contents);

// For tests: makes the next atomic write fail (as a crash or a full disk would) after
// `bytes` bytes of the temp file are written; the real file must stay as it was.
void inject_write_failure_after(size_t bytes);

}  // namespace tg
