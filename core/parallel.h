// Work splitting for CPU kernels: parallel_for(n, grain, f) calls f(begin, end) on
// disjoint ranges covering [0, n), in parallel when n is large enough to pay for it.
// This is the ONE thread pool of tapegrad (OpenMP): OpenBLAS is kept on a single thread and
// large matrix products are split over these threads too (core/blas.h says why).
#pragma once
#include <algorithm>
#include <cstdint>

#include <omp.h>

namespace tg {

int num_threads();
// Threads for every tapegrad kernel, matrix products included (n >= 1).
void set_num_threads(int n);

// Elements below which a kernel stays on one thread (thread wake-up costs ~microseconds).
inline constexpr int64_t kParallelGrain = 32768;

template <class F> void parallel_for(int64_t n, int64_t grain, F&& f) {
  int threads = num_threads();
  if (n <= grain || threads <= 1 || omp_in_parallel()) {
    if (n > 0) f(int64_t{0}, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(threads, (n + grain - 1) / grain);
#pragma omp parallel num_threads(static_cast<int>(chunks))
  {
    int64_t t = omp_get_thread_num();
    int64_t begin = n * t / chunks, end = n * (t + 1) / chunks;
    if (begin < end) f(begin, end);
  }
}

}  // namespace tg
