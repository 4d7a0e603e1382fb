// LayerNorm and BatchNorm1d, channels in the LAST dimension ([B, C] or [..., C]).
//
//   LayerNorm(dim): y = (x - mean) / sqrt(var + eps) * weight + bias over the last dim
//     (biased variance). Parameters "weight" [dim] (ones), "bias" [dim] (zeros) when affine.
//   BatchNorm1d(C): statistics per channel over every other element of the batch.
//     training: batch mean / biased batch variance normalise x, and the buffers
//       running_mean = (1 - momentum) running_mean + momentum mean_B
//       running_var  = (1 - momentum) running_var  + momentum var_B * M / (M - 1)
//       are updated in place (M = rows; PyTorch's unbiased update); a batch of one row is
//       an error in training mode, as in PyTorch.
//     eval: y = (x - running_mean) / sqrt(running_var + eps) * weight + bias.
//     Parameters "weight" [C] (ones), "bias" [C] (zeros) when affine; buffers
//     "running_mean" [C] (zeros), "running_var" [C] (ones) when track_running_stats (without
//     them, batch statistics are used in eval mode too).
//     [B, T, C] inputs are normalised as B*T rows of C channels (a view of a contiguous x),
//     i.e. PyTorch's BatchNorm1d on x.transpose(1, 2).
#pragma once
#include <cstdint>
#include <string>

#include "nn/module.h"

namespace tg::nn {

struct LayerNormOptions {
  double eps = 1e-5;
  bool affine = true;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t dim, LayerNormOptions options = {});
  Tensor operator()(const Tensor& x) const;
  void reset_parameters();
  std::string describe() const override;  // "LayerNorm(16, eps=1e-05)"

  Tensor weight, bias;  // undefined unless affine

 private:
  int64_t dim_;
  LayerNormOptions options_;
};

struct BatchNormOptions {
  double momentum = 0.1;
  double eps = 1e-5;
  bool affine = true;
  bool track_running_stats = true;
};

class BatchNorm1d : public Module {
 public:
  explicit BatchNorm1d(int64_t num_features, BatchNormOptions options = {});
  Tensor operator()(const Tensor& x) const;
  void reset_parameters();       // weight 1, bias 0
  void reset_running_stats();    // mean 0, var 1
  std::string describe() const override;  // "BatchNorm1d(16, momentum=0.1, eps=1e-05)"

  Tensor weight, bias;               // undefined unless affine
  Tensor running_mean, running_var;  // undefined unless track_running_stats

 private:
  int64_t num_features_;
  BatchNormOptions options_;
};

}  // namespace tg::nn
