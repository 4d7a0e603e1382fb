#pragma once
// Trainer: the training loop every app shares, usable from a user's own program.
//
//   tg::nn::Adam opt(model.named_parameters(), {.lr = 1e-3});
//   tg::nn::Trainer trainer(model, opt, {.epochs = 10, .batch_size = 1024, .out_dir = "run"});
//   auto fit = trainer.fit(splits.train, &splits.valid);
//   auto test = trainer.evaluate(splits.test);          // {auc, logloss, examples, seconds}
//
// Each epoch: shuffle the training rows from (seed, epoch), prefetch batches on a background
// thread, forward -> loss -> backward -> clip (global norm) -> optimizer step ->
// model.after_step(); then evaluate on the validation split (AUC, logloss). The best epoch
// by validation AUC (strictly greater) is kept: in out_dir/best.safetensors when out_dir is
// set, else in memory; training stops after `patience` epochs without improvement and the
// best state is restored. With a plateau factor, the LR is multiplied by it whenever the
// validation AUC does not improve (FuxiCTR's loop, design/models.md §0).
//
// Files in out_dir: last.safetensors (model + optimizer + position, after every epoch, for
// --resume), best.safetensors, metrics.jsonl (one JSON object per epoch), curves.svg.
// Resuming from last.safetensors with the same seed gives the same result as an
// uninterrupted run: the shuffle order depends only on (seed, epoch), and the default
// generator's state (dropout) and the optimizer state are restored.
//
// A NaN or infinite loss stops training with an error naming the epoch and step. The time
// of every phase is measured (waiting for data, forward, backward, optimizer step,
// evaluation), so a slow data pipeline shows up in the summary.
//
// Watching the gradients: grad_stats_every = N prints a table of per-parameter gradient
// statistics (nn/train/grad_stats.h) every N steps to stderr and appends it to metrics.jsonl
// as a line {"step", "epoch", "grad_stats": [...]} (epoch lines have no "grad_stats" key).
// StepCallbacks let inspection tools see each step (the apps hang the graph export, the
// tape trace and the profiler's clock on them).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nn/optim/optimizer.h"
#include "nn/train/ctr_model.h"

namespace tg::nn {

// Called during every training step; `step` counts optimizer steps from 1 over the run.
struct StepCallbacks {
  std::function<void(int64_t step)> before_forward;
  // The loss is computed and its graph is complete (nothing is freed yet).
  std::function<void(int64_t step, const LossTerms& loss)> before_backward;
  // Gradients are in .grad (before clipping and the optimizer step).
  std::function<void(int64_t step)> after_backward;
};

struct TrainerOptions {
  int64_t epochs = 10;
  int64_t batch_size = 1024;
  int64_t eval_batch_size = 4096;
  int64_t max_steps = 0;       // stop after this many optimizer steps in total (0: no limit)
  int64_t patience = 2;        // epochs without a better validation AUC before stopping (0: never)
  double clip_norm = 10.0;     // global gradient-norm clipping (0: off)
  double plateau_factor = 0;   // multiply the LR by this when validation AUC does not improve (0: off)
  double min_lr = 1e-6;        // the plateau rule never goes below this
  uint64_t seed = 1;           // shuffling; also seeds the default generator (dropout) at start
  std::string out_dir = {};    // "" writes nothing
  bool resume = false;         // continue from out_dir/last.safetensors when it exists
  bool progress = true;        // progress line on stderr
  bool restore_best = true;    // end with the best epoch's state (when there is validation data)
  bool prefetch = true;        // prepare the next batch on a background thread
  int64_t grad_stats_every = 0;  // gradient statistics every N steps (0: never)
  StepCallbacks callbacks = {};
};

struct Evaluation {
  double auc = 0;
  double logloss = 0;
  int64_t examples = 0;
  double seconds = 0;
};

// Seconds spent per phase.
struct TimeBreakdown {
  double data_wait = 0;   // waiting for the next batch
  double forward = 0;     // forward pass and loss
  double backward = 0;
  double optimizer = 0;   // clipping + step + after_step
  double evaluation = 0;
  double total() const { return data_wait + forward + backward + optimizer + evaluation; }
};

struct EpochRecord {
  int64_t epoch = 0;  // 1-based
  int64_t steps = 0;  // optimizer steps so far (all epochs)
  double train_loss = 0;                      // mean data loss over the epoch's batches
  std::map<std::string, double> train_parts;  // mean of each extra loss term
  bool has_valid = false;
  Evaluation valid;
  double lr = 0;
  double seconds = 0;
  double samples_per_second = 0;
  TimeBreakdown time;
};

struct FitResult {
  std::vector<EpochRecord> epochs;  // including epochs restored from a resumed run
  int64_t best_epoch = 0;           // 0 when there was no validation data
  double best_valid_auc = 0;
  int64_t steps = 0;
  bool stopped_early = false;
  std::string stop_reason;          // "patience", "max_steps", "epochs"
  TimeBreakdown time;               // this call only
};

class Trainer {
 public:
  Trainer(CtrModel& model, Optimizer& optimizer, TrainerOptions options = {});

  // Trains on `train`, validating on `valid` after each epoch when given.
  FitResult fit(const data::Dataset& train, const data::Dataset* valid = nullptr);
  // AUC and logloss of the model (eval mode, no tape) on a dataset, in row order.
  Evaluation evaluate(const data::Dataset& data);
  // Click probabilities, one per row, in row order.
  std::vector<float> predict(const data::Dataset& data);

  const TrainerOptions& options() const { return options_; }

 private:
  CtrModel& model_;
  Optimizer& optimizer_;
  TrainerOptions options_;
};

}  // namespace tg::nn
