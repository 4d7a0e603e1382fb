#include "nn/train/grad_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/autograd.h"

namespace tg::nn {

namespace {

double norm_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

// Zero rows of a dense [rows, cols] gradient stored row-major in v.
int64_t zero_rows(const std::vector<double>& v, int64_t rows, int64_t cols) {
  int64_t dead = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const auto* row = v.data() + r * cols;
    if (std::all_of(row, row + cols, [](double x) { return x == 0.0; })) ++dead;
  }
  return dead;
}

}  // namespace

StateDict snapshot_parameters(const Module& model) {
  NoGradGuard no_grad;
  StateDict out;
  for (const auto& p : model.named_parameters()) out.emplace(p.name, p.value.clone());
  return out;
}

std::vector<ParamGradStats> gradient_stats(const Module& model, const GradStatsOptions& options) {
  NoGradGuard no_grad;
  std::vector<ParamGradStats> out;
  for (const auto& p : model.named_parameters()) {
    ParamGradStats s;
    s.name = p.name;
    s.shape = p.value.shape();
    const std::vector<double> w = p.value.to_vector();
    s.weight_norm = norm_of(w);
    const Tensor g = p.value.grad();
    s.has_grad = g.defined();
    if (s.has_grad) {
      // A row-sparse gradient holds only its listed rows: the others are zeros.
      const std::vector<double> values = g.to_vector();
      const double total = static_cast<double>(p.value.numel());
      double sum = 0;
      int64_t zeros = p.value.numel() - static_cast<int64_t>(values.size());
      for (double x : values) {
        sum += x;
        s.max_abs = std::max(s.max_abs, std::abs(x));
        if (x == 0.0) ++zeros;
      }
      s.norm = norm_of(values);
      s.mean = total > 0 ? sum / total : 0;
      s.zero_fraction = total > 0 ? static_cast<double>(zeros) / total : 0;
      if (p.role == ParamRole::Dense && p.value.dim() == 2 && !g.is_row_sparse()) {
        s.dead_rows = zero_rows(values, p.value.size(0), p.value.size(1));
        if (s.dead_rows > 0 && static_cast<double>(s.dead_rows) >= options.dead_fraction * static_cast<double>(p.value.size(0)))
          s.flags.push_back(fmt::format("dead-units({}/{})", s.dead_rows, p.value.size(0)));
      }
      if (s.weight_norm > 0 && s.norm < options.vanishing_ratio * s.weight_norm) s.flags.push_back("vanishing");
      if (s.norm > options.exploding_norm || !std::isfinite(s.norm)) s.flags.push_back("exploding");
    } else {
      s.flags.push_back("no-grad");
    }
    out.push_back(std::move(s));
  }
  return out;
}

void measure_updates(std::vector<ParamGradStats>& stats, const Module& model, const StateDict& before,
                     const GradStatsOptions& options) {
  NoGradGuard no_grad;
  for (const auto& p : model.named_parameters()) {
    auto s = std::find_if(stats.begin(), stats.end(), [&](const ParamGradStats& x) { return x.name == p.name; });
    auto old_it = before.find(p.name);
    if (s == stats.end() || old_it == before.end() || old_it->second.shape() != p.value.shape()) continue;
    const std::vector<double> now = p.value.to_vector(), old = old_it->second.to_vector();
    double d = 0, o = 0;
    for (size_t i = 0; i < old.size(); ++i) {
      d += (now[i] - old[i]) * (now[i] - old[i]);
      o += old[i] * old[i];
    }
    if (o == 0) continue;  // a zero-initialised bias: no ratio to speak of
    s->update_ratio = std::sqrt(d / o);
    if (s->update_ratio > options.exploding_update &&
        std::find(s->flags.begin(), s->flags.end(), "exploding") == s->flags.end())
      s->flags.push_back("exploding");
  }
}

std::string format_grad_stats(const std::vector<ParamGradStats>& stats) {
  size_t width = 9;
  for (const auto& s : stats) width = std::max(width, s.name.size());
  std::string out = fmt::format("{:<{}} {:<14} {:>10} {:>10} {:>10} {:>6} {:>10}  {}\n", "parameter", width, "shape",
                                "grad norm", "mean", "max|g|", "zeros", "upd/w", "flags");
  int flagged = 0;
  for (const auto& s : stats) {
    if (!s.flags.empty()) ++flagged;
    std::string ratio = s.update_ratio < 0 ? "-" : fmt::format("{:.2e}", s.update_ratio);
    if (!s.has_grad) {
      out += fmt::format("{:<{}} {:<14} {:>10} {:>10} {:>10} {:>6} {:>10}  {}\n", s.name, width, to_string(s.shape),
                         "-", "-", "-", "-", ratio, fmt::join(s.flags, " "));
      continue;
    }
    out += fmt::format("{:<{}} {:<14} {:>10.3e} {:>10.2e} {:>10.3e} {:>5.1f}% {:>10}  {}\n", s.name, width,
                       to_string(s.shape), s.norm, s.mean, s.max_abs, 100 * s.zero_fraction, ratio,
                       fmt::join(s.flags, " "));
  }
  out += fmt::format("{} parameters, {} flagged\n", stats.size(), flagged);
  return out;
}

}  // namespace tg::nn
