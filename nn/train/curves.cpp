#include "nn/train/curves.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/atomic_file.h"

namespace tg::nn {

namespace {

constexpr double kPanelW = 420, kPanelH = 300, kMarginL = 60, kMarginR = 20, kMarginT = 36, kMarginB = 44;

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Round numbers for axis ticks: 1, 2 or 5 times a power of ten.
double nice_step(double span, int target_ticks) {
  if (!(span > 0)) return 1;
  double raw = span / target_ticks;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

std::string render_panel(const CurvePanel& panel, double ox) {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const auto& c : panel.curves)
    for (const auto& p : c.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      xmin = std::min(xmin, p.x), xmax = std::max(xmax, p.x);
      ymin = std::min(ymin, p.y), ymax = std::max(ymax, p.y);
    }
  std::string out = fmt::format(R"~(<g transform="translate({},0)">)~" "\n", ox);
  out += fmt::format(R"~(<text x="{}" y="20" font-size="14" text-anchor="middle">{}</text>)~" "\n", kPanelW / 2,
                     escape(panel.title));
  const double pw = kPanelW - kMarginL - kMarginR, ph = kPanelH - kMarginT - kMarginB;
  out += fmt::format(R"~(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#888"/>)~" "\n", kMarginL,
                     kMarginT, pw, ph);
  if (!std::isfinite(xmin)) {
    out += fmt::format(R"~(<text x="{}" y="{}" font-size="12" text-anchor="middle">no data</text>)~" "\n",
                       kPanelW / 2, kPanelH / 2);
    return out + "</g>\n";
  }
  if (xmax == xmin) xmin -= 0.5, xmax += 0.5;
  if (ymax == ymin) ymin -= 0.5 * (std::abs(ymin) + 1e-3), ymax += 0.5 * (std::abs(ymax) + 1e-3);
  double pad = 0.05 * (ymax - ymin);
  ymin -= pad, ymax += pad;
  auto sx = [&](double x) { return kMarginL + (x - xmin) / (xmax - xmin) * pw; };
  auto sy = [&](double y) { return kMarginT + (1 - (y - ymin) / (ymax - ymin)) * ph; };
  for (int axis = 0; axis < 2; ++axis) {
    double lo = axis == 0 ? xmin : ymin, hi = axis == 0 ? xmax : ymax;
    double step = nice_step(hi - lo, 5);
    for (double t = std::ceil(lo / step) * step; t <= hi + 1e-12; t += step) {
      std::string label = fmt::format("{:.6g}", std::abs(t) < step * 1e-9 ? 0.0 : t);
      if (axis == 0)
        out += fmt::format(R"~(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#eee"/><text x="{0:.1f}" y="{3}" font-size="10" text-anchor="middle">{4}</text>)~" "\n",
                           sx(t), kMarginT, kMarginT + ph, kMarginT + ph + 14, label);
      else
        out += fmt::format(R"~(<line x1="{1}" y1="{0:.1f}" x2="{2}" y2="{0:.1f}" stroke="#eee"/><text x="{3}" y="{0:.1f}" font-size="10" text-anchor="end" dominant-baseline="middle">{4}</text>)~" "\n",
                           sy(t), kMarginL, kMarginL + pw, kMarginL - 4, label);
    }
  }
  out += fmt::format(R"~(<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>)~" "\n", kMarginL + pw / 2,
                     kPanelH - 8, escape(panel.x_label));
  int legend = 0;
  for (const auto& c : panel.curves) {
    std::string pts;
    for (const auto& p : c.points)
      if (std::isfinite(p.x) && std::isfinite(p.y)) pts += fmt::format("{:.1f},{:.1f} ", sx(p.x), sy(p.y));
    if (pts.empty()) continue;
    out += fmt::format(R"~(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>)~" "\n", escape(c.color),
                       pts);
    for (const auto& p : c.points)
      if (std::isfinite(p.x) && std::isfinite(p.y))
        out += fmt::format(R"~(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"/>)~" "\n", sx(p.x), sy(p.y),
                           escape(c.color));
    double ly = kMarginT + 14 + 14 * legend++;
    out += fmt::format(R"~(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/><text x="{}" y="{}" font-size="11" dominant-baseline="middle">{}</text>)~" "\n",
                       kMarginL + pw - 110, ly, kMarginL + pw - 92, ly, escape(c.color), kMarginL + pw - 88, ly,
                       escape(c.label));
  }
  return out + "</g>\n";
}

}  // namespace

std::string render_curves_svg(const std::vector<CurvePanel>& panels) {
  double width = kPanelW * std::max<size_t>(panels.size(), 1);
  std::string out = fmt::format(
      R"~(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">)~"
      "\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, kPanelH);
  for (size_t i = 0; i < panels.size(); ++i) out += render_panel(panels[i], kPanelW * static_cast<double>(i));
  return out + "</svg>\n";
}

void write_curves_svg(const std::string& path, const std::vector<CurvePanel>& panels) {
  write_file_atomically(path, render_curves_svg(panels));
}

}  // namespace tg::nn
