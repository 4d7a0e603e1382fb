// Linear: y = x W^T + b on inputs of any rank [..., in] -> [..., out].
//
// Parameters: "weight" [out, in] (PyTorch's layout), "bias" [out] (absent with bias=false).
// Initialisation (models.md §0, FuxiCTR's reset_parameters): Xavier-normal weight, zero bias,
// drawn from `gen` (null: the global generator) by reset_parameters().
// Leading dims are folded into GEMM rows by ops::linear itself: a contiguous input is never
// copied.
#pragma once
#include <cstdint>
#include <string>

#include "core/rng.h"
#include "nn/module.h"

namespace tg::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator* gen = nullptr);

  Tensor operator()(const Tensor& x) const;
  void reset_parameters(Generator* gen = nullptr);

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }
  std::string describe() const override;  // "Linear(16 -> 8)", "Linear(16 -> 8, no bias)"

  Tensor weight;
  Tensor bias;  // undefined without bias

 private:
  int64_t in_, out_;
};

}  // namespace tg::nn
