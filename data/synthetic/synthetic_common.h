#pragma once
// Internals shared by the synthetic generators (not installed): counter-based random streams,
// Walker alias sampling, centred interaction tables, text appenders without allocation per
// value, and files written in ordered chunks generated in parallel.
//
// Reproducibility: every random number comes from a Philox stream keyed by (seed, stream id)
// (core/philox.h). A generator draws its hidden world (users, items, tables) from stream 0
// and the rows of chunk c (or the events of user u) from their own stream, so the bytes
// written depend only on the seed and the options, never on the thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/philox.h"
#include "data/synthetic/synthetic.h"

namespace tg::data::synth {

// Stream ids: 0 for the world, then disjoint ranges for chunks and users.
inline constexpr uint64_t kWorldStream = 0;
inline constexpr uint64_t kChunkStream = uint64_t{1} << 40;
inline constexpr uint64_t kUserStream = uint64_t{2} << 40;
inline constexpr uint64_t kExtraStream = uint64_t{3} << 40;

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {}
  uint32_t u32() {
    if (used_ == 4) {
      block_ = philox::generate(seed_, counter_++, stream_);
      used_ = 0;
    }
    return block_.v[used_++];
  }
  uint64_t u64() {
    const uint64_t hi = u32();
    return hi << 32 | u32();
  }
  double uniform() { return static_cast<double>(u64() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool coin(double p) { return uniform() < p; }
  // Uniform in [0, n), unbiased (the uneven tail of the 64-bit range is rejected).
  int64_t below(int64_t n) {
    const uint64_t bound = static_cast<uint64_t>(n), limit = UINT64_MAX - UINT64_MAX % bound;
    for (;;)
      if (const uint64_t x = u64(); x < limit) return static_cast<int64_t>(x % bound);
  }
  // Standard normal (Box-Muller: one pair of uniforms gives two values, the second kept for
  // the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(1.0 - uniform())), angle = 6.283185307179586 * uniform();
    spare_ = r * std::sin(angle);
    has_spare_ = true;
    return r * std::cos(angle);
  }

 private:
  uint64_t seed_, stream_;
  uint64_t counter_ = 0;
  philox::Block block_{};
  int used_ = 4;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Walker's alias method: O(1) draws from fixed weights (one 53-bit uniform per draw).
class Alias {
 public:
  Alias() = default;
  explicit Alias(std::span<const double> weights);
  int64_t sample(Rng& rng) const {
    const double u = rng.uniform() * static_cast<double>(prob_.size());
    const size_t i = static_cast<size_t>(u);
    return u - static_cast<double>(i) < prob_[i] ? static_cast<int64_t>(i) : alias_[i];
  }
  int64_t size() const { return static_cast<int64_t>(prob_.size()); }

 private:
  std::vector<double> prob_;
  std::vector<int32_t> alias_;
};

// w[v] = 1 / (v + 1)^s, v = 0..n-1 (unnormalised).
std::vector<double> zipf_weights(int64_t n, double s);
// The weights normalised to sum 1.
std::vector<double> normalized(std::span<const double> weights);
// Rows per user, summing to `rows`: user u gets floor(rows * s_u / sum s) with s_u = base +
// uniform (drawn in user order), and the remainder goes one row each from user 0 on.
std::vector<int32_t> rows_per_user(Rng& rng, int64_t rows, int64_t users, double base);

// Subtracts the mean of v under the distribution of the weights: a main-effect table that
// shifts no base rate, so the generator's bias alone sets the positive rate for any seed.
void center(std::vector<double>& v, std::span<const double> weights);
// Values t[v] ~ N(0, 1), then shifted and scaled so that under the distribution p (the
// normalised weights) E[t] = 0 and E[t^2] = 1. A product of such factors over independent
// fields has no main effect and no lower-order interaction: E[t_a t_b t_c | any two] = 0.
// Redrawn (up to 64 times) while some |t[v]| > 2.5, so that a rare value gets no extreme
// factor (a very skewed binary field still forces one).
std::vector<double> centered_factor(Rng& rng, std::span<const double> weights);
// W[a * nb + b] ~ N(0, 1), double-centred under p_a x p_b (E[W | a] = E[W | b] = 0) and
// scaled to E[W^2] = 1: a pure pairwise interaction that no sum of per-field terms fits.
std::vector<double> centered_pair(Rng& rng, std::span<const double> weights_a, std::span<const double> weights_b);

inline double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }
inline double dot(const double* a, const double* b, int k) {
  double s = 0;
  for (int j = 0; j < k; ++j) s += a[j] * b[j];
  return s;
}
// 2 * (index of the largest |x_j|) + (that x_j < 0): which of 2k "tastes" dominates x.
int taste_of(const double* x, int k);

// A bijection of 32-bit integers (murmur3's finaliser): distinct keys give distinct ids.
inline uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}
// The 8-hex-digit token of value v (< 2^26) of field f (< 64) under a seed: distinct
// (f, v) pairs give distinct tokens, as the real data's hashed categoricals.
inline uint32_t hash_token(uint64_t seed, int f, int64_t v) {
  const uint32_t salt = static_cast<uint32_t>(seed * 0x9E3779B97F4A7C15ull >> 32);
  return mix32((static_cast<uint32_t>(v) << 6 | static_cast<uint32_t>(f)) ^ salt);
}

