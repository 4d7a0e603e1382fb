#include "nn/optim/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.h"

namespace tg::nn {

StepLR::StepLR(int64_t step_size, double gamma) : step_size_(step_size), gamma_(gamma) {
  check(step_size > 0, "StepLR: step_size must be positive, got {}", step_size);
}
double StepLR::lr_at(int64_t t, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(t / step_size_));
}

CosineLR::CosineLR(int64_t t_max, double eta_min) : t_max_(t_max), eta_min_(eta_min) {
  check(t_max > 0, "CosineLR: T_max must be positive, got {}", t_max);
}
double CosineLR::lr_at(int64_t t, double base_lr) const {
  double x = static_cast<double>(std::min(t, t_max_)) / static_cast<double>(t_max_);
  return eta_min_ + (base_lr - eta_min_) * (1 + std::cos(std::numbers::pi * x)) / 2;
}

WarmupLR::WarmupLR(int64_t warmup_steps, std::shared_ptr<const LRSchedule> after)
    : warmup_(warmup_steps), after_(std::move(after)) {
  check(warmup_steps >= 0, "WarmupLR: warmup_steps must be >= 0, got {}", warmup_steps);
  check(after_ != nullptr, "WarmupLR: the schedule after warm-up is null");
}
double WarmupLR::lr_at(int64_t t, double base_lr) const {
  if (t < warmup_) return base_lr * static_cast<double>(t + 1) / static_cast<double>(warmup_);
  return after_->lr_at(t - warmup_, base_lr);
}

LRScheduler::LRScheduler(Optimizer& optimizer, std::shared_ptr<const LRSchedule> schedule)
    : optimizer_(optimizer), schedule_(std::move(schedule)) {
  check(schedule_ != nullptr, "LRScheduler: null schedule");
  for (size_t g = 0; g < optimizer_.num_groups(); ++g) base_.push_back(optimizer_.lr(g));
  apply();
}
void LRScheduler::apply() {
  for (size_t g = 0; g < base_.size(); ++g) optimizer_.set_lr(schedule_->lr_at(t_, base_[g]), g);
}
void LRScheduler::step() {
  ++t_;
  apply();
}
StateDict LRScheduler::state_dict() const {
  StateDict out{{"scheduler.t", full({1}, static_cast<double>(t_), {.dtype = kInt64})}};
  for (size_t g = 0; g < base_.size(); ++g)
    out[fmt::format("scheduler.base_lr.{}", g)] = full({1}, base_[g], {.dtype = kFloat64});
  return out;
}
void LRScheduler::load_state_dict(const StateDict& state) {
  auto get = [&](const std::string& key) {
    auto it = state.find(key);
    check(it != state.end() && it->second.numel() == 1, "LRScheduler: load_state_dict: missing '{}'", key);
    return it->second.item();
  };
  t_ = static_cast<int64_t>(get("scheduler.t"));
  for (size_t g = 0; g < base_.size(); ++g) base_[g] = get(fmt::format("scheduler.base_lr.{}", g));
  apply();
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options)
    : optimizer_(optimizer),
      options_(options),
      best_(options.mode == PlateauMode::Max ? -std::numeric_limits<double>::infinity()
                                             : std::numeric_limits<double>::infinity()) {
  check(options.factor > 0 && options.factor < 1, "ReduceLROnPlateau: factor must be in (0, 1), got {}",
        options.factor);
  check(options.patience >= 0, "ReduceLROnPlateau: patience must be >= 0, got {}", options.patience);
  check(options.threshold >= 0 && options.min_lr >= 0, "ReduceLROnPlateau: threshold ({}) and min_lr ({}) must be >= 0",
        options.threshold, options.min_lr);
}

bool ReduceLROnPlateau::step(double metric) {
  // A NaN metric (an AUC of a one-class split) is no improvement.
  const bool better = options_.mode == PlateauMode::Max ? metric >= best_ + options_.threshold
                                                        : metric <= best_ - options_.threshold;
  if (better) {
    best_ = metric;
    bad_ = 0;
    return false;
  }
  if (++bad_ <= options_.patience) return false;
  bad_ = 0;
  bool reduced = false;
  for (size_t g = 0; g < optimizer_.num_groups(); ++g) {
    // A change within rounding of the old LR (lr * factor * ... landing a hair above min_lr)
    // is not a reduction: min_lr is reached once, not once more per evaluation.
    const double lr = std::max(options_.min_lr, optimizer_.lr(g) * options_.factor);
    if (lr < optimizer_.lr(g) * (1 - 1e-12)) {
      optimizer_.set_lr(lr, g);
      reduced = true;
    }
  }
  return reduced;
}

StateDict ReduceLROnPlateau::state_dict() const {
  return {{"plateau.best", full({1}, best_, {.dtype = kFloat64})},
          {"plateau.bad", full({1}, static_cast<double>(bad_), {.dtype = kInt64})}};
}
void ReduceLROnPlateau::load_state_dict(const StateDict& state) {
  auto best = state.find("plateau.best"), bad = state.find("plateau.bad");
  check(best != state.end() && bad != state.end(), "ReduceLROnPlateau: load_state_dict: missing plateau.best/bad");
  best_ = best->second.item();
  bad_ = static_cast<int64_t>(bad->second.item());
}

}  // namespace tg::nn
