#pragma once
// The training curves as a standalone SVG file (no plotting library): one panel for the
// losses (training loss and validation logloss per epoch), one for validation AUC, so a
// run can be judged at a glance in a browser. Written atomically (temp file + rename).
#include <string>
#include <vector>

namespace tg::nn {

struct CurvePoint {
  double x = 0;  // epoch (fractional epochs allowed)
  double y = 0;
};

struct Curve {
  std::string label;
  std::string color;  // any SVG color
  std::vector<CurvePoint> points;
};

struct CurvePanel {
  std::string title;
  std::string x_label;
  std::vector<Curve> curves;
};

// Renders the panels side by side and writes `path`. NaN/inf points are left out.
void write_curves_svg(const std::string& path, const std::vector<CurvePanel>& panels);
// The SVG text itself (tested directly).
std::string render_curves_svg(const std::vector<CurvePanel>& panels);

}  // namespace tg::nn
