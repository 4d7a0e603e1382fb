#include "inspect/trace.h"

#include <fmt/format.h>

#include <algorithm>

namespace tg {

TapeTrace::TapeTrace() {
  watching_ = true;
  add_observer(this);
}

TapeTrace::~TapeTrace() { stop(); }

void TapeTrace::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!watching_) return;
    watching_ = false;
  }
  remove_observer(this);
}

void TapeTrace::on_record(const Node& node, const Tensor& out) {
  TraceEntry e;
  e.seq = node.seq;
  e.op = node.op;
  e.shape = node.out_shape;
  e.dtype = node.out_dtype;
  for (const Edge& in : node.inputs) {
    if (in.node) e.inputs.push_back(fmt::format("#{}", in.node->seq));
    else if (in.leaf) e.inputs.push_back(in.leaf->name.empty() ? fmt::format("leaf{}", to_string(in.leaf->shape)) : in.leaf->name);
    else e.inputs.push_back("-");
  }
  e.value = value_stats(out);
  std::lock_guard lock(mutex_);
  e.module = attribution_.owner_of(node);
  entries_[node.seq] = std::move(e);
}

void TapeTrace::on_backward(const Node& node, const Tensor& grad_output, const TensorList&, double seconds) {
  ValueStats g = value_stats(grad_output);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(node.seq);
  if (it == entries_.end()) {  // recorded before the trace began: list it with what is known now
    TraceEntry e;
    e.seq = node.seq;
    e.op = node.op;
    e.shape = node.out_shape;
    e.dtype = node.out_dtype;
    e.module = node.module;
    it = entries_.emplace(node.seq, std::move(e)).first;
  }
  it->second.has_grad = true;
  it->second.grad = g;
  it->second.backward_ms += seconds * 1e3;
}

std::vector<TraceEntry> TapeTrace::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<TraceEntry> out;
  out.reserve(entries_.size());
  for (const auto& [seq, e] : entries_) out.push_back(e);
  return out;
}

std::string TapeTrace::table() const {
  const auto all = entries();
  size_t op_w = 2, mod_w = 6, shape_w = 5;
  for (const auto& e : all) {
    op_w = std::max(op_w, e.op.size());
    mod_w = std::max(mod_w, e.module.size());
    shape_w = std::max(shape_w, to_string(e.shape).size());
  }
  std::string out = fmt::format("{:>7}  {:<{}}  {:<{}}  {:<{}}  {:>10} {:>10} {:>10} {:>10}  {:>10} {:>10}  {}\n", "#",
                                "op", op_w, "module", mod_w, "shape", shape_w, "mean", "std", "min", "max",
                                "grad norm", "max|grad|", "inputs");
  int64_t nonfinite = 0, with_grad = 0;
  for (const auto& e : all) {
    std::string value = e.value.count == 0 ? fmt::format("{:>10} {:>10} {:>10} {:>10}", "-", "-", "-", "-")
                                           : fmt::format("{:>10.3e} {:>10.3e} {:>10.3e} {:>10.3e}", e.value.mean,
                                                         e.value.std, e.value.min, e.value.max);
    std::string grad = e.has_grad ? fmt::format("{:>10.3e} {:>10.3e}", e.grad.norm, e.grad.max_abs)
                                  : fmt::format("{:>10} {:>10}", "-", "-");
    std::string notes;
    if (e.value.nonfinite) notes += fmt::format("  [{} non-finite values]", e.value.nonfinite);
    if (e.grad.nonfinite) notes += fmt::format("  [{} non-finite gradients]", e.grad.nonfinite);
    nonfinite += e.value.nonfinite + e.grad.nonfinite;
    with_grad += e.has_grad;
    out += fmt::format("{:>7}  {:<{}}  {:<{}}  {:<{}}  {}  {}  {}{}\n", e.seq, e.op, op_w,
                       e.module.empty() ? "-" : e.module, mod_w, to_string(e.shape), shape_w, value, grad,
                       fmt::join(e.inputs, ","), notes);
  }
  out += fmt::format("{} ops, {} reached by the gradient, {} non-finite values\n", all.size(), with_grad, nonfinite);
  return out;
}

}  // namespace tg
