#pragma once
// A progress line for training on stderr: step/total, samples/s, running loss, ETA.
// On a terminal it redraws one line (at most 10 times a second); when stderr is a file or a
// pipe (CI, `2> log`) it prints plain lines instead, one every `plain_every_s` seconds and
// one at the end, so logs stay readable.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tg::nn {

class ProgressBar {
 public:
  // total_steps <= 0: unknown (no ETA, no percentage).
  ProgressBar(std::string label, int64_t total_steps, bool enabled = true, std::FILE* out = stderr,
              double plain_every_s = 10.0);
  // Called after each step with the samples of that step and the running loss.
  void update(int64_t step, int64_t samples, double running_loss);
  // Ends the line with a closing summary (always printed when enabled).
  void finish(const std::string& summary);
  double samples_per_second() const;

 private:
  void draw(bool final);

  std::string label_;
  int64_t total_;
  bool enabled_;
  std::FILE* out_;
  bool tty_;
  double plain_every_s_;
  int64_t step_ = 0;
  int64_t samples_ = 0;
  double loss_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace tg::nn
