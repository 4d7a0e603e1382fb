#pragma once
// Anomaly mode: the first NaN or infinity that a recorded op produces — in its forward
// output or in a gradient its backward returns — raises tg::Error naming the op, its tape
// position (#seq), the module it belongs to (inspect/graph.h) and its inputs, so a NaN loss
// leads straight to its source instead of to the end of the step.
//
//   tg::AnomalyMode anomaly;   // on in this scope (every thread), off again after
//
// Costs a scan of every recorded op's output and gradients: a debugging mode. Ops that
// record nothing (no input requires grad, NoGradGuard) are not checked.
#include "core/autograd.h"

namespace tg {

void set_detect_anomaly(bool on);
bool detect_anomaly_enabled();

// RAII: anomaly mode on for the scope, the previous setting back on exit.
class AnomalyMode {
 public:
  explicit AnomalyMode(bool on = true) : previous_(detect_anomaly_enabled()) { set_detect_anomaly(on); }
  ~AnomalyMode() { set_detect_anomaly(previous_); }
  AnomalyMode(const AnomalyMode&) = delete;
  AnomalyMode& operator=(const AnomalyMode&) = delete;

 private:
  bool previous_;
};

}  // namespace tg
