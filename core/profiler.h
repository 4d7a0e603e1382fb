// Per-op profile: wall time by op type, forward and backward, and allocator statistics, so the
// next optimisation is chosen from data (tapegrad-bench --profile).
//
// How time is attributed. The engine sees an op only when it records it (core/autograd.h), that
// is right after its forward finished; an op's forward time is the time since the previous
// recorded op (or mark()) on the same thread, so whatever ran in between without recording
// (index arithmetic, masks) is billed to the next op. Backward time is the wall time of each
// node's backward closure. Ops that record nothing (under NoGradGuard, evaluation) are not seen.
// Call mark() where a forward pass starts so the time before it (loading data, the optimizer
// step) is not billed to the first op; the end of every backward pass marks too.
//
// Off by default: the engine then pays one relaxed atomic load per op.
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
void mark();                      // this thread's forward clock starts now (see above); no-op when off

}  // namespace tg::profiler
