#pragma once
// Seeing gradients, in one include: the graph as Graphviz DOT, the tape trace, anomaly mode,
// finite-difference gradient checks. Gradient hooks and the module scope are part of the
// engine (core/autograd.h, nn/module.h); gradient statistics of a training run are in
// nn/train/grad_stats.h; the per-op profiler in core/profiler.h.
#include "inspect/anomaly.h"
#include "inspect/dot.h"
#include "inspect/gradcheck.h"
#include "inspect/graph.h"
#include "inspect/stats.h"
#include "inspect/trace.h"
