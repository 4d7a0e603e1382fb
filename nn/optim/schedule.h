#pragma once
// Learning-rate schedules. A schedule maps the scheduler's step count t (0 before the first
// LRScheduler::step()) and a group's base LR to that group's LR; an LRScheduler applies it to
// every group of an optimizer. Call LRScheduler::step() once per optimizer step (or per
// epoch, as the caller chooses). Rules (torch.optim.lr_scheduler's closed forms):
//   ConstantLR   lr = base
//   StepLR       lr = base * gamma^floor(t / step_size)
//   CosineLR     lr = eta_min + (base - eta_min) * (1 + cos(pi * min(t, T_max) / T_max)) / 2
//                (CosineAnnealingLR; after T_max it stays at eta_min, where PyTorch's would
//                climb back up)
//   WarmupLR     lr = base * (t + 1) / warmup_steps while t < warmup_steps (so the first
//                step runs at base / warmup_steps and step warmup_steps - 1 at base), then
//                the wrapped schedule at t - warmup_steps
// ReduceLROnPlateau, FuxiCTR's rule (design/models.md §0, "Training loop defaults"): after each
// evaluation, the metric improves when it beats the best so far by at least `threshold`
// (mode Max, AUC: metric >= best + threshold; mode Min: metric <= best - threshold). After
// more than `patience` evaluations in a row without improvement, every group's LR becomes
// max(lr * factor, min_lr) and the count restarts. patience 0 (the default) reduces at every
// evaluation that does not improve, as FuxiCTR's checkpoint_and_earlystop. A NaN metric
// counts as no improvement.
//
// Resume: LRScheduler and ReduceLROnPlateau have state_dict()/load_state_dict() (keys below),
// to be saved beside the optimizer's; loading sets the optimizer's LRs again.
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/optim/optimizer.h"

namespace tg::nn {

class LRSchedule {
 public:
  virtual ~LRSchedule() = default;
  virtual double lr_at(int64_t t, double base_lr) const = 0;
};

class ConstantLR : public LRSchedule {
 public:
  double lr_at(int64_t, double base_lr) const override { return base_lr; }
};

class StepLR : public LRSchedule {
 public:
  StepLR(int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t t, double base_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

class CosineLR : public LRSchedule {
 public:
  explicit CosineLR(int64_t t_max, double eta_min = 0);
  double lr_at(int64_t t, double base_lr) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

class WarmupLR : public LRSchedule {
 public:
  WarmupLR(int64_t warmup_steps, std::shared_ptr<const LRSchedule> after = std::make_shared<ConstantLR>());
  double lr_at(int64_t t, double base_lr) const override;

 private:
  int64_t warmup_;
  std::shared_ptr<const LRSchedule> after_;
};

// Applies a schedule to every group of an optimizer; the base LRs are the groups' LRs when
// the scheduler is built, and the LR for t = 0 is set right away.
class LRScheduler {
 public:
  LRScheduler(Optimizer& optimizer, std::shared_ptr<const LRSchedule> schedule);
  void step();  // t += 1, then set the LRs
  int64_t steps() const { return t_; }
  StateDict state_dict() const;  // "scheduler.t" (int64 [1]), "scheduler.base_lr.<g>" (float64 [1])
  void load_state_dict(const StateDict& state);

 private:
  void apply();
  Optimizer& optimizer_;
  std::shared_ptr<const LRSchedule> schedule_;
  std::vector<double> base_;
  int64_t t_ = 0;
};

enum class PlateauMode { Max, Min };

struct PlateauOptions {
  PlateauMode mode = PlateauMode::Max;  // Max: higher is better (AUC); Min: lower (logloss)
  double factor = 0.1;
  int64_t patience = 0;     // evaluations without improvement tolerated before reducing
  double threshold = 1e-6;  // improvement needed, absolute (FuxiCTR's min_delta)
  double min_lr = 1e-6;
};

class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options = {});
  // Records one evaluation; returns true when the LR was reduced.
  bool step(double metric);
  double best() const { return best_; }
  int64_t bad_evaluations() const { return bad_; }
  StateDict state_dict() const;  // "plateau.best" (float64 [1]), "plateau.bad" (int64 [1])
  void load_state_dict(const StateDict& state);

 private:
  Optimizer& optimizer_;
  PlateauOptions options_;
  double best_;
  int64_t bad_ = 0;
};

}  // namespace tg::nn
