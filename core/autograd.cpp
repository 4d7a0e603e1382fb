// The reverse pass. See autograd.h for the algorithm; the engine is deliberately short.
// It uses ops (add, row-sparse helpers) to sum gradients: it is the one place in core/
// that calls into ops/, because accumulating is itself tensor arithmetic.
#include "core/autograd.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "ops/elementwise.h"
#include "ops/sparse.h"

namespace tg {

namespace {
thread_local bool g_grad_mode = true;
std::atomic<uint64_t> g_next_seq{1};
thread_local const char* g_current_module = "";
std::atomic<uint64_t> g_next_hook_id{1};

// Observers: a copy-on-write list, so notifying takes the lock only to copy one pointer and
// an observer may (un)install observers while being notified.
using ObserverList = std::vector<EngineObserver*>;
std::atomic<int> g_observer_count{0};
std::mutex g_observer_mutex;
std::shared_ptr<const ObserverList> g_observers = std::make_shared<const ObserverList>();

bool observed() { return g_observer_count.load(std::memory_order_relaxed) != 0; }

std::shared_ptr<const ObserverList> observers() {
  std::lock_guard lock(g_observer_mutex);
  return g_observers;
}

// Hooks of leaves, which have no node to hold them. Keyed by the TensorImpl; the weak
// pointer tells a live leaf from a dead one whose address was reused.
struct LeafHooks {
  std::weak_ptr<TensorImpl> leaf;
  std::vector<HookEntry> hooks;
};
std::atomic<int> g_leaf_hook_count{0};
std::mutex g_leaf_hook_mutex;
std::unordered_map<const TensorImpl*, LeafHooks> g_leaf_hooks;

std::vector<HookEntry> leaf_hooks_of(const TensorImpl* leaf) {
  if (g_leaf_hook_count.load(std::memory_order_relaxed) == 0) return {};
  std::lock_guard lock(g_leaf_hook_mutex);
  auto it = g_leaf_hooks.find(leaf);
  if (it == g_leaf_hooks.end()) return {};
  if (it->second.leaf.expired()) {  // a dead leaf's hooks: drop them
    g_leaf_hook_count.fetch_sub(static_cast<int>(it->second.hooks.size()), std::memory_order_relaxed);
    g_leaf_hooks.erase(it);
    return {};
  }
  return it->second.hooks;
}

bool has_leaf_hooks(const TensorImpl* leaf) {
  if (g_leaf_hook_count.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(g_leaf_hook_mutex);
  auto it = g_leaf_hooks.find(leaf);
  return it != g_leaf_hooks.end() && !it->second.leaf.expired();
}

// Runs `hooks` in order on `grad`; each may replace it (same shape and dtype).
Tensor apply_hooks(const std::vector<HookEntry>& hooks, Tensor grad, const char* what) {
  for (const HookEntry& h : hooks) {
    Tensor replaced = h.fn(grad);
    if (!replaced.defined()) continue;
    Shape want = grad.is_row_sparse() ? grad.dense_shape() : grad.shape();
    Shape got = replaced.is_row_sparse() ? replaced.dense_shape() : replaced.shape();
    check(got == want && replaced.dtype() == grad.dtype(),
          "gradient hook of {}: returned {} {} for a gradient of {} {}", what, replaced.dtype(), got, grad.dtype(),
          want);
    grad = std::move(replaced);
  }
  return grad;
}

}  // namespace

bool grad_mode_enabled() { return g_grad_mode; }
void set_grad_mode(bool enabled) { g_grad_mode = enabled; }

const char* intern_name(std::string_view name) {
  if (name.empty()) return "";
  static std::mutex mutex;
  static std::unordered_set<std::string>* names = new std::unordered_set<std::string>();  // never freed: pointers outlive statics
  std::lock_guard lock(mutex);
  return names->emplace(name).first->c_str();
}
const char* current_module() { return g_current_module; }
void set_current_module(const char* name) { g_current_module = name ? name : ""; }

void add_observer(EngineObserver* observer) {
  check(observer != nullptr, "add_observer: null observer");
  std::lock_guard lock(g_observer_mutex);
  auto next = std::make_shared<ObserverList>(*g_observers);
  next->push_back(observer);
  g_observers = std::move(next);
  g_observer_count.fetch_add(1, std::memory_order_relaxed);
}

void remove_observer(EngineObserver* observer) {
  std::lock_guard lock(g_observer_mutex);
  auto next = std::make_shared<ObserverList>(*g_observers);
  auto it = std::find(next->begin(), next->end(), observer);
  if (it == next->end()) return;
  next->erase(it);
  g_observers = std::move(next);
  g_observer_count.fetch_sub(1, std::memory_order_relaxed);
}

HookHandle register_hook(const Tensor& tensor, GradHook hook) {
  check(tensor.defined(), "register_hook: undefined tensor");
  check(tensor.requires_grad(), "register_hook: {} does not require grad, so no gradient will reach the hook",
        tensor.describe());
  check(static_cast<bool>(hook), "register_hook: empty function");
  HookHandle handle;
  handle.id_ = g_next_hook_id.fetch_add(1, std::memory_order_relaxed);
  if (!tensor.is_leaf()) {
    tensor.grad_fn()->hooks.push_back({handle.id_, std::move(hook)});
    handle.node_ = tensor.grad_fn();
    return handle;
  }
  std::lock_guard lock(g_leaf_hook_mutex);
  LeafHooks& entry = g_leaf_hooks[tensor.impl()];
  if (entry.leaf.expired()) {  // new, or the slot of a dead leaf at the same address
    g_leaf_hook_count.fetch_sub(static_cast<int>(entry.hooks.size()), std::memory_order_relaxed);
    entry = LeafHooks{tensor.impl_ptr(), {}};
  }
  entry.hooks.push_back({handle.id_, std::move(hook)});
  g_leaf_hook_count.fetch_add(1, std::memory_order_relaxed);
  handle.leaf_ = tensor.impl_ptr();
  return handle;
}

void HookHandle::remove() {
  auto drop = [&](std::vector<HookEntry>& hooks) {
    auto it = std::find_if(hooks.begin(), hooks.end(), [&](const HookEntry& h) { return h.id == id_; });
    if (it == hooks.end()) return false;
    hooks.erase(it);
    return true;
  };
  if (auto node = node_.lock()) drop(node->hooks);
  if (auto leaf = leaf_.lock()) {
    std::lock_guard lock(g_leaf_hook_mutex);
    auto it = g_leaf_hooks.find(leaf.get());
    if (it != g_leaf_hooks.end() && drop(it->second.hooks)) {
      g_leaf_hook_count.fetch_sub(1, std::memory_order_relaxed);
      if (it->second.hooks.empty()) g_leaf_hooks.erase(it);
    }
  }
  node_.reset();
  leaf_.reset();
}

bool needs_grad(std::initializer_list<Tensor> inputs) {
  if (!g_grad_mode) return false;
  for (const Tensor& t : inputs)
    if (t.requires_grad()) return true;
  return false;
}

bool needs_grad(const TensorList& inputs) {
  if (!g_grad_mode) return false;
  for (const Tensor& t : inputs)
    if (t.requires_grad()) return true;
  return false;
}

Node::~Node() {
  std::vector<std::shared_ptr<Node>> doomed;
  for (Edge& e : inputs)
    if (e.node) doomed.push_back(std::move(e.node));
  inputs.clear();
  while (!doomed.empty()) {
    std::shared_ptr<Node> n = std::move(doomed.back());
    doomed.pop_back();
    if (n.use_count() == 1) {  // we hold the last reference: take its parents before it dies
      for (Edge& e : n->inputs)
        if (e.node) doomed.push_back(std::move(e.node));
      n->inputs.clear();
    }
  }
}

void record(Tensor& out, const char* op, const TensorList& inputs, BackwardFn backward, RecordOptions options) {
  auto node = std::make_shared<Node>();
  node->op = op;
  node->seq = g_next_seq.fetch_add(1, std::memory_order_relaxed);
  node->inputs.reserve(inputs.size());
  for (const Tensor& in : inputs) {
    Edge e;
    if (in.defined() && in.requires_grad()) {
      if (in.grad_fn()) e.node = in.grad_fn();
      else e.leaf = in.impl_ptr();
      e.shape = in.shape();
      e.dtype = in.dtype();
    }
    node->inputs.push_back(std::move(e));
    if (options.check_input_versions && in.defined())
      node->saved_versions.emplace_back(in.storage(), in.storage()->version());
  }
  node->backward = std::move(backward);
  node->out_shape = out.shape();
  node->out_dtype = out.dtype();
  node->module = g_current_module;
  const Node& recorded = *node;
  out.impl()->grad_fn = std::move(node);
  out.impl()->requires_grad = true;
  if (observed()) [[unlikely]]
    for (EngineObserver* o : *observers()) o->on_record(recorded, out);
}

void accumulate_grad(TensorImpl& leaf, const Tensor& g, const char* op) {
  Shape g_shape = g.is_row_sparse() ? g.dense_shape() : g.shape();
  check(g_shape == leaf.shape, "backward of {}: gradient of shape {} for a tensor of shape {}", op, g_shape,
        leaf.shape);
  check(g.dtype() == leaf.dtype, "backward of {}: gradient of dtype {} for a tensor of dtype {}", op, g.dtype(),
        leaf.dtype);
  NoGradGuard no_grad;
  if (!leaf.grad) {
    // Steal the buffer when nothing else can see it; otherwise copy, since .grad is
    // later modified in place (accumulation, optimizers).
    bool sole_owner = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 && g.is_contiguous() &&
                      g.offset() == 0 && !g.is_row_sparse();
    leaf.grad = sole_owner ? g.impl_ptr() : (g.is_row_sparse() ? ops::coalesce_rows(g) : g.clone()).impl_ptr();
    return;
  }
  Tensor acc(leaf.grad);
  if (acc.is_row_sparse() && g.is_row_sparse()) {
    leaf.grad = ops::add_rows(acc, g).impl_ptr();  // stays sparse: O(rows touched)
  } else if (acc.is_row_sparse()) {
    Tensor dense = acc.to_dense();
    dense.add_(g);
    leaf.grad = dense.impl_ptr();
  } else if (g.is_row_sparse()) {
    ops::index_add_rows_(acc, g);
  } else {
    acc.add_(g);
  }
}

namespace {

// Nodes reachable from `root`, by an explicit-stack DFS (graphs can be long). Owning
// pointers: releasing a node's edges during the walk must not free a node still queued.
std::vector<std::shared_ptr<Node>> collect(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen{root.get()};
  std::vector<std::shared_ptr<Node>> stack{root};
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    for (const Edge& e : n->inputs)
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node);
    order.push_back(std::move(n));
  }
  return order;
}

void check_versions(const Node& n) {
  for (const auto& [weak, version] : n.saved_versions) {
    auto storage = weak.lock();
    check(!storage || storage->version() == version,
          "backward of {} (#{}): a tensor it saved for the gradient was modified in place after the op ran "
          "(version {} -> {}); clone it before the in-place write",
          n.op, n.seq, version, storage ? storage->version() : 0);
  }
}

}  // namespace

