// The caching device allocator: the CPU allocator's scheme (core/allocator.h) per GPU.
//
// cudaMalloc and cudaFree are slow and cudaFree synchronises the whole device, so freed
// blocks are kept in per-size-class free lists and handed out again: a training step
// allocates the same sizes every time, so from the second step on it calls cudaMalloc zero
// times (AllocatorStats::system_allocs stops growing). Reuse needs no event: every kernel
// of a device runs on the device's one stream, so work that used a block before it was
// freed is queued before any work of its next owner.
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/cuda/check.h"
#include "core/cuda/runtime.h"

namespace tg::cuda {

namespace {

struct Pool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;
  AllocatorStats stats;
};

Pool& pool(int device) {
  static std::mutex mutex;
  static auto* pools = new std::vector<Pool*>();  // leaked: storages may die in static dtors
  std::lock_guard<std::mutex> lock(mutex);
  if (pools->empty()) {
    for (int d = 0; d < device_count(); ++d) pools->push_back(new Pool());
  }
  check(device >= 0 && device < static_cast<int>(pools->size()), "cuda allocator: no device cuda:{}", device);
  return *(*pools)[static_cast<size_t>(device)];
}

void free_cached(int device, Pool& p) {  // caller holds p.mutex
  if (p.free_blocks.empty()) return;
  DeviceGuard guard(Device::cuda(device));
  synchronize(device);
  for (auto& [cls, blocks] : p.free_blocks)
    for (void* ptr : blocks) check_cuda(cudaFree(ptr), "cuda allocator", "cudaFree");
  p.free_blocks.clear();
  p.stats.cached_bytes = 0;
}

std::atomic<bool> poison{false};

void* poisoned(int device, void* ptr, size_t bytes) {
  if (poison.load(std::memory_order_relaxed)) {
    DeviceGuard guard(Device::cuda(device));
    check_cuda(cudaMemsetAsync(ptr, 0xFF, bytes, static_cast<cudaStream_t>(stream(device))), "storage",
               "poisoning a block");
  }
  return ptr;
}

}  // namespace

void set_poison_allocations(bool on) { poison.store(on); }

void* allocate(int device, size_t bytes, size_t* block_bytes) {
  require_device(Device::cuda(device), "storage");
  const size_t cls = CpuAllocator::size_class(bytes);
  *block_bytes = cls;
  Pool& p = pool(device);
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.free_blocks.find(cls);
  if (it != p.free_blocks.end() && !it->second.empty()) {
    void* ptr = it->second.back();
    it->second.pop_back();
    p.stats.cached_bytes -= cls;
    p.stats.in_use_bytes += cls;
    p.stats.peak_in_use_bytes = std::max(p.stats.peak_in_use_bytes, p.stats.in_use_bytes);
    ++p.stats.cache_hits;
    return poisoned(device, ptr, cls);
  }
  DeviceGuard guard(Device::cuda(device));
  void* ptr = nullptr;
  cudaError_t status = cudaMalloc(&ptr, cls);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();       // not sticky, but clear it before retrying
    free_cached(device, p);   // give the cache back and try once more
    status = cudaMalloc(&ptr, cls);
  }
  if (status != cudaSuccess) {
    size_t free_bytes = 0, total_bytes = 0;
    cudaMemGetInfo(&free_bytes, &total_bytes);
    fail("storage: cudaMalloc of {} bytes on cuda:{} failed: {} ({} of {} MiB free, {} MiB in use by tapegrad)", cls,
         device, cudaGetErrorString(status), free_bytes >> 20, total_bytes >> 20, p.stats.in_use_bytes >> 20);
  }
  p.stats.in_use_bytes += cls;
  p.stats.peak_in_use_bytes = std::max(p.stats.peak_in_use_bytes, p.stats.in_use_bytes);
  ++p.stats.system_allocs;
  return poisoned(device, ptr, cls);
}

void release(int device, void* ptr, size_t block_bytes) {
  if (ptr == nullptr) return;
  Pool& p = pool(device);
  std::lock_guard<std::mutex> lock(p.mutex);
  p.stats.in_use_bytes -= block_bytes;
  p.free_blocks[block_bytes].push_back(ptr);
  p.stats.cached_bytes += block_bytes;
}

AllocatorStats allocator_stats(int device) {
  if (device < 0 || device >= device_count()) return {};
  Pool& p = pool(device);
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.stats;
}

void empty_cache(int device) {
  if (device < 0 || device >= device_count()) return;
  Pool& p = pool(device);
  std::lock_guard<std::mutex> lock(p.mutex);
  free_cached(device, p);
}

}  // namespace tg::cuda
