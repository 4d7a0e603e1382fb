// core/cuda/runtime.h on the CUDA runtime API (compiled by the host compiler; no kernels).
#include "core/cuda/runtime.h"

#include <mutex>
#include <vector>

#include "core/cuda/check.h"

namespace tg {

bool cuda_built() { return true; }
bool cuda_available() { return cuda::device_count() > 0; }

namespace cuda {

int device_count() {
  // Asked once: the answer cannot change within a process. Without a driver or a GPU
  // cudaGetDeviceCount reports an error, which here simply means "no device".
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();  // clear the sticky "no device" status for later calls
      return 0;
    }
    return n;
  }();
  return count;
}

void require_device(Device device, const char* op) {
  check(device.is_cuda(), "{}: {} is not a CUDA device", op, device);
  int n = device_count();
  check(n > 0, "{}: {} was asked for but no CUDA device is present", op, device);
  check(device.index >= 0 && device.index < n, "{}: {} does not exist ({} CUDA device{} present)", op, device, n,
        n == 1 ? "" : "s");
}

DeviceGuard::DeviceGuard(Device device) {
  require_device(device, "cuda");
  check_cuda(cudaGetDevice(&previous_), "cuda", "cudaGetDevice");
  if (previous_ != device.index) check_cuda(cudaSetDevice(device.index), "cuda", "cudaSetDevice");
}

DeviceGuard::~DeviceGuard() {
  int now = -1;
  if (previous_ >= 0 && cudaGetDevice(&now) == cudaSuccess && now != previous_) cudaSetDevice(previous_);
}

void* stream(int device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t>* streams = new std::vector<cudaStream_t>();  // leaked: used by static dtors
  std::lock_guard<std::mutex> lock(mutex);
  if (streams->empty()) streams->assign(static_cast<size_t>(device_count()), nullptr);
  check(device >= 0 && device < static_cast<int>(streams->size()), "cuda: no device cuda:{} for a stream", device);
  cudaStream_t& s = (*streams)[static_cast<size_t>(device)];
  if (s == nullptr) {
    DeviceGuard guard(Device::cuda(device));
    // Non-blocking: the stream does not wait for work on the legacy default stream, which
    // tapegrad never uses.
    check_cuda(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cuda", "cudaStreamCreate");
  }
  return s;
}

void synchronize(int device) {
  check_cuda(cudaStreamSynchronize(static_cast<cudaStream_t>(stream(device))), "cuda", "cudaStreamSynchronize");
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes, const char* op) {
  if (bytes == 0) return;
  check(dst_device.is_cuda() || src_device.is_cuda(), "{}: copy_bytes between two host buffers", op);
  // A copy between two GPUs goes through the source's stream after the destination's
  // queued work is done; within one device it is ordered on its stream like a kernel.
  Device on = src_device.is_cuda() ? src_device : dst_device;
  if (src_device.is_cuda() && dst_device.is_cuda() && src_device.index != dst_device.index)
    synchronize(dst_device.index);
  DeviceGuard guard(on);
  cudaStream_t s = static_cast<cudaStream_t>(stream(on.index));
  cudaMemcpyKind kind = src_device.is_cpu() ? cudaMemcpyHostToDevice
                        : dst_device.is_cpu() ? cudaMemcpyDeviceToHost
                                              : cudaMemcpyDeviceToDevice;
  check_cuda(cudaMemcpyAsync(dst, src, bytes, kind, s), op, "cudaMemcpyAsync");
  // Host memory here is pageable and may be freed as soon as we return: wait for the copy.
  if (kind != cudaMemcpyDeviceToDevice) check_cuda(cudaStreamSynchronize(s), op, "cudaStreamSynchronize after a copy");
}

void check_launch(const char* op) {
  check_cuda(cudaGetLastError(), op, "kernel launch");
}

}  // namespace cuda
}  // namespace tg
