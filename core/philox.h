// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11):
// a counter-based generator. The i-th random number depends only on (seed, counter),
// so any element of a random tensor can be computed independently — by any CPU thread or
// by a CUDA thread — and the same seed gives the same numbers on every device and run.
// Functions are host/device so the CUDA backend calls the same code.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define TG_HD __host__ __device__
#else
#define TG_HD
#endif

namespace tg::philox {

struct Block {
  uint32_t v[4];
};

TG_HD inline uint32_t mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  return static_cast<uint32_t>(p);
}

// Ten rounds of Philox4x32 on counter `ctr` (128 bits) with key `seed` (64 bits).
TG_HD inline Block generate(uint64_t seed, uint64_t ctr_lo, uint64_t ctr_hi = 0) {
  uint32_t c0 = static_cast<uint32_t>(ctr_lo), c1 = static_cast<uint32_t>(ctr_lo >> 32);
  uint32_t c2 = static_cast<uint32_t>(ctr_hi), c3 = static_cast<uint32_t>(ctr_hi >> 32);
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    uint32_t lo0 = mulhilo(0xD2511F53u, c0, &hi0);
    uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, &hi1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Block{{c0, c1, c2, c3}};
}

// Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
TG_HD inline float to_unit_float(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
TG_HD inline double to_unit_double(uint32_t hi, uint32_t lo) {
  uint64_t bits = (static_cast<uint64_t>(hi) << 32 | lo) >> 11;
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}

// Element i of a uniform float stream (4 per block).
TG_HD inline float uniform_float(uint64_t seed, uint64_t offset, uint64_t i) {
  Block b = generate(seed, offset + i / 4);
  return to_unit_float(b.v[i % 4]);
}
// Element i of a uniform double stream (2 per block).
TG_HD inline double uniform_double(uint64_t seed, uint64_t offset, uint64_t i) {
  Block b = generate(seed, offset + i / 2);
  int k = static_cast<int>(i % 2) * 2;
  return to_unit_double(b.v[k], b.v[k + 1]);
}
// Element i of a standard normal stream (Box-Muller; one block gives 2 double normals).
TG_HD inline double normal_double(uint64_t seed, uint64_t offset, uint64_t i) {
  Block b = generate(seed, offset + i / 2);
  double u1 = to_unit_double(b.v[0], b.v[1]);
  double u2 = to_unit_double(b.v[2], b.v[3]);
  double r = std::sqrt(-2.0 * std::log(1.0 - u1));  // 1-u1 in (0,1]: log is finite
  double theta = 6.283185307179586 * u2;
  return (i % 2 == 0) ? r * std::cos(theta) : r * std::sin(theta);
}

}  // namespace tg::philox
