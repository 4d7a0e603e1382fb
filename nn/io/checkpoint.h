#pragma once
// Checkpoints: one safetensors file holding a model's state_dict (parameters and buffers,
// keys "model.<name>"), an optimizer's state ("optim.<key>") and the training position as
// __metadata__ strings, written atomically (temp file, fsync, rename): a crash never
// leaves a half-written checkpoint under the real name.
// save_weights/load_weights hold the model only, under the plain parameter names, so
//   safetensors.torch.load_file("model.safetensors")["mlp.0.weight"]
// is tapegrad's parameter "mlp.0.weight".
#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "nn/io/safetensors.h"
#include "nn/module.h"

namespace tg::nn {

struct TrainingPosition {
  int64_t epoch = 0;
  int64_t step = 0;
  double best_metric = std::nan("");
  int64_t best_epoch = -1;
  uint64_t seed = 0;
  std::map<std::string, std::string> extra = {};  // free-form (the Trainer keeps its RNG state and history here)
};

void save_checkpoint(const std::string& path, const Module& model, const StateDict& optimizer_state,
                     const TrainingPosition& position);

struct LoadedCheckpoint {
  StateDict model;
  StateDict optimizer;
  TrainingPosition position;
};
LoadedCheckpoint read_checkpoint(const std::string& path);
// Reads and loads the model part into `model` (strict: every name, dtype and shape must
// match; the error lists each mismatch and names the file); returns the rest.
LoadedCheckpoint load_checkpoint(const std::string& path, Module& model);

void save_weights(const std::string& path, const Module& model);
void load_weights(const std::string& path, Module& model);

}  // namespace tg::nn
