#include "data/synthetic/synthetic_common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"
#include "data/metrics/metrics.h"

namespace tg::data::synth {

Alias::Alias(std::span<const double> weights) {
  const size_t n = weights.size();
  check(n > 0 && n < (size_t{1} << 31), "synthetic: alias table of {} weights", n);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  check(total > 0 && std::isfinite(total), "synthetic: alias weights sum to {}", total);
  prob_.resize(n);
  alias_.assign(n, 0);
  std::vector<double> scaled(n);
  std::vector<int32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<int32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const int32_t s = small.back(), l = large.back();
    small.pop_back();
    prob_[static_cast<size_t>(s)] = scaled[static_cast<size_t>(s)];
    alias_[static_cast<size_t>(s)] = l;
    scaled[static_cast<size_t>(l)] -= 1.0 - scaled[static_cast<size_t>(s)];
    if (scaled[static_cast<size_t>(l)] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (int32_t i : small) prob_[static_cast<size_t>(i)] = 1.0, alias_[static_cast<size_t>(i)] = i;
  for (int32_t i : large) prob_[static_cast<size_t>(i)] = 1.0, alias_[static_cast<size_t>(i)] = i;
}

std::vector<double> zipf_weights(int64_t n, double s) {
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v) w[static_cast<size_t>(v)] = std::pow(static_cast<double>(v + 1), -s);
  return w;
}

std::vector<int32_t> rows_per_user(Rng& rng, int64_t rows, int64_t users, double base) {
  std::vector<double> share(static_cast<size_t>(users));
  for (double& s : share) s = base + rng.uniform();
  const double total = std::accumulate(share.begin(), share.end(), 0.0);
  std::vector<int32_t> count(static_cast<size_t>(users));
  int64_t assigned = 0;
  for (size_t u = 0; u < count.size(); ++u) {
    count[u] = static_cast<int32_t>(std::floor(static_cast<double>(rows) * share[u] / total));
    assigned += count[u];
  }
  for (int64_t u = 0; assigned < rows; u = (u + 1) % users, ++assigned) ++count[static_cast<size_t>(u)];
  return count;
}

std::vector<double> normalized(std::span<const double> weights) {
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> p(weights.begin(), weights.end());
  for (double& x : p) x /= total;
  return p;
}

void center(std::vector<double>& v, std::span<const double> weights) {
  const std::vector<double> p = normalized(weights);
  double mean = 0;
  for (size_t i = 0; i < v.size(); ++i) mean += p[i] * v[i];
  for (double& x : v) x -= mean;
}

std::vector<double> centered_factor(Rng& rng, std::span<const double> weights) {
  // Redrawn (up to 64 times) while some |t[v]| > 2.5, so that a rare value does not get an
  // extreme factor; the least extreme draw is kept when none qualifies (a very skewed
  // binary field forces a large value on its rare side).
  const std::vector<double> p = normalized(weights);
  std::vector<double> best, t(p.size());
  double best_max = INFINITY;
  for (int attempt = 0; attempt < 64 && best_max > 2.5; ++attempt) {
    for (double& x : t) x = rng.normal();
    double mean = 0, var = 0;
    for (size_t v = 0; v < t.size(); ++v) mean += p[v] * t[v];
    for (size_t v = 0; v < t.size(); ++v) var += p[v] * (t[v] - mean) * (t[v] - mean);
    const double scale = var > 0 ? 1.0 / std::sqrt(var) : 0.0;
    double largest = 0;
    for (double& x : t) x = (x - mean) * scale, largest = std::max(largest, std::abs(x));
    if (largest < best_max) best_max = largest, best = t;
  }
  return best;
}

std::vector<double> centered_pair(Rng& rng, std::span<const double> weights_a, std::span<const double> weights_b) {
  const std::vector<double> pa = normalized(weights_a), pb = normalized(weights_b);
  const size_t na = pa.size(), nb = pb.size();
  std::vector<double> w(na * nb);
  for (double& x : w) x = rng.normal();
  std::vector<double> row(na, 0), col(nb, 0);
  double all = 0;
  for (size_t a = 0; a < na; ++a)
    for (size_t b = 0; b < nb; ++b) row[a] += pb[b] * w[a * nb + b], col[b] += pa[a] * w[a * nb + b];
  for (size_t a = 0; a < na; ++a) all += pa[a] * row[a];
  double var = 0;
  for (size_t a = 0; a < na; ++a)
    for (size_t b = 0; b < nb; ++b) {
      double& x = w[a * nb + b];
      x = x - row[a] - col[b] + all;
      var += pa[a] * pb[b] * x * x;
    }
  const double scale = var > 0 ? 1.0 / std::sqrt(var) : 0.0;
  for (double& x : w) x *= scale;
  return w;
}

int taste_of(const double* x, int k) {
  int best = 0;
  for (int j = 1; j < k; ++j)
    if (std::abs(x[j]) > std::abs(x[best])) best = j;
  return 2 * best + (x[best] < 0 ? 1 : 0);
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_hex8(std::string& out, uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char buf[8];
  for (int i = 7; i >= 0; --i, v >>= 4) buf[i] = kDigits[v & 15];
  out.append(buf, 8);
}

void append_fixed(std::string& out, double v, int decimals) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  out.append(buf, r.ptr);
}

FileSink::FileSink(std::string path) : path_(std::move(path)) {
  tmp_ = fmt::format("{}.tmp.{}", path_, ::getpid());
  file_ = std::fopen(tmp_.c_str(), "wb");
  check(file_ != nullptr, "synthetic: cannot write '{}': {}", tmp_, std::strerror(errno));
}

FileSink::~FileSink() {
  if (file_) {
    std::fclose(file_);
    std::remove(tmp_.c_str());
  }
}

void FileSink::write(std::string_view text) {
  if (text.empty()) return;
  check(std::fwrite(text.data(), 1, text.size(), file_) == text.size(), "synthetic: writing '{}' failed: {}", tmp_,
        std::strerror(errno));
}

void FileSink::commit() {
  // No fsync: the rename already keeps a half-written file from the real name, and synthetic
  // data is cheap to write again after a power loss.
  const bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  const int err = errno;
  std::fclose(file_);
  file_ = nullptr;
  if (!ok) {
    std::remove(tmp_.c_str());
    fail("synthetic: writing '{}' failed: {}", tmp_, std::strerror(err));
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int rename_err = errno;
    std::remove(tmp_.c_str());
    fail("synthetic: cannot rename '{}' to '{}': {}", tmp_, path_, std::strerror(rename_err));
  }
}

void parallel_chunks(int64_t chunks, void* context, void (*run)(void* context, int64_t c)) {
  parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) run(context, c);
  });
}

