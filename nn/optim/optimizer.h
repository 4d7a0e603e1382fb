#pragma once
// Optimizer: parameter groups (each with its own lr and weight decay), per-parameter state,
// zero_grad(), step(), and a state_dict for resuming.
//
// Sparse rows: when a parameter's .grad is row-sparse (an embedding table with sparse_grad,
// ops/sparse.h) the update touches only the listed rows: the per-row arithmetic is exactly
// the dense rule applied to those rows, the state of untouched rows is left as it is (for
// Adam that is PyTorch's SparseAdam "lazy" behaviour: untouched moments are not decayed),
// and weight decay applies to the touched rows only. A step costs O(rows touched * dim).
//
// state_dict() keys, for a parameter named P (Tensor::name(), as Module sets it; "param.<i>"
// when unnamed): "<buffer>.P" for each state buffer (e.g. "exp_avg.emb.weight") and
// "step.P" (int64 [1]); "lr.<group>" (float64 [1]) per group. Saved by nn/io/checkpoint.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/module.h"

namespace tg::nn {

struct ParamGroup {
  std::vector<Tensor> params;
  double lr = 1e-3;
  double weight_decay = 0;
};

// Groups for a model: dense parameters with `weight_decay`, embedding tables
// (ParamRole::Embedding) with `embedding_weight_decay` (default: the same), so QIN-style
// embedding-only regularisation is one line. Empty groups are left out.
std::vector<ParamGroup> make_param_groups(const std::vector<NamedParameter>& params, double lr, double weight_decay,
                                          std::optional<double> embedding_weight_decay = std::nullopt);

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Drops every parameter's gradient.
  void zero_grad();
  // One update of every parameter that has a gradient.
  void step();

  size_t num_groups() const { return groups_.size(); }
  const ParamGroup& group(size_t g) const;
  double lr(size_t group = 0) const;
  void set_lr(double lr, size_t group = 0);
  void set_lr_all(double lr);

  StateDict state_dict() const;
  // Checks every name and shape first; an error lists each mismatch.
  void load_state_dict(const StateDict& state);

  virtual std::string name() const = 0;

 protected:
  // One element range of one parameter: param, grad and each state buffer point at the same
  // n elements (a whole contiguous parameter, or one row of a row-sparse update).
  struct Slice {
    void* param;
    const void* grad;
    std::vector<void*> state;
    int64_t n;
  };
  // Per-parameter step counter (1 on the first update) and group hyperparameters.
  struct StepInfo {
    int64_t step;
    double lr;
    double weight_decay;
  };

  Optimizer(std::vector<ParamGroup> groups, std::vector<std::string> buffer_names, std::vector<double> buffer_init);

  // Applies the rule to n float or double elements. Called for whole tensors (dense grads)
  // or per touched row (row-sparse grads), possibly from several threads on disjoint slices.
  virtual void update_float(const Slice& s, const StepInfo& info) const = 0;
  virtual void update_double(const Slice& s, const StepInfo& info) const = 0;

 private:
  struct ParamState {
    std::vector<Tensor> buffers;  // created on the first step, zeros (or buffer_init)
    int64_t step = 0;
  };
  std::string param_key(size_t flat_index) const;
  void update_param(Tensor& param, ParamState& state, const StepInfo& info);

  std::vector<ParamGroup> groups_;
  std::vector<std::string> buffer_names_;
  std::vector<double> buffer_init_;
  std::vector<ParamState> states_;  // flat over groups, in order
};

}  // namespace tg::nn
