#include "inspect/anomaly.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <mutex>

#include "core/error.h"
#include "inspect/graph.h"
#include "inspect/stats.h"

namespace tg {

namespace {

const char* kind_of(const Tensor& t, int64_t index) {
  NoGradGuard no_grad;
  Tensor c = t.contiguous();
  const double v = c.to(kFloat64).reshape({-1}).select(0, index).item();
  return std::isnan(v) ? "NaN" : (v > 0 ? "+inf" : "-inf");
}

std::string where(const Node& node) {
  const std::string module = module_of_node(node);
  return fmt::format("'{}' (tape position #{}{})", node.op, node.seq,
                     module.empty() ? std::string(", at the model's top level") : fmt::format(", in module {}", module));
}

std::string inputs_of(const Node& node) {
  std::vector<std::string> parts;
  for (const Edge& e : node.inputs) {
    const bool bad_leaf = e.leaf && first_nonfinite(Tensor(e.leaf)) >= 0;
    parts.push_back(describe_input(e) + (bad_leaf ? " (already non-finite)" : ""));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

class AnomalyDetector final : public EngineObserver {
 public:
  void on_record(const Node& node, const Tensor& out) override {
    const int64_t bad = first_nonfinite(out);
    if (bad < 0) return;
    fail("anomaly: the forward of {} produced {} at element {} of its output {} {}; its inputs: {}", where(node),
         kind_of(out, bad), bad, out.dtype(), out.shape(), inputs_of(node));
  }
  void on_backward(const Node& node, const Tensor& grad_output, const TensorList& grads, double) override {
    for (size_t i = 0; i < grads.size(); ++i) {
      const int64_t bad = first_nonfinite(grads[i]);
      if (bad < 0) continue;
      const bool incoming_bad = first_nonfinite(grad_output) >= 0;
      fail("anomaly: the backward of {} returned {} in the gradient for its input {} ({}){}; its inputs: {}",
           where(node), kind_of(grads[i], bad), i, i < node.inputs.size() ? describe_input(node.inputs[i]) : "?",
           incoming_bad ? " (the gradient it received was already non-finite)" : "", inputs_of(node));
    }
  }
};

AnomalyDetector& detector() {
  static AnomalyDetector* d = new AnomalyDetector();  // never destroyed: may be installed at exit
  return *d;
}

std::mutex g_mutex;
std::atomic<bool> g_on{false};

}  // namespace

void set_detect_anomaly(bool on) {
  std::lock_guard lock(g_mutex);
  if (on == g_on.load()) return;
  if (on) add_observer(&detector());
  else remove_observer(&detector());
  g_on.store(on);
}

bool detect_anomaly_enabled() { return g_on.load(); }

}  // namespace tg
