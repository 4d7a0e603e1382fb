// The CUDA runtime as the rest of tapegrad sees it: devices, one stream per device, copies
// between host and device, launch-error checks and the caching device allocator.
//
// This header includes no CUDA header, so any file may call it. It is implemented by
// core/cuda/runtime.cpp in builds with the CUDA backend and by core/cuda/runtime_absent.cpp
// without it (there device_count() is 0 and every other call fails naming the op).
//
// Ordering. Every kernel and copy of device N is queued on that device's one stream, so
// they run in the order they were issued and nothing needs an explicit wait, except where
// the host reads a value: copies to the host synchronise before returning.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/allocator.h"
#include "core/device.h"

namespace tg::cuda {

// Number of visible GPUs; 0 without the backend or without a GPU (never throws).
int device_count();

// Throws naming `op` unless `device` is a CUDA device that exists.
void require_device(Device device, const char* op);

// Makes `device` current for the calling thread while alive; restores the previous one.
class DeviceGuard {
 public:
  explicit DeviceGuard(Device device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = -1;
};

// The stream of a device (a cudaStream_t), created on first use, never destroyed.
void* stream(int device);
// Waits until everything queued on the device's stream has finished.
void synchronize(int device);

// Copies `bytes` between any two of host and device memory (dst on dst_device, src on
// src_device), ordered on the device's stream. Returns once a host destination holds the
// data and a host source may be reused.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes, const char* op);

// After a kernel launch: throws a tg::Error naming `op` if the launch failed (bad
// configuration, no kernel image for this GPU, an earlier asynchronous fault).
void check_launch(const char* op);

// ---- caching device allocator (one pool per device; see core/cuda/device_allocator.cpp)
void* allocate(int device, size_t bytes, size_t* block_bytes);
void release(int device, void* ptr, size_t block_bytes);
AllocatorStats allocator_stats(int device);
void empty_cache(int device);  // frees every cached block of the device (cudaFree)
// Tests: fill every block handed out with 0xFF bytes (NaN for floats, -1 for integers), so
// a kernel that leaves an output element unwritten fails its comparison with the CPU.
void set_poison_allocations(bool on);

}  // namespace tg::cuda