namespace {

// Tells the observers that a backward pass ended, however it ended.
struct BackwardEndNotice {
  bool active = observed();
  ~BackwardEndNotice() {
    if (active)
      for (EngineObserver* o : *observers()) o->on_backward_end();
  }
};

// Gradients of leaves that have hooks: summed over the whole pass, then hooked once.
struct HookedLeaf {
  std::shared_ptr<TensorImpl> leaf;
  Tensor grad;
  const char* op;
};

void add_to_hooked(std::vector<HookedLeaf>& hooked, const std::shared_ptr<TensorImpl>& leaf, const Tensor& g,
                   const char* op) {
  Tensor dense = g.is_row_sparse() ? g.to_dense() : g;
  for (HookedLeaf& h : hooked)
    if (h.leaf == leaf) {
      h.grad = ops::add(h.grad, dense);
      return;
    }
  hooked.push_back({leaf, dense, op});
}

std::string leaf_label(const TensorImpl& leaf) {
  return leaf.name.empty() ? fmt::format("a leaf {}", to_string(leaf.shape)) : fmt::format("'{}'", leaf.name);
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& seed, bool retain_graph) {
  check(root.defined(), "backward: called on an undefined tensor");
  check(root.requires_grad(),
        "backward: the tensor {} does not require grad (no input of its graph requires grad, or it was computed "
        "under NoGradGuard / detach())",
        root.describe());
  Tensor g = seed;
  if (!g.defined()) {
    check(root.numel() == 1,
          "backward: the output {} is not a scalar; pass a seed gradient of the same shape (tensor.backward(seed))",
          root.describe());
    g = ones_like(root);
  } else {
    check(g.shape() == root.shape() && g.dtype() == root.dtype() && g.device() == root.device(),
          "backward: seed gradient {} does not match the output {}", g.describe(), root.describe());
  }
  BackwardEndNotice end_notice;

  if (root.is_leaf()) {
    auto hooks = leaf_hooks_of(root.impl());
    if (!hooks.empty()) {
      NoGradGuard no_grad;
      g = apply_hooks(hooks, g, leaf_label(*root.impl()).c_str());
    }
    accumulate_grad(*root.impl(), g, "backward");
    return;
  }

  NoGradGuard no_grad;
  Node* top = root.grad_fn().get();
  check(!top->released,
        "backward: the graph through {} (#{}) was already freed by an earlier backward(); call the first "
        "backward with retain_graph=true to run backward twice",
        top->op, top->seq);

  std::vector<std::shared_ptr<Node>> nodes = collect(root.grad_fn());
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a->seq > b->seq; });

  std::unordered_map<Node*, Tensor> pending;  // gradient of each node's output, summed
  pending.reserve(nodes.size());
  pending[top] = g;
  std::vector<HookedLeaf> hooked;  // leaves with hooks: accumulated after the walk

  for (std::shared_ptr<Node>& owner : nodes) {
    Node* n = owner.get();
    auto it = pending.find(n);
    if (it == pending.end()) continue;  // no gradient reached this node
    Tensor grad_out = std::move(it->second);
    pending.erase(it);
    check(!n->released,
          "backward: the graph through {} (#{}) was already freed by an earlier backward(); call the first "
          "backward with retain_graph=true to run backward twice",
          n->op, n->seq);
    check_versions(*n);
    if (!n->hooks.empty()) grad_out = apply_hooks(n->hooks, grad_out, fmt::format("the output of {} (#{})", n->op, n->seq).c_str());
    if (auto kept = n->retained_output.lock()) accumulate_grad(*kept, grad_out, n->op);

    uint64_t mask = 0;
    for (size_t i = 0; i < n->inputs.size() && i < 64; ++i)
      if (n->inputs[i].wants_grad()) mask |= uint64_t{1} << i;
    const bool watched = observed();
    const auto started = watched ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    TensorList grads = n->backward(grad_out, InputMask(mask));
    check(grads.size() == n->inputs.size(), "backward of {}: returned {} gradients for {} inputs", n->op,
          grads.size(), n->inputs.size());
    if (watched) [[unlikely]] {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      for (EngineObserver* o : *observers()) o->on_backward(*n, grad_out, grads, seconds);
    }

    for (size_t i = 0; i < grads.size(); ++i) {
      const Edge& e = n->inputs[i];
      Tensor& gi = grads[i];
      if (!e.wants_grad() || !gi.defined()) continue;
      Shape gs = gi.is_row_sparse() ? gi.dense_shape() : gi.shape();
      check(gs == e.shape, "backward of {} (#{}): gradient for input {} has shape {}, the input has shape {}",
            n->op, n->seq, i, gs, e.shape);
      if (e.leaf) {
        if (has_leaf_hooks(e.leaf.get())) [[unlikely]]
          add_to_hooked(hooked, e.leaf, gi, n->op);
        else
          accumulate_grad(*e.leaf, gi, n->op);
      } else {
        Tensor& slot = pending[e.node.get()];
        if (gi.is_row_sparse()) gi = gi.to_dense();  // inner nodes work with dense gradients
        // Out of place: a closure may hand the same tensor to several inputs.
        slot = slot.defined() ? ops::add(slot, gi) : gi;
      }
    }
    if (!retain_graph) {
      n->backward = nullptr;
      n->inputs.clear();
      n->saved_versions.clear();
      n->released = true;
    }
    owner.reset();  // the walk never returns to n: free it now unless a tensor still holds it
  }
  for (HookedLeaf& h : hooked)
    accumulate_grad(*h.leaf, apply_hooks(leaf_hooks_of(h.leaf.get()), h.grad, leaf_label(*h.leaf).c_str()), h.op);
}

