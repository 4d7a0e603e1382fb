// tapegrad-gradcheck: compares analytic gradients (backward) with float64 central differences.
//
//   tapegrad-gradcheck list                 ops and models it can check
//   tapegrad-gradcheck op NAME [--seed N]   one op on small inputs (NAME "all": every op)
//   tapegrad-gradcheck model NAME           a tiny instance of a registered model, all parameters
//
// Prints one line per checked tensor: shape, elements perturbed, max abs and relative error,
// analytic vs numeric at the worst element, PASS/FAIL; exits 1 when anything fails.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "apps/gradcheck/cases.h"
#include "core/error.h"
#include "models/registry.h"

using namespace tg;
using namespace tg::apps::gradcheck_app;

namespace {

void print_header() {
  fmt::print("{:<28} {:<12} {:>8} {:>11} {:>11} {:>14} {:>14}  {}\n", "tensor", "shape", "checked", "max abs err",
             "max rel err", "analytic", "numeric", "verdict");
}

bool print_result(const std::string& what, const GradcheckResult& r) {
  for (const TensorCheck& t : r.tensors)
    fmt::print("{:<28} {:<12} {:>8} {:>11.3e} {:>11.3e} {:>14.7g} {:>14.7g}  {}\n", what + ":" + t.name,
               to_string(t.shape), t.checked, t.max_abs_error, t.max_rel_error, t.analytic, t.numeric,
               t.ok ? "PASS" : "FAIL");
  if (r.tensors.empty()) fmt::print("{}: {}", what, r.report);
  return r.ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tapegrad-gradcheck: finite-difference gradient checks (float64) of ops and models"};
  GradcheckOptions options;
  uint64_t seed = 1;
  std::string name;
  app.add_option("--seed", seed, "seed of the inputs / the tiny model")->capture_default_str();
  app.add_option("--eps", options.eps, "finite-difference step")->capture_default_str();
  app.add_option("--atol", options.atol, "absolute tolerance")->capture_default_str();
  app.add_option("--rtol", options.rtol, "relative tolerance")->capture_default_str();
  app.add_option("--max-elements", options.max_elements, "per tensor, perturb at most this many elements (0: all)")
      ->capture_default_str();
  auto* list = app.add_subcommand("list", "the ops and models that can be checked");
  auto* op = app.add_subcommand("op", "check one op (or 'all')");
  op->add_option("name", name, "op name (see list)")->required();
  auto* model = app.add_subcommand("model", "check a tiny instance of a registered model");
  model->add_option("name", name, "model name (see list)")->required();
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  try {
    if (list->parsed()) {
      fmt::print("ops:\n");
      for (const OpCase& c : op_cases()) fmt::print("  {:<18} {}\n", c.name, c.summary);
      fmt::print("models:\n");
      for (const auto& spec : models::registry()) fmt::print("  {:<18} {}\n", spec.name, spec.summary);
      return 0;
    }
    bool ok = true;
    print_header();
    if (op->parsed()) {
      bool found = false;
      for (const OpCase& c : op_cases()) {
        if (name != "all" && c.name != name) continue;
        found = true;
        ok &= print_result(c.name, gradcheck(c.f, c.inputs(seed), options));
      }
      if (!found) fail("unknown op '{}' (tapegrad-gradcheck list shows the known ones)", name);
    } else {
      int64_t parameters = 0;
      GradcheckResult r = check_model(name, seed, options, &parameters);
      ok = print_result(name, r);
      fmt::print("{}: {} parameter tensors, {} elements\n", name, r.tensors.size(), parameters);
    }
    fmt::print("{}\n", ok ? "all gradients match" : "MISMATCH: some gradients differ from finite differences");
    return ok ? 0 : 1;
  } catch (const Error& e) {
    fmt::print(stderr, "tapegrad-gradcheck: error: {}\n", e.what());
    return 2;
  }
}
