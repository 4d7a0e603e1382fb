#pragma once
// Small text files (metrics summaries, SVG curves, vocabularies) written so that a crash
// never leaves a half-written file under the real name: write "<path>.tmp.<pid>", fsync,
// rename over `path`. Errors name the path and the system error.
#include <string>
#include <string_view>

namespace tg::nn {

void write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace tg::nn
