// The profiler is an engine observer (core/autograd.h) installed while enabled. Times are
// summed per op-name pointer (op names are string literals: one pointer per call site in
// practice) under one mutex, and merged by name when read.
#include "core/profiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/allocator.h"
#include "core/autograd.h"

namespace tg::profiler {

namespace {

using Clock = std::chrono::steady_clock;

struct Totals {
  int64_t forward_calls = 0, backward_calls = 0;
  double forward_ms = 0, backward_ms = 0;
};

thread_local Clock::time_point t_last_mark{};  // epoch: no mark yet on this thread

class Profiler final : public EngineObserver {
 public:
  void on_record(const Node& node, const Tensor&) override {
    const Clock::time_point now = Clock::now();
    const double ms = t_last_mark == Clock::time_point{} ? 0.0
                                                        : std::chrono::duration<double, std::milli>(now - t_last_mark).count();
    t_last_mark = now;
    std::lock_guard lock(mutex_);
    Totals& t = by_op_[node.op];
    ++t.forward_calls;
    t.forward_ms += ms;
  }
  void on_backward(const Node& node, const Tensor&, const TensorList&, double seconds) override {
    std::lock_guard lock(mutex_);
    Totals& t = by_op_[node.op];
    ++t.backward_calls;
    t.backward_ms += seconds * 1e3;
  }
  void on_backward_end() override { t_last_mark = Clock::now(); }

  void reset() {
    std::lock_guard lock(mutex_);
    by_op_.clear();
    allocator_at_reset_ = cpu_allocator_stats();
  }
  std::vector<OpTime> op_times() const {
    std::map<std::string, OpTime> merged;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [op, t] : by_op_) {
        OpTime& m = merged[op];
        m.op = op;
        m.forward_calls += t.forward_calls;
        m.backward_calls += t.backward_calls;
        m.forward_ms += t.forward_ms;
        m.backward_ms += t.backward_ms;
      }
    }
    std::vector<OpTime> out;
    for (auto& [name, t] : merged) out.push_back(std::move(t));
    std::stable_sort(out.begin(), out.end(), [](const OpTime& a, const OpTime& b) {
      return a.forward_ms + a.backward_ms > b.forward_ms + b.backward_ms;
    });
    return out;
  }
  AllocatorStats allocator_at_reset() const {
    std::lock_guard lock(mutex_);
    return allocator_at_reset_;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const char*, Totals> by_op_;
  AllocatorStats allocator_at_reset_;
};

Profiler& the_profiler() {
  static Profiler* p = new Profiler();  // never destroyed: may still be installed at exit
  return *p;
}

std::atomic<bool> g_enabled{false};
std::mutex g_enable_mutex;

std::string bytes(double b) {
  if (b >= 1 << 30) return fmt::format("{:.2f} GiB", b / (1 << 30));
  if (b >= 1 << 20) return fmt::format("{:.1f} MiB", b / (1 << 20));
  if (b >= 1 << 10) return fmt::format("{:.1f} KiB", b / (1 << 10));
  return fmt::format("{:.0f} B", b);
}

}  // namespace

void enable(bool on) {
  std::lock_guard lock(g_enable_mutex);
  if (on == g_enabled.load()) return;
  if (on) {
    the_profiler().reset();
    add_observer(&the_profiler());
    t_last_mark = Clock::now();
  } else {
    remove_observer(&the_profiler());
  }
  g_enabled.store(on);
}

bool enabled() { return g_enabled.load(std::memory_order_relaxed); }

void reset() { the_profiler().reset(); }

void mark() {
  if (enabled()) t_last_mark = Clock::now();
}

std::vector<OpTime> op_times() { return the_profiler().op_times(); }

std::string report() {
  std::vector<OpTime> times = op_times();
  double fwd = 0, bwd = 0;
  for (const OpTime& t : times) fwd += t.forward_ms, bwd += t.backward_ms;
  const double all = std::max(fwd + bwd, 1e-12);
  size_t width = 8;
  for (const OpTime& t : times) width = std::max(width, t.op.size());
  std::string out = fmt::format("{:<{}} {:>9} {:>12} {:>9} {:>12} {:>7}\n", "op", width, "fwd calls", "fwd ms",
                                "bwd calls", "bwd ms", "share");
  for (const OpTime& t : times)
    out += fmt::format("{:<{}} {:>9} {:>12.3f} {:>9} {:>12.3f} {:>6.1f}%\n", t.op, width, t.forward_calls,
                       t.forward_ms, t.backward_calls, t.backward_ms, 100.0 * (t.forward_ms + t.backward_ms) / all);
  out += fmt::format("{:<{}} {:>9} {:>12.3f} {:>9} {:>12.3f}\n", "total", width, "", fwd, "", bwd);
  const AllocatorStats now = cpu_allocator_stats(), then = the_profiler().allocator_at_reset();
  out += fmt::format(
      "cpu allocator: {} in use (peak {}), {} cached; since reset: {} system allocations, {} cache hits\n",
      bytes(static_cast<double>(now.in_use_bytes)), bytes(static_cast<double>(now.peak_in_use_bytes)),
      bytes(static_cast<double>(now.cached_bytes)), now.system_allocs - then.system_allocs,
      now.cache_hits - then.cache_hits);
  return out;
}

}  // namespace tg::profiler