void finish_report(const std::string& dir, const SyntheticOptions& options, const TeacherRows& teacher,
                   SyntheticReport& report) {
  const size_t n = teacher.probability.size();
  report.rows = static_cast<int64_t>(n);
  std::vector<float> scores, labels;
  scores.reserve(n), labels.reserve(n);
  for (size_t r = 0; r < n; ++r)
    if (teacher.label[r] >= 0) scores.push_back(teacher.probability[r]), labels.push_back(teacher.label[r]);
  report.positive_rate = labels.empty() ? 0.0
                                        : std::accumulate(labels.begin(), labels.end(), 0.0) /
                                              static_cast<double>(labels.size());
  report.teacher_auc = labels.empty() ? std::nan("") : auc(scores, labels);
  if (!options.teacher_file) return;
  FileSink sink(dir + "/teacher.tsv");
  sink.write("row\tprobability\tlabel\n");
  std::string text;
  for (size_t r = 0; r < n; ++r) {
    append_int(text, static_cast<int64_t>(r));
    text += '\t';
    append_fixed(text, teacher.probability[r], 6);
    text += '\t';
    if (teacher.label[r] < 0)
      text += '-';
    else
      text += static_cast<char>('0' + teacher.label[r]);
    text += '\n';
    if (text.size() > (size_t{1} << 20)) sink.write(text), text.clear();
  }
  sink.write(text);
  sink.commit();
  report.files.push_back(sink.path());
}

void write_small_file(const std::string& path, std::string_view contents, SyntheticReport& report) {
  FileSink sink(path);
  sink.write(contents);
  sink.commit();
  report.files.push_back(path);
}

void prepare(const std::string& dir, const SyntheticOptions& options, const char* what) {
  check(options.rows >= 0 && options.users >= 0 && options.items >= 0,
        "{}: rows, users and items must be >= 0 (0 = the default), got {}, {}, {}", what, options.rows, options.users,
        options.items);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  check(!ec, "{}: cannot create the directory '{}': {}", what, dir, ec.message());
}

}  // namespace tg::data::synth
