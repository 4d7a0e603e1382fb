// core/cuda/runtime.h in a build without the CUDA backend: no device exists, and every
// call that would need one fails with a message saying how tapegrad was built.
#include "core/cuda/runtime.h"

#include "core/error.h"

namespace tg {

bool cuda_built() { return false; }
bool cuda_available() { return false; }

namespace cuda {

namespace {
[[noreturn]] void absent(const char* op) {
  fail("{}: tapegrad was built without the CUDA backend (meson setup -Dcuda=enabled needs nvcc and cuBLAS)", op);
}
}  // namespace

int device_count() { return 0; }
void require_device(Device, const char* op) { absent(op); }
DeviceGuard::DeviceGuard(Device) { absent("cuda"); }
DeviceGuard::~DeviceGuard() = default;
void* stream(int) { absent("cuda"); }
void synchronize(int) { absent("cuda"); }
void copy_bytes(void*, Device, const void*, Device, size_t, const char* op) { absent(op); }
void check_launch(const char* op) { absent(op); }
void* allocate(int, size_t, size_t*) { absent("storage"); }
void release(int, void*, size_t) {}
AllocatorStats allocator_stats(int) { return {}; }
void empty_cache(int) {}
void set_poison_allocations(bool) {}

}  // namespace cuda
}  // namespace tg
