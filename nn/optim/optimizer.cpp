#include "nn/optim/optimizer.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"
#include "nn/optim/update_cuda.h"
#include "ops/dispatch.h"
#include "ops/sparse.h"

namespace tg::nn {

std::vector<ParamGroup> make_param_groups(const std::vector<NamedParameter>& params, double lr, double weight_decay,
                                          std::optional<double> embedding_weight_decay) {
  ParamGroup dense{.params = {}, .lr = lr, .weight_decay = weight_decay};
  ParamGroup tables{.params = {}, .lr = lr, .weight_decay = embedding_weight_decay.value_or(weight_decay)};
  for (const auto& p : params) {
    ParamGroup& g = p.role == ParamRole::Embedding ? tables : dense;
    g.params.push_back(p.value);
    g.names.push_back(p.name);
  }
  std::vector<ParamGroup> out;
  if (!dense.params.empty()) out.push_back(std::move(dense));
  if (!tables.params.empty()) out.push_back(std::move(tables));
  return out;
}

Optimizer::Optimizer(std::vector<ParamGroup> groups, std::vector<std::string> buffer_names,
                     std::vector<double> buffer_init)
    : groups_(std::move(groups)), buffer_names_(std::move(buffer_names)), buffer_init_(std::move(buffer_init)) {
  check(buffer_names_.size() <= kMaxBuffers && buffer_init_.size() == buffer_names_.size(),
        "optimizer: {} state buffers (at most {})", buffer_names_.size(), kMaxBuffers);
  std::set<const TensorImpl*> seen;
  std::map<std::string, int> uses;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const ParamGroup& grp = groups_[g];
    check(grp.lr >= 0, "optimizer: group {} has a negative learning rate {}", g, grp.lr);
    check(grp.weight_decay >= 0, "optimizer: group {} has a negative weight decay {}", g, grp.weight_decay);
    check(grp.names.empty() || grp.names.size() == grp.params.size(),
          "optimizer: group {} has {} names for {} parameters", g, grp.names.size(), grp.params.size());
    for (size_t i = 0; i < grp.params.size(); ++i) {
      const Tensor& p = grp.params[i];
      check(p.defined(), "optimizer: group {} holds an undefined tensor at position {}", g, i);
      std::string key = !grp.names.empty() && !grp.names[i].empty() ? grp.names[i]
                        : !p.name().empty()                         ? p.name()
                                                                    : fmt::format("param.{}", keys_.size());
      check(is_floating(p.dtype()), "optimizer: parameter '{}' is {}, not floating point", key, p.dtype());
      check(p.is_contiguous(), "optimizer: parameter '{}' {} is not contiguous", key, p.shape());
      check(p.grad_fn() == nullptr, "optimizer: '{}' is not a leaf tensor", key);
      check(seen.insert(p.impl()).second, "optimizer: parameter '{}' appears twice", key);
      if (int k = uses[key]++; k > 0) key = fmt::format("{}#{}", key, k);
      keys_.push_back(std::move(key));
    }
  }
  states_.resize(keys_.size());
}

const ParamGroup& Optimizer::group(size_t g) const {
  check(g < groups_.size(), "optimizer: group {} out of range ({} groups)", g, groups_.size());
  return groups_[g];
}
double Optimizer::lr(size_t g) const { return group(g).lr; }
void Optimizer::set_lr(double lr, size_t g) {
  check(lr >= 0, "optimizer: negative learning rate {}", lr);
  group(g);
  groups_[g].lr = lr;
}
void Optimizer::set_lr_all(double lr) {
  for (size_t g = 0; g < groups_.size(); ++g) set_lr(lr, g);
}

void Optimizer::zero_grad() {
  for (auto& g : groups_)
    for (auto& p : g.params) p.zero_grad();
}

void Optimizer::step() {
  NoGradGuard no_grad;
  size_t flat = 0;
  for (auto& g : groups_) {
    for (auto& p : g.params) {
      ParamState& state = states_[flat++];
      if (!p.grad().defined()) continue;
      update_param(p, state, {state.step + 1, g.lr, g.weight_decay});
    }
  }
}

