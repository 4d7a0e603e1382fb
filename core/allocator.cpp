#include "core/allocator.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/error.h"

#if defined(__SANITIZE_ADDRESS__)
#define TG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TG_ASAN 1
#endif
#endif

namespace tg {

namespace {
constexpr size_t kAlignment = 64;
constexpr size_t kMinBlock = 256;
// Blocks from 2 MiB up are aligned to 2 MiB and marked for transparent huge pages: a fresh
// block is then touched in 2 MiB pages instead of 4 KiB ones, 512x fewer page faults on the
// first training step (where a virtual machine makes each fault expensive).
constexpr size_t kHugePage = size_t{2} << 20;

void* system_alloc(size_t cls) {
  if (cls < kHugePage) return std::aligned_alloc(kAlignment, cls);
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, cls) != 0) return nullptr;
  madvise(p, cls / kHugePage * kHugePage, MADV_HUGEPAGE);  // advice only: failure is harmless
  return p;
}
#ifdef TG_ASAN
constexpr bool kCacheEnabled = false;
#else
constexpr bool kCacheEnabled = true;
#endif
}  // namespace

struct CpuAllocator::State {
  mutable std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;
  AllocatorStats stats;
};

CpuAllocator& CpuAllocator::instance() {
  // Leaked on purpose: storages may be released by static destructors after main().
  static CpuAllocator* allocator = new CpuAllocator();
  return *allocator;
}

CpuAllocator::State& CpuAllocator::state() const {
  static State* s = new State();
  return *s;
}

CpuAllocator::~CpuAllocator() { empty_cache(); }

size_t CpuAllocator::size_class(size_t bytes) {
  if (bytes <= kMinBlock) return kMinBlock;
  // Four classes per power of two: 2^k, 1.25*2^k, 1.5*2^k, 1.75*2^k.
  size_t top = size_t{1} << (63 - __builtin_clzll(bytes));
  size_t quarter = top / 4;
  size_t cls = (bytes + quarter - 1) / quarter * quarter;
  return (cls + kAlignment - 1) / kAlignment * kAlignment;
}

void* CpuAllocator::allocate(size_t bytes, size_t* block_bytes) {
  size_t cls = size_class(bytes);
  *block_bytes = cls;
  State& s = state();
  if (kCacheEnabled) {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.free_blocks.find(cls);
    if (it != s.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      s.stats.cached_bytes -= cls;
      s.stats.in_use_bytes += cls;
      s.stats.peak_in_use_bytes = std::max(s.stats.peak_in_use_bytes, s.stats.in_use_bytes);
      ++s.stats.cache_hits;
      return p;
    }
  }
  void* p = system_alloc(cls);
  if (p == nullptr) {
    empty_cache();  // give the cache back and try once more before failing
    p = system_alloc(cls);
  }
  check(p != nullptr, "cpu allocator: out of memory allocating {} bytes", cls);
  std::lock_guard<std::mutex> lock(s.mutex);
  s.stats.in_use_bytes += cls;
  s.stats.peak_in_use_bytes = std::max(s.stats.peak_in_use_bytes, s.stats.in_use_bytes);
  ++s.stats.system_allocs;
  return p;
}

void CpuAllocator::release(void* ptr, size_t block_bytes) {
  if (ptr == nullptr) return;
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.stats.in_use_bytes -= block_bytes;
  if (kCacheEnabled) {
    s.free_blocks[block_bytes].push_back(ptr);
    s.stats.cached_bytes += block_bytes;
  } else {
    std::free(ptr);
  }
}

AllocatorStats CpuAllocator::stats() const {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.stats;
}

void CpuAllocator::empty_cache() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (auto& [cls, blocks] : s.free_blocks)
    for (void* p : blocks) std::free(p);
  s.free_blocks.clear();
  s.stats.cached_bytes = 0;
}

}  // namespace tg
