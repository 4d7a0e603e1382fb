#pragma once
// The recorded graph of a computation, as inspection tools read it: every node from the
// inputs to a root in execution order, each with the module it belongs to.
//
// Which module an op belongs to. When a module's forward opened a ModuleScope (nn/module.h),
// record() stored its path in Node::module and that is the answer (unless the data flow below
// points deeper inside that module). Otherwise it is inferred from the data flow, which works
// for any model without its cooperation:
//   1. an op that reads parameters belongs to their module ("interact.0.w_query" is read
//      by ops of "interact.0"; several modules: their deepest common ancestor). A view of a
//      parameter (w.t()) counts as the parameter;
//   2. else the deepest common ancestor of the modules of the ops that made its inputs (an
//      activation after a layer stays in the layer; a concat of two towers goes to their
//      parent);
//   3. else the root ("").
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/autograd.h"

namespace tg {

// "interact.0.w_query" -> "interact.0"; a name without a dot -> "".
std::string module_of_parameter(const std::string& parameter_name);
// The deepest common ancestor of two dotted module paths ("a.b.c", "a.b.d" -> "a.b").
std::string common_module(const std::string& a, const std::string& b);
// Number of components of a dotted path ("" -> 0, "a.b" -> 2).
int module_depth(const std::string& path);

// Attributes nodes to modules incrementally; feed nodes in ascending sequence order (inputs
// first). Remembers one string per node it saw.
class ModuleAttribution {
 public:
  const std::string& owner_of(const Node& node);

 private:
  struct Owner {
    std::string module;
    bool from_parameters_only = false;  // computed from parameters alone (a view of a weight)
  };
  std::unordered_map<uint64_t, Owner> by_seq_;
};

// Every node reachable from `node` through its input edges (itself included), ascending seq.
std::vector<const Node*> nodes_under(const Node& node);
// The module `node` belongs to, inferred over the graph under it (for error messages).
std::string module_of_node(const Node& node);
// How an input edge reads in messages: "#12 mul", "parameter 'mlp.0.weight'", "a leaf [3,4]".
std::string describe_input(const Edge& edge);

}  // namespace tg