namespace {
// Row ids of a row-sparse gradient, checked (in range) and coalesced (unique, ascending) if
// a caller built it by hand: duplicate rows would be updated twice.
bool rows_coalesced(const int64_t* row, int64_t n, int64_t dense_rows, const std::string& name) {
  bool sorted = true;
  for (int64_t i = 0; i < n; ++i) {
    check(row[i] >= 0 && row[i] < dense_rows, "optimizer: the sparse gradient of '{}' lists row {} of {}", name,
          row[i], dense_rows);
    sorted = sorted && (i == 0 || row[i] > row[i - 1]);
  }
  return sorted;
}
}  // namespace

void Optimizer::update_param(Tensor& param, ParamState& state, const StepInfo& info) {
  const std::string& key = keys_[static_cast<size_t>(&state - states_.data())];
  Tensor grad = param.grad();
  check(grad.dtype() == param.dtype(), "optimizer: '{}' is {} but its gradient is {}", key, param.dtype(),
        grad.dtype());
  const Shape gshape = grad.is_row_sparse() ? grad.dense_shape() : grad.shape();
  check(gshape == param.shape(), "optimizer: '{}' {} has a gradient of shape {}", key, param.shape(), gshape);
  if (state.buffers.empty()) {
    for (size_t b = 0; b < buffer_names_.size(); ++b)
      state.buffers.push_back(full(param.shape(), buffer_init_[b], {.dtype = param.dtype(), .device = param.device()}));
  }
  ++state.step;
  // In-place writes: a graph that saved the parameter before this step must refuse to
  // run backward with the new values (core/autograd.h, saved versions).
  param.storage()->bump_version();
  for (auto& b : state.buffers) b.storage()->bump_version();
  if (param.device().is_cuda()) {
    // The same rule on the GPU: one kernel over the dense tensor or the listed rows. A CUDA
    // row-sparse gradient comes from the embedding kernel with unique ascending rows.
    check(grad.device() == param.device(), "optimizer: '{}' is on {} but its gradient on {}", key, param.device(),
          grad.device());
    std::array<Tensor, 3> buffers;
    for (size_t b = 0; b < state.buffers.size(); ++b) buffers[b] = state.buffers[b];
    const bool sparse = grad.is_row_sparse();
    if (sparse && (param.dim() == 0 || param.size(0) == 0)) return;
    TG_CUDA_KERNEL("optimizer step", update_on_device(device_rule(info), param, sparse ? grad.detach() : grad,
                                                      sparse ? grad.row_index().contiguous() : Tensor(), buffers));
    return;
  }
  const size_t esize = param.element_size();
  char* pbase = static_cast<char*>(param.raw_data());
  std::array<char*, kMaxBuffers> bbase{};
  for (size_t b = 0; b < state.buffers.size(); ++b) bbase[b] = static_cast<char*>(state.buffers[b].raw_data());
  auto offset = [&](char* base, int64_t elements) -> void* {
    return base ? base + static_cast<size_t>(elements) * esize : nullptr;
  };
  const bool is_double = param.dtype() == DType::Float64;

  if (grad.is_row_sparse()) {
    if (param.dim() == 0 || param.size(0) == 0) return;
    Tensor rows = grad.row_index().contiguous();
    if (!rows_coalesced(rows.data<int64_t>(), rows.numel(), param.size(0), key)) {
      grad = ops::coalesce_rows(grad);
      rows = grad.row_index().contiguous();
    }
    Tensor values = grad.contiguous();
    const int64_t n_rows = rows.numel();
    const int64_t width = param.numel() / param.size(0);
    const int64_t* row = rows.data<int64_t>();
    const char* gbase = static_cast<const char*>(values.raw_data());
    parallel_for(n_rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(width, 1)),
                 [&](int64_t lo, int64_t hi) {
                   Block b{pbase,
                           gbase + static_cast<size_t>(lo * width) * esize,
                           {bbase[0], bbase[1], bbase[2]},
                           row + lo,
                           hi - lo,
                           width,
                           is_double};
                   update(b, info);
                 });
    return;
  }
  Tensor g = grad.contiguous();
  const char* gbase = static_cast<const char*>(g.raw_data());
  parallel_for(param.numel(), kParallelGrain, [&](int64_t lo, int64_t hi) {
    Block b{offset(pbase, lo),
            gbase + static_cast<size_t>(lo) * esize,
            {offset(bbase[0], lo), offset(bbase[1], lo), offset(bbase[2], lo)},
            nullptr,
            1,
            hi - lo,
            is_double};
    update(b, info);
  });
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  for (size_t g = 0; g < groups_.size(); ++g) out[fmt::format("lr.{}", g)] = full({1}, groups_[g].lr, {.dtype = kFloat64});
  for (size_t i = 0; i < states_.size(); ++i) {
    const std::string& key = keys_[i];
    out["step." + key] = full({1}, static_cast<double>(states_[i].step), {.dtype = kInt64});
    for (size_t b = 0; b < states_[i].buffers.size(); ++b) out[buffer_names_[b] + "." + key] = states_[i].buffers[b];
  }
  return out;
}

