#pragma once
// Gradient statistics per parameter, for watching a training run (Trainer: grad_stats_every;
// apps: --grad-stats N). Computed from .grad after backward (before clipping) and, when the
// values before the optimizer step are given, the size of the step itself:
//
//   norm, mean, max|g|   of the gradient (a row-sparse gradient counts its absent rows as 0)
//   zeros                fraction of gradient entries that are exactly 0
//   update/weight        ||w_after - w_before|| / ||w_before||: ~1e-3 is healthy for Adam;
//                        far below it the layer does not learn, far above it it thrashes
//
// Flags (thresholds in GradStatsOptions):
//   dead-units   a dense 2-D weight with rows whose gradient is all zero: the units they
//                feed never pass a gradient (dead ReLUs, saturated gates). Embedding tables
//                are exempt (untouched ids have zero rows by design).
//   vanishing    gradient norm tiny next to the weight norm
//   exploding    gradient norm or update/weight ratio too large
//   no-grad      the parameter got no gradient at all (not in the graph of the loss)
#include <string>
#include <vector>

#include "nn/module.h"

namespace tg::nn {

struct GradStatsOptions {
  double vanishing_ratio = 1e-7;   // ||g|| / ||w|| below this: vanishing
  double exploding_norm = 1e3;     // ||g|| above this: exploding
  double exploding_update = 1.0;   // update/weight above this (a step as large as the weight): exploding
  double dead_fraction = 0.25;     // a quarter of a weight's rows without gradient: dead-units
};

struct ParamGradStats {
  std::string name;
  Shape shape;
  bool has_grad = false;
  double norm = 0, mean = 0, max_abs = 0, zero_fraction = 0;
  double weight_norm = 0;
  double update_ratio = -1;  // -1: not measured (no values before the step, or they were all 0)
  int64_t dead_rows = 0;     // rows of a dense 2-D weight whose gradient is all zero
  std::vector<std::string> flags;
};

// Values of every parameter, copied (the `before` of an update/weight ratio).
StateDict snapshot_parameters(const Module& model);
// Statistics of every parameter's current .grad (call it after backward).
std::vector<ParamGradStats> gradient_stats(const Module& model, const GradStatsOptions& options = {});
// Fills in the update/weight ratio of each entry of `stats` from the values now against
// `before` (call it after the optimizer step).
void measure_updates(std::vector<ParamGradStats>& stats, const Module& model, const StateDict& before,
                     const GradStatsOptions& options = {});
// A table, one line per parameter, flags at the end of the line, then a one-line summary.
std::string format_grad_stats(const std::vector<ParamGradStats>& stats);

}  // namespace tg::nn
