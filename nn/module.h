#pragma once
// Module: the unit models are built from. A module owns named parameters (tensors that
// require grad), named buffers (state that is saved but not trained: BatchNorm's running
// statistics, DUMN's memories) and named child modules. Names nest with dots, so a
// parameter registered as "w_query" in child "0" of child "interact" is
// "interact.0.w_query" everywhere: named_parameters(), state_dict(), checkpoints, and the
// tensor's own name() (which the graph export and the tape trace print).
//
// Ownership: a parent owns its children (add<M>(...) constructs them in place and returns a
// reference), so user code reads
//
//   struct Tower : tg::nn::Module {
//     tg::nn::Linear& hidden;
//     tg::nn::Linear& out;
//     Tower(int64_t in) : hidden(add<tg::nn::Linear>("hidden", in, 32)),
//                         out(add<tg::nn::Linear>("out", 32, 1)) {}
//     tg::Tensor operator()(const tg::Tensor& x) { return out(tg::ops::relu(hidden(x))); }
//   };
//
// Modules are neither copyable nor movable (children and references point into them);
// hold a whole model in a std::unique_ptr when it has to travel.
//
// Seeing what a module does: a forward that opens a ModuleScope tags every op it records
// with the module's dotted path (graph clusters, tape trace, anomaly messages) and runs the
// module's forward hooks on its result:
//
//   tg::Tensor operator()(const tg::Tensor& x) {
//     tg::nn::ModuleScope scope(*this);
//     return scope.output(out(tg::ops::relu(hidden(x))));
//   }
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tg::nn {

// What a parameter is, for optimizers that treat kinds differently (separate weight decay
// for embedding tables and dense weights; QIN regularizes embeddings only).
enum class ParamRole { Dense, Embedding };

struct NamedParameter {
  std::string name;  // full dotted name relative to the module asked
  Tensor value;
  ParamRole role = ParamRole::Dense;
};

struct NamedBuffer {
  std::string name;
  Tensor value;
};

// Parameters and buffers by full name; ordered so that files and printouts are stable.
using StateDict = std::map<std::string, Tensor>;

class Module;

// Called with the module and the result of its forward (see ModuleScope::output); returns a
// replacement, or an undefined Tensor to keep the result.
using ForwardHook = std::function<Tensor(const Module& module, const Tensor& output)>;

class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = delete;
  Module& operator=(Module&&) = delete;
  virtual ~Module() = default;

  // --- registration (called from constructors) ---------------------------------------
  // Constructs a child of type M in place and returns it.
  template <class M, class... Args>
  M& add(const std::string& name, Args&&... args) {
    auto child = std::make_unique<M>(std::forward<Args>(args)...);
    M& ref = *child;
    adopt(name, std::move(child));
    return ref;
  }
  // Takes ownership of an already built child (e.g. from a factory).
  template <class M>
  M& add(const std::string& name, std::unique_ptr<M> child) {
    M& ref = *child;
    adopt(name, std::move(child));
    return ref;
  }
  // Registers `value` as a trainable parameter (sets requires_grad and its name) and
  // returns the same handle, so `weight = add_param("weight", ...)` shares storage.
  Tensor add_param(const std::string& name, Tensor value, ParamRole role = ParamRole::Dense);
  // Registers non-trained state that state_dict() saves and load_state_dict() restores.
  Tensor add_buffer(const std::string& name, Tensor value);

  // --- queries -----------------------------------------------------------------------
  std::vector<Tensor> parameters() const;
  std::vector<NamedParameter> named_parameters() const;
  std::vector<NamedBuffer> named_buffers() const;
  // Direct children in registration order.
  std::vector<std::pair<std::string, Module*>> named_children() const;
  // Every module in the tree (this one first, name ""), depth first.
  std::vector<std::pair<std::string, Module*>> named_modules();
  int64_t num_parameters() const;  // elements over all parameters

  // --- mode ------------------------------------------------------------------------------
  void train(bool on = true);  // propagates to every child
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // --- state ---------------------------------------------------------------------------
  // Parameters and buffers by full name. The tensors are the live ones (no copies).
  StateDict state_dict() const;
  // Copies each entry into the matching parameter/buffer in place (handles stay valid).
  // Checks every name, dtype and shape first and reports all mismatches in one error;
  // with strict=false, names missing from `state` are left as they are and unknown names
  // in `state` are ignored (dtype/shape mismatches are still errors).
  void load_state_dict(const StateDict& state, bool strict = true);

  // Drops every parameter's gradient.
  void zero_grad();

  // --- dtype and device -----------------------------------------------------------------
  // Rewrite every parameter and buffer of the tree in place, as a contiguous copy on `device`
  // (or in floating `dtype`; integer buffers keep theirs). The tensor handles stay the same:
  // layers' members (Linear::weight, ...), named_parameters() and an optimizer built earlier
  // all see the moved tensor, as torch's module.to() does. Gradients are dropped. Not while a
  // graph built from the old values is still to be run backward.
  void to(Device device);
  void to(DType dtype);
  // Where the parameters live (the first parameter's or buffer's device; cpu for none). Mixed
  // devices are an error naming the first parameter elsewhere.
  Device device() const;

  // "Linear(16 -> 8)"; layers override it. Used by summary().
  virtual std::string describe() const { return "Module"; }
  // A table of every parameter: name, shape, count; then the total.
  std::string summary() const;

  // --- inspection ---------------------------------------------------------------------
  // Dotted path from the root of the tree ("" for the root), interned: stable pointer.
  const char* scope_name() const;
  // Forward hooks run by ModuleScope::output, in registration order; returns an id for
  // remove_forward_hook.
  uint64_t register_forward_hook(ForwardHook hook);
  void remove_forward_hook(uint64_t id);
  // Runs the forward hooks on `output` (each on the previous one's result).
  Tensor run_forward_hooks(const Tensor& output) const;

 protected:
  // Called after the mode changed (Dropout and BatchNorm need nothing more than
  // is_training(); this is for modules that cache mode-dependent state).
  virtual void on_mode_change() {}

  // The built-in layers' forwards: `return scoped_forward([&] { ...; return y; });` runs the
  // body inside this module's ModuleScope (its ops carry this module's path) and returns the
  // result after the forward hooks. Defined below ModuleScope.
  template <class Forward>
  Tensor scoped_forward(Forward&& forward) const;

 private:
  struct ParamEntry {
    std::string name;
    Tensor value;
    ParamRole role;
  };
  struct BufferEntry {
    std::string name;
    Tensor value;
  };
  struct ChildEntry {
    std::string name;
    std::unique_ptr<Module> module;
  };

  void adopt(const std::string& name, std::unique_ptr<Module> child);
  void check_new_name(const std::string& name) const;
  std::string path() const;  // dotted name from the root of the tree ("" for the root)
  void refresh_names();      // renames this subtree's tensors to their full dotted names
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const;
  void collect_buffers(const std::string& prefix, std::vector<NamedBuffer>& out) const;
  void collect_modules(const std::string& prefix, std::vector<std::pair<std::string, Module*>>& out);

  std::vector<ParamEntry> params_;
  std::vector<BufferEntry> buffers_;
  std::vector<ChildEntry> children_;
  bool training_ = true;
  Module* parent_ = nullptr;
  std::string name_in_parent_;
  mutable const char* scope_name_ = nullptr;  // cache of scope_name(); reset on adoption
  std::vector<std::pair<uint64_t, ForwardHook>> forward_hooks_;
};

