#include "nn/module.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "core/autograd.h"
#include "core/error.h"

namespace tg::nn {

static std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

void Module::check_new_name(const std::string& name) const {
  check(!name.empty() && name.find('.') == std::string::npos,
        "Module: name '{}' must be non-empty and contain no '.' (dots join nested names)", name);
  auto taken = [&](const auto& entries) {
    return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.name == name; });
  };
  // describe() only on failure: during construction a subclass's members are not ready yet.
  if (taken(params_) || taken(buffers_) || taken(children_))
    fail("Module {}: name '{}' is already registered", path().empty() ? std::string("(root)") : path(), name);
}

Tensor Module::add_param(const std::string& name, Tensor value, ParamRole role) {
  check_new_name(name);
  check(value.defined(), "Module::add_param('{}'): undefined tensor", name);
  check(is_floating(value.dtype()), "Module::add_param('{}'): parameters must be floating point, got {}", name,
        value.dtype());
  check(value.grad_fn() == nullptr, "Module::add_param('{}'): a parameter must be a leaf (detach() it first)", name);
  value.set_requires_grad(true);
  value.set_name(join(path(), name));
  params_.push_back({name, value, role});
  return value;
}

Tensor Module::add_buffer(const std::string& name, Tensor value) {
  check_new_name(name);
  check(value.defined(), "Module::add_buffer('{}'): undefined tensor", name);
  value.set_name(join(path(), name));
  buffers_.push_back({name, value});
  return value;
}

void Module::adopt(const std::string& name, std::unique_ptr<Module> child) {
  check_new_name(name);
  check(child != nullptr, "Module::add('{}'): null child", name);
  check(child->parent_ == nullptr, "Module::add('{}'): the child already has a parent", name);
  child->parent_ = this;
  child->name_in_parent_ = name;
  child->refresh_names();
  child->train(training_);
  children_.push_back({name, std::move(child)});
}

std::string Module::path() const {
  return parent_ ? join(parent_->path(), name_in_parent_) : std::string();
}

// Children can be added after their parent was itself adopted (ModuleList::emplace_back),
// so names are recomputed from the root rather than prefixed once.
void Module::refresh_names() {
  scope_name_ = nullptr;
  const std::string prefix = path();
  for (auto& p : params_) p.value.set_name(join(prefix, p.name));
  for (auto& b : buffers_) b.value.set_name(join(prefix, b.name));
  for (auto& c : children_) c.module->refresh_names();
}

void Module::collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const {
  for (const auto& p : params_) out.push_back({join(prefix, p.name), p.value, p.role});
  for (const auto& c : children_) c.module->collect_parameters(join(prefix, c.name), out);
}

void Module::collect_buffers(const std::string& prefix, std::vector<NamedBuffer>& out) const {
  for (const auto& b : buffers_) out.push_back({join(prefix, b.name), b.value});
  for (const auto& c : children_) c.module->collect_buffers(join(prefix, c.name), out);
}

void Module::collect_modules(const std::string& prefix, std::vector<std::pair<std::string, Module*>>& out) {
  out.emplace_back(prefix, this);
  for (auto& c : children_) c.module->collect_modules(join(prefix, c.name), out);
}

std::vector<NamedParameter> Module::named_parameters() const {
  std::vector<NamedParameter> out;
  collect_parameters("", out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& p : named_parameters()) out.push_back(p.value);
  return out;
}

std::vector<NamedBuffer> Module::named_buffers() const {
  std::vector<NamedBuffer> out;
  collect_buffers("", out);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_children() const {
  std::vector<std::pair<std::string, Module*>> out;
  for (const auto& c : children_) out.emplace_back(c.name, c.module.get());
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  collect_modules("", out);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& p : named_parameters()) n += p.value.numel();
  return n;
}

void Module::train(bool on) {
  const bool changed = training_ != on;
  training_ = on;
  for (auto& c : children_) c.module->train(on);
  if (changed) on_mode_change();
}

namespace {

// Points the shared TensorImpl at a contiguous copy, so every handle follows.
void replace_in_place(const Tensor& t, const Tensor& copy) {
  TensorImpl* impl = t.impl();
  impl->storage = copy.storage();
  impl->strides = copy.strides();
  impl->offset = copy.offset();
  impl->dtype = copy.dtype();
  impl->grad.reset();
}

}  // namespace

void Module::to(Device device) {
  NoGradGuard no_grad;
  auto move = [&](const Tensor& t) {
    if (t.device() != device) replace_in_place(t, t.detach().to(device).contiguous());
  };
  for (const NamedParameter& p : named_parameters()) move(p.value);
  for (const NamedBuffer& b : named_buffers()) move(b.value);
}

