#pragma once
// Graph export: the recorded graph of a computation (from its inputs to `root`) as Graphviz
// DOT. One node per op, labelled with the op and its output shape; one node per leaf, named
// by its parameter name ("interact.0.w_query"); an edge per tensor flowing into an op. Ops
// are grouped in nested clusters by the module they belong to (inspect/graph.h), and
// `collapse_depth` draws every module at that depth as a single box, so even a model step
// with thousands of ops gives a readable picture.
//
//   tg::write_dot(loss, "step.dot");                          // every op
//   tg::write_dot(loss, "overview.dot", {.collapse_depth = 1});  // one box per top module
//   tg::render_dot("step.dot");                               // step.svg, if Graphviz is installed
//
// Call it before backward(): backward frees the graph as it walks it (unless retain_graph).
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace tg {

struct DotOptions {
  int collapse_depth = 0;  // 0: every op; k >= 1: each module k levels down is one box
  bool clusters = true;    // group ops by module
  std::string title = {};  // shown above the picture
};

struct DotGraph {
  std::string text;     // the DOT source
  int64_t nodes = 0;    // drawn nodes (ops, leaves, module boxes)
  int64_t edges = 0;
};

DotGraph to_dot(const Tensor& root, const DotOptions& options = {});
// Writes the DOT file (atomically) and returns what it wrote.
DotGraph write_dot(const Tensor& root, const std::string& path, const DotOptions& options = {});

// True when Graphviz's `dot` program is on PATH (it is optional at run time).
bool graphviz_available();
// Renders a DOT file with `dot -T<format>` next to it (graph.dot -> graph.svg) and returns
// the path written; throws when dot is missing or fails.
std::string render_dot(const std::string& dot_path, const std::string& format = "svg");

}  // namespace tg
