#include "nn/optim/optimizer.h"

#include <fmt/format.h>

#include <set>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"

namespace tg::nn {

std::vector<ParamGroup> make_param_groups(const std::vector<NamedParameter>& params, double lr, double weight_decay,
                                          std::optional<double> embedding_weight_decay) {
  ParamGroup dense{{}, lr, weight_decay}, tables{{}, lr, embedding_weight_decay.value_or(weight_decay)};
  for (const auto& p : params) (p.role == ParamRole::Embedding ? tables : dense).params.push_back(p.value);
  std::vector<ParamGroup> out;
  if (!dense.params.empty()) out.push_back(std::move(dense));
  if (!tables.params.empty()) out.push_back(std::move(tables));
  return out;
}

Optimizer::Optimizer(std::vector<ParamGroup> groups, std::vector<std::string> buffer_names,
                     std::vector<double> buffer_init)
    : groups_(std::move(groups)), buffer_names_(std::move(buffer_names)), buffer_init_(std::move(buffer_init)) {
  size_t count = 0;
  std::set<const TensorImpl*> seen;
  for (size_t g = 0; g < groups_.size(); ++g) {
    check(groups_[g].lr >= 0, "optimizer: group {} has a negative learning rate {}", g, groups_[g].lr);
    check(groups_[g].weight_decay >= 0, "optimizer: group {} has a negative weight decay {}", g,
          groups_[g].weight_decay);
    for (const auto& p : groups_[g].params) {
      check(p.defined(), "optimizer: group {} holds an undefined tensor", g);
      check(is_floating(p.dtype()), "optimizer: parameter '{}' is {}, not floating point", p.name(), p.dtype());
      check(p.is_contiguous(), "optimizer: parameter '{}' {} is not contiguous", p.name(), p.shape());
      check(p.grad_fn() == nullptr, "optimizer: '{}' is not a leaf tensor", p.name());
      check(seen.insert(p.impl()).second, "optimizer: parameter '{}' appears twice", p.name());
      ++count;
    }
  }
  states_.resize(count);
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

void Optimizer::update_param(Tensor& param, ParamState& state, const StepInfo& info) {
  Tensor grad = param.grad();
  if (state.buffers.empty()) {
    for (size_t b = 0; b < buffer_names_.size(); ++b)
      state.buffers.push_back(full(param.shape(), buffer_init_[b], {.dtype = param.dtype()}));
  }
  ++state.step;
  const bool is_double = param.dtype() == DType::Float64;
  const size_t esize = param.element_size();
  auto run = [&](const Slice& s) { is_double ? update_double(s, info) : update_float(s, info); };
  char* pbase = static_cast<char*>(param.raw_data());
  std::vector<char*> bbase;
  for (auto& b : state.buffers) bbase.push_back(static_cast<char*>(b.raw_data()));

  if (grad.is_row_sparse()) {
    Tensor values = grad.contiguous();
    check(values.dtype() == param.dtype(), "optimizer: '{}' has a {} gradient for a {} parameter", param.name(),
          values.dtype(), param.dtype());
    Tensor rows = grad.row_index().contiguous();
    const int64_t n_rows = rows.numel();
    const int64_t width = param.shape()[0] > 0 ? param.numel() / param.shape()[0] : 0;
    const int64_t* row = rows.data<int64_t>();
    const char* gbase = static_cast<const char*>(values.raw_data());
    parallel_for(n_rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(width, 1)), [&](int64_t lo, int64_t hi) {
      Slice s{nullptr, nullptr, std::vector<void*>(bbase.size()), width};
      for (int64_t i = lo; i < hi; ++i) {
        const size_t at = static_cast<size_t>(row[i] * width) * esize;
        s.param = pbase + at;
        s.grad = gbase + static_cast<size_t>(i * width) * esize;
        for (size_t b = 0; b < bbase.size(); ++b) s.state[b] = bbase[b] + at;
        run(s);
      }
    });
    return;
  }
  check(grad.shape() == param.shape() && grad.dtype() == param.dtype(),
        "optimizer: '{}' {} {} has a gradient {} {}", param.name(), param.dtype(), param.shape(), grad.dtype(),
        grad.shape());
  Tensor g = grad.contiguous();
  const char* gbase = static_cast<const char*>(g.raw_data());
  parallel_for(param.numel(), kParallelGrain, [&](int64_t lo, int64_t hi) {
    Slice s{pbase + static_cast<size_t>(lo) * esize, gbase + static_cast<size_t>(lo) * esize,
            std::vector<void*>(bbase.size()), hi - lo};
    for (size_t b = 0; b < bbase.size(); ++b) s.state[b] = bbase[b] + static_cast<size_t>(lo) * esize;
    run(s);
  });
}

std::string Optimizer::param_key(size_t flat_index) const {
  size_t i = 0;
  for (const auto& g : groups_)
    for (const auto& p : g.params) {
      if (i == flat_index) return p.name().empty() ? fmt::format("param.{}", flat_index) : p.name();
      ++i;
    }
  fail("optimizer: parameter index {} out of range", flat_index);
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  for (size_t g = 0; g < groups_.size(); ++g) out[fmt::format("lr.{}", g)] = full({1}, groups_[g].lr, {.dtype = kFloat64});
  for (size_t i = 0; i < states_.size(); ++i) {
    const std::string key = param_key(i);
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
    if (it->second.shape() != shape || it->second.dtype() != dtype) {
      problems.push_back(fmt::format("'{}': expected {} {}, got {} {}", key, dtype, shape, it->second.dtype(),
                                     it->second.shape()));
      return nullptr;
    }
    return &it->second;
  };
  for (size_t g = 0; g < groups_.size(); ++g) need(fmt::format("lr.{}", g), {1}, kFloat64);
  size_t i = 0;
  std::vector<const Tensor*> found;
  for (const auto& grp : groups_)
    for (const auto& p : grp.params) {
      const std::string key = param_key(i++);
      const Tensor* step = need("step." + key, {1}, kInt64);
      const bool started = step && step->item() > 0;
      for (const auto& b : buffer_names_) found.push_back(started ? need(b + "." + key, p.shape(), p.dtype()) : nullptr);
    }
  for (const auto& [key, t] : state)
    if (!used.count(key)) problems.push_back(fmt::format("unexpected '{}'", key));
  if (!problems.empty())
    fail("{}: load_state_dict: {} problem(s): {}", name(), problems.size(), fmt::join(problems, "; "));

  NoGradGuard no_grad;
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].lr = state.at(fmt::format("lr.{}", g)).item();
  i = 0;
  size_t f = 0;
  for (const auto& grp : groups_)
    for (const auto& p : grp.params) {
      ParamState& st = states_[i];
      st.step = static_cast<int64_t>(state.at("step." + param_key(i)).item());
      st.buffers.clear();
      for (size_t b = 0; b < buffer_names_.size(); ++b, ++f)
        if (found[f]) st.buffers.push_back(found[f]->clone());
      (void)p;
      ++i;
    }
}

}  // namespace tg::nn