void Module::to(DType dtype) {
  check(is_floating(dtype), "{}: modules hold floating tensors; cannot convert them to {}", describe(), dtype);
  NoGradGuard no_grad;
  auto convert = [&](const Tensor& t) {
    if (t.dtype() != dtype) replace_in_place(t, t.detach().to(dtype).contiguous());
  };
  for (const NamedParameter& p : named_parameters()) convert(p.value);
  for (const NamedBuffer& b : named_buffers())
    if (is_floating(b.value.dtype())) convert(b.value);
}

Device Module::device() const {
  std::vector<std::pair<std::string, Tensor>> all;
  for (const NamedParameter& p : named_parameters()) all.emplace_back(p.name, p.value);
  for (const NamedBuffer& b : named_buffers()) all.emplace_back(b.name, b.value);
  if (all.empty()) return Device::cpu();
  const Device first = all.front().second.device();
  for (const auto& [name, t] : all)
    check(t.device() == first, "{}: parameters on two devices: '{}' on {}, '{}' on {}", describe(),
          all.front().first, first, name, t.device());
  return first;
}

void Module::zero_grad() {
  for (auto& p : named_parameters()) p.value.zero_grad();
}

StateDict Module::state_dict() const {
  StateDict out;
  for (auto& p : named_parameters()) out.emplace(p.name, p.value);
  for (auto& b : named_buffers()) out.emplace(b.name, b.value);
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  StateDict mine = state_dict();
  std::vector<std::string> problems;
  for (const auto& [name, dst] : mine) {
    auto it = state.find(name);
    if (it == state.end()) {
      if (strict) problems.push_back(fmt::format("missing '{}' ({} {})", name, dst.dtype(), dst.shape()));
      continue;
    }
    const Tensor& src = it->second;
    if (!src.defined()) {
      problems.push_back(fmt::format("'{}' is an undefined tensor", name));
    } else if (src.dtype() != dst.dtype() || src.shape() != dst.shape()) {
      problems.push_back(fmt::format("'{}': expected {} {}, got {} {}", name, dst.dtype(), dst.shape(), src.dtype(),
                                     src.shape()));
    }
  }
  if (strict) {
    for (const auto& [name, src] : state)
      if (!mine.count(name)) problems.push_back(fmt::format("unexpected '{}' ({} {})", name, src.dtype(), src.shape()));
  }
  if (!problems.empty())
    fail("load_state_dict: {} problem(s): {}", problems.size(), fmt::join(problems, "; "));
  NoGradGuard no_grad;  // copying into parameters is not part of any graph
  for (auto& [name, dst] : mine) {
    auto it = state.find(name);
    if (it != state.end()) dst.copy_(it->second.to(dst.device()));  // a checkpoint read on the cpu
  }
}

std::string Module::summary() const {
  auto params = named_parameters();
  auto buffers = named_buffers();
  size_t width = 4;
  for (auto& p : params) width = std::max(width, p.name.size());
  for (auto& b : buffers) width = std::max(width, b.name.size());
  std::string out = fmt::format("{}\n{:<{}}  {:<16} {:>12}\n", describe(), "name", width, "shape", "count");
  for (auto& p : params)
    out += fmt::format("{:<{}}  {:<16} {:>12}{}\n", p.name, width, to_string(p.value.shape()), p.value.numel(),
                       p.role == ParamRole::Embedding ? "  (embedding)" : "");
  for (auto& b : buffers)
    out += fmt::format("{:<{}}  {:<16} {:>12}  (buffer)\n", b.name, width, to_string(b.value.shape()),
                       b.value.numel());
  out += fmt::format("total trainable parameters: {}\n", num_parameters());
  return out;
}

const char* Module::scope_name() const {
  if (!scope_name_) scope_name_ = intern_name(path());
  return scope_name_;
}

uint64_t Module::register_forward_hook(ForwardHook hook) {
  check(static_cast<bool>(hook), "Module::register_forward_hook: empty function");
  static std::atomic<uint64_t> next_id{1};
  const uint64_t id = next_id.fetch_add(1, std::memory_order_relaxed);
  forward_hooks_.emplace_back(id, std::move(hook));
  return id;
}

void Module::remove_forward_hook(uint64_t id) {
  std::erase_if(forward_hooks_, [&](const auto& h) { return h.first == id; });
}

Tensor Module::run_forward_hooks(const Tensor& output) const {
  Tensor result = output;
  for (const auto& [id, hook] : forward_hooks_) {
    Tensor replaced = hook(*this, result);
    if (replaced.defined()) result = std::move(replaced);
  }
  return result;
}

ModuleScope::ModuleScope(const Module& module) : module_(module), previous_(current_module()) {
  set_current_module(module.scope_name());
}

ModuleScope::~ModuleScope() { set_current_module(previous_); }

Module& ModuleList::operator[](size_t i) const {
  check(i < items_.size(), "ModuleList: index {} out of range (size {})", i, items_.size());
  return *items_[i];
}

std::string ModuleList::describe() const { return fmt::format("ModuleList({})", items_.size()); }

}  // namespace tg::nn
