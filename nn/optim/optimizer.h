#pragma once
// Optimizer: parameter groups (each with its own lr and weight decay), per-parameter state,
// zero_grad(), step(), and a state_dict for resuming.
//
//   tg::nn::Adam opt(model.named_parameters(), {.lr = 1e-3, .embedding_weight_decay = 2e-4});
//   opt.zero_grad(); loss.backward(); opt.step();
//
// Groups. A NamedParameter list (Module::named_parameters()) becomes up to two groups:
// dense parameters with `weight_decay` (group 0) and embedding tables (ParamRole::Embedding)
// with `embedding_weight_decay` (the next group; default: weight_decay). A plain tensor list
// is one group. Or build the groups yourself (ParamGroup) for any other split.
//
// Step. step() updates every parameter that has a .grad (the others, and their state, stay
// as they are) under NoGradGuard, with one fused loop per parameter over contiguous data
// (split over threads for large tensors): nothing is recorded on the tape. Each parameter
// counts its own steps t (1 on its first update), as PyTorch's state['step'].
//
// Sparse rows. When a parameter's .grad is row-sparse (an embedding table looked up with
// sparse_grad, ops/sparse.h) only the listed rows are updated, never densifying the
// gradient: a step costs O(rows touched * row width). Each touched row follows exactly the
// dense rule (with the parameter's t); the rows not listed keep their values AND their state:
//   - SGD without momentum, Adagrad: equal to the dense update on every row (a dense zero
//     gradient row changes nothing either), except that weight decay reaches touched rows only.
//   - SGD with momentum, Adam/AdamW: "lazy", as PyTorch's SparseAdam: an untouched row's
//     moments are not decayed and its parameter does not move, where the dense rule would
//     decay the moments and keep moving it. With every row touched at every step the result
//     equals the dense update exactly. The bias corrections use the parameter's t.
//   - Weight decay (L2 or decoupled) applies to the touched rows only.
//
// state_dict() keys, for a parameter whose key is P (its name in the NamedParameter list,
// else Tensor::name() as Module sets it, else "param.<i>" with i its position over all
// groups; a name that repeats gets "#<k>" appended, k = 1, 2, ... for its later occurrences):
//   "step.P"       int64 [1]    the parameter's step count t (0: never updated)
//   "<buffer>.P"   the parameter's shape and dtype, one per state buffer, present once t > 0:
//                  SGD "momentum_buffer" (with momentum), Adam/AdamW "exp_avg", "exp_avg_sq"
//                  (+ "max_exp_avg_sq" with amsgrad), Adagrad "sum"
//   "lr.<g>"       float64 [1]  each group's current learning rate
// load_state_dict() checks every name, dtype and shape first and lists all mismatches in one
// error; a loaded optimizer continues bit-identically to the one that was saved. Stored by
// nn/io/checkpoint.h under "optim.".
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/module.h"
#include "nn/optim/update_rule.h"

namespace tg::nn {

struct ParamGroup {
  std::vector<Tensor> params;
  double lr = 1e-3;
  double weight_decay = 0;
  // Optional state_dict names, one per parameter (empty: Tensor::name() or "param.<i>").
  std::vector<std::string> names = {};
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
  // The state_dict key of each parameter, flat over the groups in order.
  const std::vector<std::string>& param_keys() const { return keys_; }

  StateDict state_dict() const;
  // Checks every name and shape first; an error lists each mismatch.
  void load_state_dict(const StateDict& state);

  virtual std::string name() const = 0;

  // The parameter's step count (1 on its first update) and its group's hyperparameters.
  struct StepInfo {
    int64_t step;
    double lr;
    double weight_decay;
  };

  // The rule as data, for the CUDA update kernel (nn/optim/update_cuda.cu): the same
  // per-step constants the CPU loop computes for a parameter at this step.
  virtual UpdateRule device_rule(const StepInfo& info) const = 0;

  static constexpr size_t kMaxBuffers = 3;


 protected:
  // A block of rows of one parameter to update: row i (0 <= i < rows) is the `width`
  // elements at param/state offset index[i] * width (index == null: i * width) and at grad
  // offset i * width. A dense update is one row over a contiguous element range; a
  // row-sparse update passes the touched row ids. Blocks of one step are disjoint, so they
  // may run on several threads at once.
  struct Block {
    void* param;
    const void* grad;
    std::array<void*, kMaxBuffers> state;
    const int64_t* index;
    int64_t rows;
    int64_t width;
    bool is_double;
  };

  Optimizer(std::vector<ParamGroup> groups, std::vector<std::string> buffer_names, std::vector<double> buffer_init);

  // Applies the rule to every row of the block. Implementations compute their per-step
  // constants once, then call for_each_row with the element loop (inlined, no per-row call).
  virtual void update(const Block& block, const StepInfo& info) const = 0;

  // f(p, g, s0, s1, s2, n) per row: T* p, const T* g, T* state buffers (null past the
  // optimizer's buffer count), n elements.
  template <class T, class F>
  static void for_each_row(const Block& b, F&& f) {
    T* p = static_cast<T*>(b.param);
    const T* g = static_cast<const T*>(b.grad);
    T* s0 = static_cast<T*>(b.state[0]);
    T* s1 = static_cast<T*>(b.state[1]);
    T* s2 = static_cast<T*>(b.state[2]);
    for (int64_t i = 0; i < b.rows; ++i) {
      const int64_t at = (b.index ? b.index[i] : i) * b.width;
      f(p + at, g + i * b.width, s0 ? s0 + at : nullptr, s1 ? s1 + at : nullptr, s2 ? s2 + at : nullptr,
        b.width);
    }
  }

 private:
  struct ParamState {
    std::vector<Tensor> buffers;  // created on the first step, zeros (or buffer_init)
    int64_t step = 0;
  };
  void update_param(Tensor& param, ParamState& state, const StepInfo& info);

  std::vector<ParamGroup> groups_;
  std::vector<std::string> buffer_names_;
  std::vector<double> buffer_init_;
  std::vector<std::string> keys_;   // flat over groups, in order
  std::vector<ParamState> states_;  // flat over groups, in order
};

}  // namespace tg::nn
