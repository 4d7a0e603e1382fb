#include "nn/train/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace tg::nn {

ProgressBar::ProgressBar(std::string label, int64_t total_steps, bool enabled, std::FILE* out, double plain_every_s)
    : label_(std::move(label)),
      total_(total_steps),
      enabled_(enabled && out != nullptr),
      out_(out),
      tty_(out != nullptr && isatty(fileno(out))),
      plain_every_s_(plain_every_s),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::samples_per_second() const {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s > 0 ? static_cast<double>(samples_) / s : 0.0;
}

void ProgressBar::update(int64_t step, int64_t samples, double running_loss) {
  step_ = step;
  samples_ += samples;
  loss_ = running_loss;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since >= (tty_ ? 0.1 : plain_every_s_)) {
    last_draw_ = now;
    draw(false);
  }
}

static std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  auto total = static_cast<int64_t>(s + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total / 60) % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

void ProgressBar::draw(bool final) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string where = total_ > 0 ? fmt::format("{}/{} ({:3.0f}%)", step_, total_, 100.0 * step_ / total_)
                                 : fmt::format("step {}", step_);
  std::string eta;
  if (total_ > 0 && step_ > 0 && !final)
    eta = fmt::format("  eta {}", format_seconds(elapsed / step_ * (total_ - step_)));
  std::string line = fmt::format("{} {}  {:.0f} samples/s  loss {:.5f}  {}{}", label_, where,
                                 samples_per_second(), loss_, format_seconds(elapsed), eta);
  if (tty_) {
    fmt::print(out_, "\r\033[K{}", line);
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish(const std::string& summary) {
  if (!enabled_) return;
  if (tty_ && drawn_) fmt::print(out_, "\r\033[K");
  if (!tty_ && step_ > 0) draw(true);
  fmt::print(out_, "{}\n", summary);
  std::fflush(out_);
}

}  // namespace tg::nn
