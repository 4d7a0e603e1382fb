// Graph export: the DOT text is well formed (balanced braces, every edge endpoint declared),
// names every parameter a real model's step uses, groups ops by module and collapses them.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "inspect/dot.h"
#include "inspect/graph.h"
#include "nn/layers/linear.h"
#include "ops/ops.h"
#include "tests/inspect/model_fixture.h"

using namespace tg;

namespace {

// A small structural parser: checks what Graphviz would reject or draw wrongly.
struct ParsedDot {
  std::set<std::string> declared;
  std::vector<std::pair<std::string, std::string>> edges;
  std::set<std::string> clusters;
  bool balanced = true;
};

ParsedDot parse(const std::string& text) {
  ParsedDot p;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && in_string) {
      ++i;
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (in_string) continue;
    if (c == '{') ++depth;
    if (c == '}' && --depth < 0) p.balanced = false;
  }
  p.balanced = p.balanced && depth == 0 && !in_string;
  static const std::regex node_re(R"(^\s*([a-z][0-9]+) \[label=)");
  static const std::regex edge_re(R"(^\s*([a-z][0-9]+) -> ([a-z][0-9]+)[ ;])");
  static const std::regex cluster_re(R"re(subgraph "cluster_([^"]*)")re");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, node_re)) p.declared.insert(m[1]);
    if (std::regex_search(line, m, edge_re)) p.edges.emplace_back(m[1], m[2]);
    if (std::regex_search(line, m, cluster_re)) p.clusters.insert(m[1]);
  }
  return p;
}

void check_well_formed(const DotGraph& g) {
  ParsedDot p = parse(g.text);
  CHECK(g.text.rfind("digraph", 0) == 0);
  CHECK(p.balanced);
  CHECK(static_cast<int64_t>(p.declared.size()) == g.nodes);
  CHECK(static_cast<int64_t>(p.edges.size()) == g.edges);
  for (const auto& [from, to] : p.edges) {
    CHECK_MESSAGE(p.declared.count(from), from);
    CHECK_MESSAGE(p.declared.count(to), to);
  }
}

}  // namespace

TEST_CASE("dot: a small expression: one node per op and leaf, an edge per input") {
  Tensor x = uniform({2, 3}, -1, 1).set_requires_grad(true).set_name("x");
  Tensor w = uniform({3, 4}, -1, 1).set_requires_grad(true).set_name("layer.w");
  Tensor y = ops::sum(ops::relu(ops::matmul(x, w)));
  DotGraph g = to_dot(y);
  check_well_formed(g);
  CHECK(g.nodes == 5);  // x, layer.w, matmul, relu, sum
  CHECK(g.edges == 4);
  CHECK(g.text.find("matmul\\n[2,4]") != std::string::npos);
  CHECK(g.text.find("\"layer.w\\n[3,4]\"") != std::string::npos);
  CHECK(parse(g.text).clusters == std::set<std::string>{"layer"});
}

TEST_CASE("dot: every paper model's training step parses and names every parameter that gets a gradient") {
  for (const std::string& name : testing::paper_models()) {
    CAPTURE(name);
    auto c = testing::small_model(name);
    Tensor loss = c.model->loss(c.batch, (*c.model)(c.batch)).total;
    DotGraph full = to_dot(loss);
    DotGraph boxes = to_dot(loss, {.collapse_depth = 1});
    check_well_formed(full);
    check_well_formed(boxes);
    CHECK(full.edges >= 20);
    CHECK(boxes.nodes < full.nodes);
    CHECK(parse(full.text).clusters.size() >= 3);
    loss.backward();
    for (const auto& p : c.model->named_parameters()) {
      if (!p.value.grad().defined()) continue;
      CHECK_MESSAGE(full.text.find("\"" + p.name + "\\n") != std::string::npos, p.name);
    }
  }
}

TEST_CASE("dot: ops are grouped by the module whose parameters they read") {
  Tensor x = uniform({4, 3}, -1, 1);
  nn::Linear hidden(3, 5), out(5, 1);
  hidden.weight.set_name("tower.hidden.weight");
  hidden.bias.set_name("tower.hidden.bias");
  out.weight.set_name("tower.out.weight");
  out.bias.set_name("tower.out.bias");
  Tensor y = ops::sum(out(ops::relu(hidden(x))));
  ModuleAttribution a;
  std::vector<std::string> owners;
  for (const auto& n : tape_of(y)) owners.push_back(a.owner_of(*n));
  CHECK(owners == std::vector<std::string>{"tower.hidden", "tower.hidden", "tower.out", "tower.out"});
  DotGraph g = to_dot(y, {.collapse_depth = 2});
  check_well_formed(g);
  CHECK(g.text.find("tower.hidden\\n2 ops, 2 parameters") != std::string::npos);
  CHECK(parse(g.text).clusters == std::set<std::string>{"tower", "tower.out"});  // the loss stays an op
}

TEST_CASE("dot: module path helpers") {
  CHECK(common_module("a.b.c", "a.b.d") == "a.b");
  CHECK(common_module("a", "a.b") == "a");
  CHECK(common_module("ab", "a") == "");
  CHECK(module_of_parameter("interact.0.w_query") == "interact.0");
  CHECK(module_of_parameter("bias") == "");
  CHECK(module_depth("") == 0);
  CHECK(module_depth("a.b") == 2);
}
