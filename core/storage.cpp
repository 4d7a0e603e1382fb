#include "core/storage.h"

#include "core/allocator.h"
#include "core/error.h"

namespace tg {

Storage::Storage(size_t bytes, Device device) : nbytes_(bytes), device_(device) {
  switch (device.type) {
    case DeviceType::CPU: data_ = CpuAllocator::instance().allocate(bytes, &block_bytes_); break;
    case DeviceType::CUDA: fail("storage: cannot allocate {} bytes on {}: {}", bytes, device,
                                cuda_built() ? "no CUDA device is present" : "tapegrad was built without CUDA");
  }
}

Storage::~Storage() {
  switch (device_.type) {
    case DeviceType::CPU: CpuAllocator::instance().release(data_, block_bytes_); break;
    case DeviceType::CUDA: break;
  }
}

}  // namespace tg