// RAII: while alive, ops recorded on this thread carry `module`'s path (Node::module); the
// enclosing module's path comes back on exit. Costs a thread-local store, nothing more.
class ModuleScope {
 public:
  explicit ModuleScope(const Module& module);
  ~ModuleScope();
  ModuleScope(const ModuleScope&) = delete;
  ModuleScope& operator=(const ModuleScope&) = delete;
  // The forward's result after the module's forward hooks: `return scope.output(y);`.
  Tensor output(const Tensor& result) const { return module_.run_forward_hooks(result); }

 private:
  const Module& module_;
  const char* previous_;
};

template <class Forward>
Tensor Module::scoped_forward(Forward&& forward) const {
  ModuleScope scope(*this);
  return scope.output(forward());
}

// A list of child modules named "0", "1", ... (MLP's layers, IARM's interacting layers).
class ModuleList : public Module {
 public:
  template <class M, class... Args>
  M& emplace_back(Args&&... args) {
    M& ref = add<M>(std::to_string(items_.size()), std::forward<Args>(args)...);
    items_.push_back(&ref);
    return ref;
  }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  Module& operator[](size_t i) const;
  template <class M>
  M& at(size_t i) const {
    return dynamic_cast<M&>((*this)[i]);
  }
  std::string describe() const override;

 private:
  std::vector<Module*> items_;
};

}  // namespace tg::nn
