#pragma once
// Checkpoints: ONE safetensors file (nn/io/safetensors.h) holding
//   tensors   "model.<name>"  the model's state_dict (parameters and buffers)
//             "optim.<key>"  the optimizer's state_dict (may be empty)
//   metadata  "format": "tapegrad-checkpoint-1", "epoch", "step", "best_metric" (%.17g, so a
//             double survives exactly; "nan" when there is none), "best_epoch", "seed",
//             "rng_state" (the global generator, "philox:<seed>:<offset>"), and
//             "extra.<key>" for each user key/value
// written atomically (temp file, fsync, rename): a crash never leaves a half-written
// checkpoint under the real name, and the previous checkpoint stays readable.
//
// save_weights/load_weights hold the model only, under the plain state_dict names, so
//   safetensors.torch.load_file("model.safetensors")["mlp.0.weight"]
// in Python is tapegrad's parameter "mlp.0.weight".
#include <cmath>
#include <concepts>
#include <cstdint>
#include <map>
#include <string>

#include "core/rng.h"
#include "nn/io/safetensors.h"
#include "nn/module.h"
#include "nn/optim/optimizer.h"

namespace tg::nn {

struct TrainingPosition {
  int64_t epoch = 0;
  int64_t step = 0;
  double best_metric = std::nan("");
  int64_t best_epoch = -1;
  uint64_t seed = 0;
  // The global generator's state as rng_state_text() writes it. save_checkpoint captures
  // default_generator() when this is empty; read_checkpoint leaves it empty for a file
  // written without one.
  std::string rng_state = {};
  std::map<std::string, std::string> extra = {};  // free-form user keys and values
};

void save_checkpoint(const std::string& path, const Module& model, const StateDict& optimizer_state,
                     const TrainingPosition& position);
// With the optimizer itself (its state_dict()); a template so that `{}` above stays "no
// optimizer state" rather than an ambiguous call.
template <class O>
  requires std::derived_from<O, Optimizer>
void save_checkpoint(const std::string& path, const Module& model, const O& optimizer,
                     const TrainingPosition& position) {
  save_checkpoint(path, model, optimizer.state_dict(), position);
}

struct LoadedCheckpoint {
  StateDict model;      // names without the "model." prefix
  StateDict optimizer;  // names without the "optim." prefix
  TrainingPosition position;
};
// Reads and checks the file (format tag, prefixes, every position field); loads nothing.
LoadedCheckpoint read_checkpoint(const std::string& path);

struct CheckpointLoadOptions {
  // Every name, dtype and shape must match the model; false: names missing on either side
  // are skipped (dtype/shape mismatches are still errors).
  bool strict = true;
  // Restores default_generator() from the saved rng_state (when the file has one), so a
  // resumed run draws the numbers the uninterrupted run would have.
  bool restore_rng = true;
};
// Reads, then copies the model part into `model` (and the optimizer part into
// `optimizer`); the error lists every mismatch and names the file. Returns what was read.
LoadedCheckpoint load_checkpoint(const std::string& path, Module& model, const CheckpointLoadOptions& options = {});
LoadedCheckpoint load_checkpoint(const std::string& path, Module& model, Optimizer& optimizer,
                                 const CheckpointLoadOptions& options = {});

void save_weights(const std::string& path, const Module& model);
void load_weights(const std::string& path, Module& model, bool strict = true);

// The generator's (seed, offset) as text and back; the Philox stream is fully determined by
// the two, so this is its whole state.
std::string rng_state_text(const Generator& generator = default_generator());
void restore_rng_state(const std::string& text, Generator& generator = default_generator());

}  // namespace tg::nn
