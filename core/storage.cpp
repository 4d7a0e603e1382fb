#include "core/storage.h"

#include "core/allocator.h"
#include "core/cuda/runtime.h"
#include "core/error.h"

namespace tg {

Storage::Storage(size_t bytes, Device device) : nbytes_(bytes), device_(device) {
  switch (device.type) {
    case DeviceType::CPU: data_ = CpuAllocator::instance().allocate(bytes, &block_bytes_); break;
    case DeviceType::CUDA: data_ = cuda::allocate(device.index, bytes, &block_bytes_); break;
  }
}

Storage::~Storage() {
  switch (device_.type) {
    case DeviceType::CPU: CpuAllocator::instance().release(data_, block_bytes_); break;
    case DeviceType::CUDA: cuda::release(device_.index, data_, block_bytes_); break;
  }
}

}  // namespace tg