void Tensor::backward(const Tensor& seed, bool retain_graph) const { run_backward(*this, seed, retain_graph); }

void Tensor::retain_grad() {
  check(defined(), "retain_grad: undefined tensor");
  check(requires_grad(), "retain_grad: {} does not require grad", describe());
  if (is_leaf()) return;  // leaves keep their gradient anyway
  impl()->retains_grad = true;
  grad_fn()->retained_output = impl_ptr();
}

std::vector<std::shared_ptr<Node>> tape_of(const Tensor& root) {
  std::vector<std::shared_ptr<Node>> out;
  if (!root.defined() || !root.grad_fn()) return out;
  std::unordered_set<Node*> seen{root.grad_fn().get()};
  std::vector<std::shared_ptr<Node>> stack{root.grad_fn()};
  while (!stack.empty()) {
    auto n = stack.back();
    stack.pop_back();
    out.push_back(n);
    for (const Edge& e : n->inputs)
      if (e.node && seen.insert(e.node.get()).second) stack.push_back(e.node);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->seq < b->seq; });
  return out;
}

std::string tape_str(const Tensor& root) {
  std::string s;
  for (const auto& n : tape_of(root)) {
    std::vector<std::string> ins;
    for (const Edge& e : n->inputs) {
      if (e.node) ins.push_back(fmt::format("#{}", e.node->seq));
      else if (e.leaf) ins.push_back(e.leaf->name.empty() ? fmt::format("leaf{}", to_string(e.shape)) : e.leaf->name);
      else ins.push_back("-");
    }
    s += fmt::format("#{:<6} {:<16} -> {} {:<16} inputs: {}{}{}\n", n->seq, n->op, n->out_dtype,
                     to_string(n->out_shape), fmt::join(ins, ", "), *n->module ? fmt::format("  in {}", n->module) : "",
                     n->released ? "  (freed)" : "");
  }
  return s;
}

}  // namespace tg
