// The autograd engine: graph nodes, grad mode, and the reverse pass.
//
// How the tape works. An op whose inputs require grad (while grad mode is on) gives its
// output one Node: {op name, sequence number, an edge per input, a backward closure}.
// The graph hangs off the outputs — there is no global tape — so an unused graph is freed
// with its tensors. Sequence numbers grow in execution order, so the nodes reachable from
// a loss, sorted by descending number, ARE the tape played backwards. backward():
//   1. collects the reachable nodes iteratively (no recursion),
//   2. seeds d(root) = 1 (or the given seed) and walks them in descending sequence order,
//   3. calls each node's closure with the gradient of its output; the closure returns one
//      gradient per input, already reduced to that input's shape (un-broadcast),
//   4. adds each returned gradient to the input's node buffer, or for a leaf into .grad
//      (accumulate_grad: the ONE place where gradients are summed),
//   5. releases the node's closure and edges unless retain_graph.
//
// Gradient-write rule: gradients ACCUMULATE (+=) into .grad of leaves across backward
// calls until zero_grad(); buffers start at zero (or are stolen from the first arrival).
// Backward closures run under NoGradGuard: they compute with ordinary ops, unrecorded.
//
// Writing an op (see ops/README.md):
//   Tensor out = ...forward...;
//   if (needs_grad({a, b}))
//     record(out, "mul", {a, b}, [a, b](const Tensor& g, const InputMask& need) -> TensorList {
//       return {need[0] ? sum_to(g * b, a.shape()) : Tensor(), need[1] ? ... : Tensor()};
//     });
// A closure must never capture `out` itself (that would be a cycle out -> node -> out);
// capture out.detach() when the gradient reuses the output (exp, sigmoid, tanh).
//
// Seeing inside (inspect/, core/profiler.h). Three things hook into the engine:
//   - the module scope: record() stores the dotted path of the module running on this thread
//     (nn::ModuleScope sets it) in Node::module, for graph clusters and error messages;
//   - gradient hooks (register_hook): functions called with a tensor's gradient during
//     backward, which may replace it;
//   - observers (EngineObserver): anomaly mode, the tape trace and the profiler see every
//     recorded op and every backward step. With none installed the engine pays one relaxed
//     atomic load per op.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace tg {

// ---- grad mode: the only global state, thread-local (as c10::GradMode)
bool grad_mode_enabled();
void set_grad_mode(bool enabled);

