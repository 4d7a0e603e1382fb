#pragma once
// The tape trace: what happened in one forward and backward, op by op, in execution order —
// the op, the module it belongs to, its output shape and value statistics, and the norm and
// largest magnitude of the gradient that reached it.
//
//   tg::TapeTrace trace;                 // starts watching (every thread's recorded ops)
//   tg::Tensor loss = model(batch) ...;
//   loss.backward();
//   trace.stop();
//   fmt::print("{}", trace.table());
//
// A trace watches only while it lives (or until stop()); it holds statistics, not tensors,
// so it keeps no graph alive. Ops whose gradient never came (not on the path to the loss,
// or no backward yet) show "-" in the gradient columns.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "inspect/graph.h"
#include "inspect/stats.h"

namespace tg {

struct TraceEntry {
  uint64_t seq = 0;
  std::string op;
  std::string module;               // as inspect/graph.h attributes it
  Shape shape;
  DType dtype = DType::Float32;
  std::vector<std::string> inputs;  // "#12", "parameter 'mlp.0.weight'", ...
  ValueStats value;                 // of the op's output
  bool has_grad = false;
  ValueStats grad;                  // of the gradient of the output (summed over consumers)
  double backward_ms = 0;
};

class TapeTrace : public EngineObserver {
 public:
  TapeTrace();   // starts watching
  ~TapeTrace() override;
  TapeTrace(const TapeTrace&) = delete;
  TapeTrace& operator=(const TapeTrace&) = delete;

  void stop();   // stops watching; the entries stay
  std::vector<TraceEntry> entries() const;  // ascending seq
  // One line per entry: seq, op, module, shape, value mean/std/min/max, grad norm/max|g|.
  std::string table() const;

  void on_record(const Node& node, const Tensor& out) override;
  void on_backward(const Node& node, const Tensor& grad_output, const TensorList& grads, double seconds) override;

 private:
  mutable std::mutex mutex_;
  bool watching_ = false;
  ModuleAttribution attribution_;
  std::map<uint64_t, TraceEntry> entries_;
};

}  // namespace tg
