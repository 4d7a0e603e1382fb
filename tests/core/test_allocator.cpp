// The caching CPU allocator: size classes, reuse, and no OS allocation in a steady step.
#include <doctest/doctest.h>

#include "core/tapegrad.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"

using namespace tg;

TEST_CASE("allocator: size classes round up by at most 25 percent and are 64-byte multiples") {
  CHECK(CpuAllocator::size_class(1) == 256);
  CHECK(CpuAllocator::size_class(256) == 256);
  for (size_t n : {257ul, 1000ul, 4097ul, 100000ul, 12345678ul}) {
    size_t c = CpuAllocator::size_class(n);
    CHECK(c >= n);
    CHECK(c <= n + n / 4 + 64);
    CHECK(c % 64 == 0);
  }
}

#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("allocator: a steady training-like step makes no OS allocation") {
  Tensor w = randn({64, 32}, {.requires_grad = true});
  Tensor x = randn({128, 64});
  auto step = [&] {
    Tensor h = ops::mul(x.reshape({128, 64, 1}), w.unsqueeze(0));  // [128,64,32]
    Tensor loss = ops::mean(ops::exp(ops::mul(h, 0.01)));
    loss.backward();
    NoGradGuard g;
    w.add_(w.grad(), -0.1);
    w.zero_grad();
  };
  step();
  step();
  AllocatorStats before = cpu_allocator_stats();
  for (int i = 0; i < 5; ++i) step();
  AllocatorStats after = cpu_allocator_stats();
  CHECK(after.system_allocs == before.system_allocs);
  CHECK(after.cache_hits > before.cache_hits);
}
#endif

TEST_CASE("allocator: memory is returned to the cache and can be emptied") {
  AllocatorStats s0 = cpu_allocator_stats();
  { Tensor big = zeros({1 << 20}); }
  AllocatorStats s1 = cpu_allocator_stats();
  CHECK(s1.in_use_bytes == s0.in_use_bytes);
  CpuAllocator::instance().empty_cache();
  CHECK(cpu_allocator_stats().cached_bytes == 0);
}