// RAII: disables recording in a scope and restores the previous mode on exit.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_mode_enabled()) { set_grad_mode(false); }
  ~NoGradGuard() { set_grad_mode(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Which inputs of a node want a gradient; closures skip work for the others.
class InputMask {
 public:
  explicit InputMask(uint64_t bits) : bits_(bits) {}
  bool operator[](size_t i) const { return i < 64 ? (bits_ >> i) & 1 : true; }

 private:
  uint64_t bits_;
};

using BackwardFn = std::function<TensorList(const Tensor& grad_output, const InputMask& needs_grad)>;

// Called with a gradient during backward. Returns a replacement (same shape and dtype), or
// an undefined Tensor to keep the gradient as it is (a hook that only looks).
using GradHook = std::function<Tensor(const Tensor& grad)>;
struct HookEntry {
  uint64_t id = 0;
  GradHook fn;
};

// Where an input's gradient goes: the node that produced it, or the leaf itself.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  Shape shape;
  DType dtype = DType::Float32;
  bool wants_grad() const { return node != nullptr || leaf != nullptr; }
};

struct Node {
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Iterative: dropping the last tensor of a long graph must not recurse once per node.
  ~Node();

  const char* op = "";
  uint64_t seq = 0;
  std::vector<Edge> inputs;
  BackwardFn backward;
  Shape out_shape;
  DType out_dtype = DType::Float32;
  // Storage versions of the inputs when the op ran; a mismatch at backward time means a
  // saved tensor was overwritten in place, and the gradient would be wrong.
  std::vector<std::pair<std::weak_ptr<Storage>, uint64_t>> saved_versions;
  std::weak_ptr<TensorImpl> retained_output;  // set by retain_grad()
  bool released = false;
  // Dotted path of the module whose scope recorded the op ("" outside any module scope).
  // Interned (intern_name): the pointer stays valid for the life of the process.
  const char* module = "";
  // Gradient hooks of the output (register_hook on a non-leaf), run before the closure.
  std::vector<HookEntry> hooks;
};

// ---- module scope: which module is running on this thread (nn::ModuleScope sets it)
// A stable copy of `name` for the life of the process; equal names give the same pointer.
const char* intern_name(std::string_view name);
const char* current_module();              // "" outside any module scope
void set_current_module(const char* name);  // an interned name (intern_name)

// ---- gradient hooks
// Handle of a registered hook; remove() unregisters it (idempotent). Dropping the handle
// keeps the hook, as PyTorch's RemovableHandle does.
class HookHandle {
 public:
  HookHandle() = default;
  void remove();

 private:
  friend HookHandle register_hook(const Tensor& tensor, GradHook hook);
  std::weak_ptr<Node> node_;            // a non-leaf's hook lives in its node
  std::weak_ptr<TensorImpl> leaf_;      // a leaf's hook lives in the engine's leaf table
  uint64_t id_ = 0;
};
// Calls `hook` with the gradient of `tensor` during every backward that reaches it, before
// the gradient goes on: for a non-leaf, before its op's backward; for a leaf, once per
// backward with the sum of the gradients that reached it, before it is added into .grad.
// Hooks run in registration order, each on the previous one's result.
HookHandle register_hook(const Tensor& tensor, GradHook hook);

// ---- observers
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  // An op recorded `node` for its (complete) output `out`. Called on the recording thread;
  // may throw (anomaly mode), which propagates out of the op.
  virtual void on_record(const Node& /*node*/, const Tensor& /*out*/) {}
  // One node's backward ran: `grad_output` is the gradient of its output (after hooks),
  // `grads` what the closure returned (one per input, undefined where none), `seconds` the
  // closure's wall time. May throw.
  virtual void on_backward(const Node& /*node*/, const Tensor& /*grad_output*/, const TensorList& /*grads*/,
                           double /*seconds*/) {}
  // A backward pass finished (also when it ended by an error).
  virtual void on_backward_end() {}
};
// Installs / removes an observer (not owned). Observers see every thread's ops.
void add_observer(EngineObserver* observer);
void remove_observer(EngineObserver* observer);

// True when grad mode is on and some input requires grad: only then do ops record.
bool needs_grad(std::initializer_list<Tensor> inputs);
bool needs_grad(const TensorList& inputs);

struct RecordOptions {
  // Check at backward time that the inputs were not modified in place. Ops whose backward
  // does not read their inputs (add, sub, views) turn it off.
  bool check_input_versions = true;
};

// A tensor a backward closure reads that is not a differentiable input (ids, indices),
// with the storage version it had when saved: get() throws, naming the op, if it was
// overwritten in place since (the gradient would silently go to the wrong places).
class SavedTensor {
 public:
  explicit SavedTensor(const Tensor& t) : tensor_(t), version_(t.storage()->version()) {}
  const Tensor& get(const char* op) const {
    check(tensor_.storage()->version() == version_,
          "backward of {}: the saved tensor {} was modified in place after the op ran (version {} -> {}); clone it "
          "before the in-place write",
          op, tensor_.describe(), version_, tensor_.storage()->version());
    return tensor_;
  }

 private:
  Tensor tensor_;
  uint64_t version_;
};

// For ops whose backward reads no input values (add, views, copies).
inline const RecordOptions kNoVersionCheck{.check_input_versions = false};

// Attaches a new Node to `out`, making it a non-leaf that requires grad.
void record(Tensor& out, const char* op, const TensorList& inputs, BackwardFn backward,
            RecordOptions options = {});

// The reverse pass (Tensor::backward calls this).
void run_backward(const Tensor& root, const Tensor& seed, bool retain_graph);

// Adds `g` into the gradient of leaf `leaf` (shape-checked against the leaf; `op` names the
// op that produced g for the error message). Row-sparse g stays row-sparse when possible.
void accumulate_grad(TensorImpl& leaf, const Tensor& g, const char* op);

// The tape of `root` in execution order (ascending sequence number).
std::vector<std::shared_ptr<Node>> tape_of(const Tensor& root);
// One line per node: "#seq op -> shape  (inputs: ...)". The teaching story: what happened.
std::string tape_str(const Tensor& root);

}  // namespace tg