void Optimizer::load_state_dict(const StateDict& state) {
  std::vector<std::string> problems;
  std::set<std::string> used;
  auto need = [&](const std::string& key, const Shape& shape, DType dtype) -> const Tensor* {
    auto it = state.find(key);
    if (it == state.end()) {
      problems.push_back(fmt::format("missing '{}'", key));
      return nullptr;
    }
    used.insert(key);
    if (!it->second.defined() || it->second.shape() != shape || it->second.dtype() != dtype) {
      problems.push_back(it->second.defined() ? fmt::format("'{}': expected {} {}, got {} {}", key, dtype, shape,
                                                            it->second.dtype(), it->second.shape())
                                              : fmt::format("'{}': undefined tensor", key));
      return nullptr;
    }
    return &it->second;
  };
  std::vector<double> lrs(groups_.size(), 0.0);
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string key = fmt::format("lr.{}", g);
    if (const Tensor* t = need(key, {1}, kFloat64)) {
      lrs[g] = t->item();
      if (!(lrs[g] >= 0)) problems.push_back(fmt::format("'{}': learning rate {} is not >= 0", key, lrs[g]));
    }
  }
  std::vector<int64_t> steps(keys_.size(), 0);
  std::vector<const Tensor*> found;  // keys_.size() * buffer count
  size_t i = 0;
  for (const auto& grp : groups_)
    for (const auto& p : grp.params) {
      const std::string& key = keys_[i];
      if (const Tensor* step = need("step." + key, {1}, kInt64)) {
        steps[i] = static_cast<int64_t>(step->item());
        if (steps[i] < 0) problems.push_back(fmt::format("'step.{}': negative step count {}", key, steps[i]));
      }
      for (const auto& b : buffer_names_) found.push_back(steps[i] > 0 ? need(b + "." + key, p.shape(), p.dtype()) : nullptr);
      ++i;
    }
  for (const auto& [key, t] : state)
    if (!used.count(key)) problems.push_back(fmt::format("unexpected '{}'", key));
  if (!problems.empty())
    fail("{}: load_state_dict: {} problem(s): {}", name(), problems.size(), fmt::join(problems, "; "));

  NoGradGuard no_grad;
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].lr = lrs[g];
  const size_t nb = buffer_names_.size();
  std::vector<Device> devices;  // of each parameter, flat like states_
  for (const auto& grp : groups_)
    for (const auto& p : grp.params) devices.push_back(p.device());
  for (size_t k = 0; k < states_.size(); ++k) {
    ParamState& st = states_[k];
    st.step = steps[k];
    st.buffers.clear();
    if (st.step > 0)
      for (size_t b = 0; b < nb; ++b)  // on the parameter's device (checkpoints are read on the cpu)
        st.buffers.push_back(found[k * nb + b]->to(devices[k]).clone());
  }
}

}  // namespace tg::nn
