// Per-op profile: wall time by op type, forward and backward, and allocator statistics, so the
// next optimisation is chosen from data (tapegrad-bench --profile).
// (API fixed here; the implementation is filled by the inspect work.)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tg::profiler {

struct OpTime {
  std::string op;
  int64_t forward_calls = 0, backward_calls = 0;
  double forward_ms = 0, backward_ms = 0;
};

void enable(bool on);  // start (true) or stop (false) collecting; off by default, costs nothing when off
bool enabled();
void reset();                     // forget what was collected
std::vector<OpTime> op_times();   // sorted by forward_ms + backward_ms, largest first
std::string report();             // a printable table of op_times() plus allocator statistics

}  // namespace tg::profiler