void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);
void append_hex8(std::string& out, uint32_t v);
void append_fixed(std::string& out, double v, int decimals);

// A file written under "<path>.tmp.<pid>" and renamed to `path` by commit(), so a failure
// never leaves a half-written file under the real name. Errors name the path.
class FileSink {
 public:
  explicit FileSink(std::string path);
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  void write(std::string_view text);
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
};

// Rows [0, rows) in chunks of `chunk` rows: make(c, begin, end, text) appends the text of
// chunk c to `text` (cleared before). Chunks run in parallel in waves of a few per thread
// and are written in order, so memory stays bounded and the bytes do not depend on threads.
template <class Make>
void write_chunks(FileSink& sink, int64_t rows, int64_t chunk, Make&& make);
void parallel_chunks(int64_t chunks, void* context, void (*run)(void* context, int64_t c));

template <class Make>
void write_chunks(FileSink& sink, int64_t rows, int64_t chunk, Make&& make) {
  const int64_t chunks = (rows + chunk - 1) / chunk;
  const int64_t wave = 32;
  std::vector<std::string> texts(static_cast<size_t>(std::min(chunks, wave)));
  for (int64_t first = 0; first < chunks; first += wave) {
    const int64_t count = std::min(wave, chunks - first);
    struct Ctx {
      Make* make;
      std::vector<std::string>* texts;
      int64_t first, rows, chunk;
    } ctx{&make, &texts, first, rows, chunk};
    parallel_chunks(count, &ctx, [](void* p, int64_t i) {
      auto& c = *static_cast<Ctx*>(p);
      const int64_t id = c.first + i, begin = id * c.chunk, end = std::min(c.rows, begin + c.chunk);
      std::string& text = (*c.texts)[static_cast<size_t>(i)];
      text.clear();
      (*c.make)(id, begin, end, text);
    });
    for (int64_t i = 0; i < count; ++i) sink.write(texts[static_cast<size_t>(i)]);
  }
}

// The per-row teacher output every generator collects: written as teacher.tsv and
// summarised in the SyntheticReport.
struct TeacherRows {
  std::vector<float> probability;
  std::vector<int8_t> label;  // 1, 0, or -1 for a row that is not a sample (a MovieLens 3)
};
// Writes dir/teacher.tsv ("row\tprobability\tlabel", label "-" when -1) when asked and fills
// the report's rows, positive rate and teacher AUC.
void finish_report(const std::string& dir, const SyntheticOptions& options, const TeacherRows& teacher,
                   SyntheticReport& report);

// A whole file through a FileSink, its path appended to report.files.
void write_small_file(const std::string& path, std::string_view contents, SyntheticReport& report);

// Checks common to every generator (counts positive, the directory creatable).
void prepare(const std::string& dir, const SyntheticOptions& options, const char* what);

}  // namespace tg::data::synth
