// A caching allocator for CPU tensor storage.
//
// A training step allocates the same sizes every time (activations, gradients, optimizer
// temporaries). Freed blocks go to a free list keyed by size class and the next request of
// that class reuses them, so a steady-state step makes no call to the OS allocator.
// Size classes: 4 per power of two (at most 25% slack), 64-byte aligned blocks.
// Under AddressSanitizer the cache is bypassed so that use-after-free is still caught.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tg {

struct AllocatorStats {
  size_t in_use_bytes = 0;     // held by live storages (size-class rounded)
  size_t cached_bytes = 0;     // freed blocks waiting for reuse
  size_t peak_in_use_bytes = 0;
  uint64_t system_allocs = 0;  // calls that went to the OS allocator
  uint64_t cache_hits = 0;     // requests served from the cache
};

class CpuAllocator {
 public:
  static CpuAllocator& instance();

  // Returns a 64-byte aligned block of at least `bytes`; `*block_bytes` receives the
  // size class, which must be passed back to release().
  void* allocate(size_t bytes, size_t* block_bytes);
  void release(void* ptr, size_t block_bytes);

  AllocatorStats stats() const;
  void empty_cache();  // returns every cached block to the OS

  static size_t size_class(size_t bytes);

 private:
  CpuAllocator() = default;
  ~CpuAllocator();
  struct State;
  State& state() const;
};

inline AllocatorStats cpu_allocator_stats() { return CpuAllocator::instance().stats(); }

}  // namespace tg
