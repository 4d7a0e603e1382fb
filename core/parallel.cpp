#include "core/parallel.h"

#include <atomic>

#include "core/error.h"

namespace tg {

namespace {
std::atomic<int> g_threads{0};  // 0: not set yet, use OpenMP's default (OMP_NUM_THREADS or cores)
}

int num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : omp_get_max_threads();
}

void set_num_threads(int n) {
  check(n >= 1, "set_num_threads: {} is not a thread count (need >= 1)", n);
  g_threads.store(n);
}

}  // namespace tg
