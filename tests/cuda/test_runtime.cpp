// The device runtime as seen without (or with) a GPU: how the build and the device count
// answer, and the errors that name the op when a CUDA tensor cannot exist.
#include <doctest/doctest.h>

#include <string>

#include "core/cuda/config.h"
#include "core/cuda/runtime.h"
#include "ops/ops.h"

using namespace tg;

TEST_CASE("cuda runtime: cuda_built follows the build, cuda_available needs a device") {
  CHECK(cuda_built() == (TG_HAVE_CUDA == 1));
  CHECK(cuda_available() == (cuda::device_count() > 0));
  if (!cuda_built()) CHECK(cuda::device_count() == 0);
  MESSAGE("CUDA backend " << std::string(cuda_built() ? "built" : "not built") << ", " << cuda::device_count()
                          << " device(s) visible");
}

TEST_CASE("cuda runtime: devices parse and print as cuda:N") {
  CHECK(Device::parse("cuda") == Device::cuda(0));
  CHECK(Device::parse("cuda:3") == Device::cuda(3));
  CHECK(Device::cuda(2).str() == "cuda:2");
  CHECK_THROWS_AS(Device::parse("cuda:x"), Error);
}

TEST_CASE("cuda runtime: without a device, moving a tensor there fails naming the op") {
  if (cuda_available()) {
    MESSAGE("a GPU is visible: the no-device errors are not reachable here");
    return;
  }
  Tensor x = ones({2, 3});
  try {
    (void)x.to(Device::cuda(0));
    FAIL("to(cuda) succeeded without a device");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.rfind("to:", 0) == 0);
    CHECK((msg.find("without the CUDA backend") != std::string::npos || msg.find("no CUDA device") != std::string::npos));
  }
  CHECK_THROWS_AS(zeros({4}, {.device = Device::cuda(0)}), Error);
  const AllocatorStats s = cuda::allocator_stats(0);
  CHECK(s.system_allocs == 0);
  CHECK(s.in_use_bytes == 0);
}

TEST_CASE("cuda runtime: a device index past the last one is refused") {
  if (!cuda_available()) {
    MESSAGE("no GPU visible: skipped (needs a CUDA device)");
    return;
  }
  Device past = Device::cuda(cuda::device_count());
  CHECK_THROWS_WITH_AS(ones({2}).to(past), doctest::Contains("does not exist"), Error);
}
