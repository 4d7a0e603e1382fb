#pragma once
// Learning-rate schedules. A schedule maps the step count t (0 before the first
// scheduler.step()) and a group's base LR to that group's LR; an LRScheduler applies it to
// an optimizer. Rules as torch.optim.lr_scheduler:
//   ConstantLR   lr = base
//   StepLR       lr = base * gamma^floor(t / step_size)
//   CosineLR     lr = eta_min + (base - eta_min) (1 + cos(pi min(t, T_max) / T_max)) / 2
//   WarmupLR     lr = base * (t + 1) / warmup_steps for t < warmup_steps, then the wrapped
//                schedule at t - warmup_steps
// ReduceLROnPlateau (FuxiCTR's loop, design/models.md §0): after each evaluation, when the
// metric did not improve on the best by more than threshold for more than `patience`
// evaluations, every group's LR is multiplied by factor (not below min_lr).
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
  StateDict state_dict() const;  // "scheduler.t", "scheduler.base_lr.<g>"
  void load_state_dict(const StateDict& state);

 private:
  void apply();
  Optimizer& optimizer_;
  std::shared_ptr<const LRSchedule> schedule_;
  std::vector<double> base_;
  int64_t t_ = 0;
};

struct PlateauOptions {
  bool maximize = true;     // AUC: higher is better
  double factor = 0.1;
  int64_t patience = 1;     // evaluations without improvement tolerated before reducing
  double threshold = 1e-6;  // improvement needed, absolute
  double min_lr = 1e-6;
};

class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options = {});
  // Records one evaluation; returns true when the LR was reduced.
  bool step(double metric);
  double best() const { return best_; }
  StateDict state_dict() const;  // "plateau.best", "plateau.bad"
  void load_state_dict(const StateDict& state);

 private:
  Optimizer& optimizer_;
  PlateauOptions options_;
  double best_;
  int64_t bad_ = 0;
};

}  // namespace tg::nn
