#include "inspect/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace tg {

std::string module_of_parameter(const std::string& parameter_name) {
  const auto dot = parameter_name.rfind('.');
  return dot == std::string::npos ? std::string() : parameter_name.substr(0, dot);
}

std::string common_module(const std::string& a, const std::string& b) {
  size_t end = 0;  // length of the longest common prefix that ends at a component boundary
  for (size_t i = 0;; ++i) {
    const bool a_end = i == a.size() || a[i] == '.';
    const bool b_end = i == b.size() || b[i] == '.';
    if (a_end && b_end) end = i;
    if (i == a.size() || i == b.size() || a[i] != b[i]) break;
  }
  return a.substr(0, end);
}

int module_depth(const std::string& path) {
  return path.empty() ? 0 : 1 + static_cast<int>(std::count(path.begin(), path.end(), '.'));
}

namespace {
bool is_view_op(std::string_view op) {
  for (const char* v : {"slice", "select", "narrow", "expand", "squeeze", "unsqueeze", "view", "reshape", "permute",
                        "transpose", "flatten"})
    if (op == v) return true;
  return false;
}
}  // namespace

const std::string& ModuleAttribution::owner_of(const Node& node) {
  auto found = by_seq_.find(node.seq);
  if (found != by_seq_.end()) return found->second.module;
  std::string owner;
  bool any = false, from_params = false, params_only = true;
  auto merge = [&](const std::string& m) {
    owner = any ? common_module(owner, m) : m;
    any = true;
  };
  // An input recorded before this attribution began is known by its scope only.
  auto known = [&](const Node& n) {
    auto it = by_seq_.find(n.seq);
    return it != by_seq_.end() ? it->second : Owner{n.module, false};
  };
  for (const Edge& e : node.inputs) {
    if (e.leaf && !e.leaf->name.empty()) {
      merge(module_of_parameter(e.leaf->name));
      from_params = true;
    } else if (e.node && known(*e.node).from_parameters_only) {
      merge(known(*e.node).module);
      from_params = true;
    } else {
      params_only = false;  // data flows in (an activation)
    }
  }
  // Only a reshaping of one parameter stays "a parameter": a lookup into an embedding table
  // (one parameter input too, but batch-sized output) is data.
  if (params_only && from_params)
    params_only = node.inputs.size() == 1 && (node.out_shape.numel() == node.inputs[0].shape.numel() ||
                                              is_view_op(node.op));
  if (!from_params)
    for (const Edge& e : node.inputs)
      if (e.node) merge(known(*e.node).module);
  // An open scope is the answer, unless the data flow points deeper inside it (a layer
  // that opened no scope of its own, within a model that did).
  const std::string scope = node.module;
  if (!scope.empty() && owner.compare(0, scope.size() + 1, scope + ".") != 0) owner = scope;
  Owner entry{std::move(owner), from_params && params_only};
  return by_seq_.emplace(node.seq, std::move(entry)).first->second.module;
}

std::vector<const Node*> nodes_under(const Node& node) {
  std::vector<const Node*> out;
  std::unordered_set<const Node*> seen{&node};
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    out.push_back(n);
    for (const Edge& e : n->inputs)
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node.get());
  }
  std::sort(out.begin(), out.end(), [](const Node* a, const Node* b) { return a->seq < b->seq; });
  return out;
}

std::string module_of_node(const Node& node) {
  ModuleAttribution attribution;
  std::string owner;
  for (const Node* n : nodes_under(node)) owner = attribution.owner_of(*n);
  return owner;  // the last one is `node` itself (highest seq)
}

std::string describe_input(const Edge& edge) {
  if (edge.node) return fmt::format("#{} {}", edge.node->seq, edge.node->op);
  if (edge.leaf)
    return edge.leaf->name.empty() ? fmt::format("a leaf {}", to_string(edge.leaf->shape))
                                   : fmt::format("parameter '{}'", edge.leaf->name);
  return "a constant";
}

}  // namespace tg
