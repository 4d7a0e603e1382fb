// Seeded, reproducible random numbers. A Generator is (seed, offset): every draw of n
// numbers takes counters [offset, offset + blocks) of the Philox stream and advances the
// offset, so the same seed and the same sequence of calls give the same numbers on every
// run, whatever the thread count. Functions that draw take an optional Generator*; null
// means the default generator (tg::manual_seed sets it).
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  void manual_seed(uint64_t seed) {
    seed_ = seed;
    offset_ = 0;
  }
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  // Reserves `blocks` Philox counters and returns the first.
  uint64_t advance(uint64_t blocks) {
    uint64_t first = offset_;
    offset_ += blocks;
    return first;
  }
  // Scalars for host-side code (shuffles, sampling).
  uint64_t next_u64();
  double next_double();                 // [0, 1)
  int64_t next_below(int64_t n);        // [0, n), unbiased

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
};

Generator& default_generator();
void manual_seed(uint64_t seed);

// Uniform [low, high) and normal(mean, std) tensors (float32 or float64).
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
Tensor uniform(const Shape& shape, double low, double high, TensorOptions options = {}, Generator* gen = nullptr);
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
Tensor normal(const Shape& shape, double mean, double std, TensorOptions options = {}, Generator* gen = nullptr);
// Integers uniform in [low, high), int64 unless asked otherwise.
Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options = {.dtype = DType::Int64},
               Generator* gen = nullptr);
// In-place fills (no autograd), used by initialisers: values drawn as above.
void uniform_(Tensor& t, double low, double high, Generator* gen = nullptr);
void normal_(Tensor& t, double mean, double std, Generator* gen = nullptr);

}  // namespace tg
