// Storage: one block of device memory shared by a tensor and all its views.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/device.h"

namespace tg {

class Storage {
 public:
  // Allocates `bytes` on `device` from that device's caching allocator (uninitialised).
  Storage(size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // Bumped by every in-place write, so autograd can tell that a tensor it saved for
  // backward was modified afterwards (that would make the gradient silently wrong).
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  size_t block_bytes_ = 0;
  Device device_;
  uint64_t version_ = 0;
};

}  // namespace tg
