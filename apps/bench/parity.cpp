#include "apps/bench/parity.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/bench/bench_models.h"
#include "apps/bench/npy.h"
#include "core/autograd.h"
#include "core/error.h"
#include "nn/optim/adam.h"
#include "ops/ops.h"

namespace tg::bench {

namespace {

constexpr double kRtol = 1e-4;          // logits, loss, parts, grads, memories
constexpr double kLr = 1e-3;
constexpr double kAdamTol = 1e-2;       // end-to-end update, in units of lr
constexpr double kAdamMinGrad = 1e-6;   // ... where the reference |grad| is at least this
constexpr double kNoiseGrad = 1e-10;    // DUMN's W_att gradient: only |g| below this
const double kUlp2 = std::ldexp(1.0, -22);  // two float32 ulps, relative

using Golden = std::map<std::string, Tensor>;

// One checked tensor: the worst |x - ref| / max|ref| and the worst |x - ref| / allowed.
struct Row {
  std::string name, cls;
  double rel = 0, ratio = 0;
  bool ok = true;
  std::string rule;
};

struct Report {
  std::vector<Row> rows;
  void add(Row r) { rows.push_back(std::move(r)); }
};

std::vector<double> values(const Tensor& t) { return t.contiguous().to(kFloat64).to_vector(); }

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// Accumulates the README rule over the pieces of one reference tensor (blocks of a shared
// table are compared one by one against the whole tensor's max|ref|).
struct RuleCheck {
  double scale = 0;  // max|ref| over the whole reference tensor
  double max_err = 0, ratio = 0;
  bool ok = true;
  void add(const std::vector<double>& x, const std::vector<double>& ref) {
    for (size_t i = 0; i < x.size(); ++i) {
      const double err = std::fabs(x[i] - ref[i]);
      const double allowed = kRtol * (std::fabs(ref[i]) + scale);
      max_err = std::max(max_err, err);
      if (!(err <= allowed)) ok = false;  // NaN fails too
      if (allowed > 0) ratio = std::max(ratio, err / allowed);
      else if (err > 0) ratio = INFINITY;
      if (std::isnan(x[i])) ratio = INFINITY;
    }
  }
  Row row(const std::string& name, const std::string& cls) const {
    return {name, cls, scale > 0 ? max_err / scale : max_err, ratio, ok, "|x-ref| <= 1e-4 (|ref| + max|ref|)"};
  }
};

Golden load_golden(const std::string& dir, const nlohmann::json& manifest) {
  Golden g;
  for (const auto& f : manifest.at("files")) {
    const std::string name = f.at("name");
    const std::string path = dir + "/" + name + ".npy";
    Tensor t = read_npy(path);
    Shape want;
    for (const auto& d : f.at("shape")) want.push_back(d.get<int64_t>());
    check(t.shape() == want, "--parity: {} has shape {}, manifest.json says {}", path, t.shape(), want);
    const std::string dtype = f.at("dtype");
    check((dtype == "float32" && t.dtype() == kFloat32) || (dtype == "int64" && t.dtype() == kInt64),
          "--parity: {} holds {}, manifest.json says {}", path, t.dtype(), dtype);
    g[name] = t;
  }
  return g;
}

const Tensor& golden(const Golden& g, const std::string& name, const std::string& dir) {
  auto it = g.find(name);
  check(it != g.end(), "--parity: {} has no '{}.npy' in its manifest (is it a dump of this model?)", dir, name);
  return it->second;
}

// The reference tensor's piece that corresponds to our tensor of shape `ours`.
Tensor to_ours(const TorchName& n, const Tensor& ref, const Shape& ours) {
  Tensor t = ref;
  if (n.block >= 0) {
    const int64_t r = ours.size() == 1 ? 1 : ours[0];
    check(ref.dim() >= 1 && (n.block + 1) * r <= ref.size(0), "--parity: {} {} has no row block {} of {} rows for {}",
          n.torch, ref.shape(), n.block, r, n.ours);
    t = ref.narrow(0, n.block * r, r);
  }
  if (n.transpose) {
    check(t.dim() == 2, "--parity: {} {} should be a matrix (transposed into {})", n.torch, t.shape(), n.ours);
    t = t.t();
  }
  auto squeezed = [](const Shape& s) {
    std::vector<int64_t> out;
    for (int64_t d : s)
      if (d != 1) out.push_back(d);
    return out;
  };
  check(squeezed(t.shape()) == squeezed(ours), "--parity: {} {} does not fit {} {}{}", n.torch, ref.shape(), n.ours,
        ours, n.transpose ? " (transposed)" : "");
  return t.contiguous().reshape(ours).contiguous();
}

std::map<std::string, Tensor> our_tensors(const nn::Module& model) {
  std::map<std::string, Tensor> out;
  for (const auto& p : model.named_parameters()) out[p.name] = p.value;
  for (const auto& b : model.named_buffers()) out[b.name] = b.value;
  return out;
}

// Copies the dumped parameters (and buffers) into the model; every tensor of the model must
// be covered once and every dumped parameter used.
void load_params(const BenchModel& m, const std::vector<TorchName>& names, const Golden& g, const std::string& dir) {
  NoGradGuard no_grad;
  auto ours = our_tensors(*m.model);
  std::set<std::string> covered, used;
  for (const auto& n : names) {
    auto it = ours.find(n.ours);
    check(it != ours.end(), "--parity: {} has no tensor '{}' (mapped from PyTorch's '{}')", m.name, n.ours, n.torch);
    const std::string key = (n.buffer ? "buffer." : "param.") + n.torch;
    it->second.copy_(to_ours(n, golden(g, key, dir), it->second.shape()));
    check(covered.insert(n.ours).second, "--parity: '{}' is mapped twice", n.ours);
    used.insert(key);
  }
  for (const auto& [name, t] : ours)
    check(covered.count(name), "--parity: {}'s '{}' {} has no PyTorch counterpart in the mapping", m.name, name,
          t.shape());
  for (const auto& [name, t] : g)
    if ((name.rfind("param.", 0) == 0 || name.rfind("buffer.", 0) == 0) && !used.count(name))
      fail("--parity: {} in {} is not mapped to any tensor of {} (a different model version?)", name, dir, m.name);
}

// Groups the mapping by reference tensor (shared tables hold several of ours).
std::map<std::string, std::vector<const TorchName*>> by_torch(const std::vector<TorchName>& names) {
  std::map<std::string, std::vector<const TorchName*>> out;
  for (const auto& n : names) out[n.torch].push_back(&n);
  return out;
}

Tensor dense_grad(const Tensor& p) {
  Tensor g = p.grad();
  if (!g.defined()) return zeros_like(p);
  return g.is_row_sparse() ? g.to_dense() : g;
}

BenchSizes sizes_from(const std::string& model, const nlohmann::json& cfg, const std::string& dir) {
  auto get = [&](const char* key) -> int64_t {
    check(cfg.contains(key), "--parity: {}/manifest.json: cfg has no '{}' for {}", dir, key, model);
    return cfg.at(key).get<int64_t>();
  };
  check(get("emb_dim") == 16, "--parity: {}: emb_dim {} (the benchmark's is 16)", dir, get("emb_dim"));
  BenchSizes s;
  if (model == "iarm" || model == "qin") {
    s.vocab = get("vocab");
    s.small_vocab = s.vocab;
    if (model == "qin") s.seq_len = get("seq_len");
    return s;
  }
  s.vocab = get("user_vocab");
  check(get("item_vocab") == s.vocab, "--parity: {}: user_vocab {} and item_vocab {} differ (one size here)", dir,
        s.vocab, get("item_vocab"));
  s.small_vocab = get(model == "eain" ? "cate_vocab" : "brand_vocab");
  s.seq_len = get("seq_len");
  return s;
}

}  // namespace

int run_parity(const std::string& dir, ParityOptions options) {
  const std::string manifest_path = dir + "/manifest.json";
  std::ifstream mf(manifest_path);
  check(mf.good(), "--parity: cannot read {} (make it with ../shared/bench/dump_golden.py --model M --out {})",
        manifest_path, dir);
  nlohmann::json man;
  try {
    man = nlohmann::json::parse(mf);
  } catch (const nlohmann::json::exception& e) {
    fail("--parity: {} is not valid JSON: {}", manifest_path, e.what());
  }
  const std::string name = man.at("model");
  const Golden g = load_golden(dir, man);
  BenchModel m = build_bench_model(name, sizes_from(name, man.at("cfg"), dir), options.sparse_grad, 1);
  const std::vector<TorchName> names = torch_names(m);
  load_params(m, names, g, dir);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < man.at("inputs").size(); ++i) inputs.push_back(golden(g, fmt::format("input.{}", i), dir));
  const data::Batch batch = batch_from_inputs(m, inputs, golden(g, "y", dir));
  auto ours = our_tensors(*m.model);
  Report report;

  // 1. forward, loss and its parts, backward: the step as the benchmark runs it.
  m.model->train();
  m.model->zero_grad();
  Tensor logits = m.model->forward(batch);
  nn::LossTerms terms = m.model->loss(batch, logits);
  terms.total.backward();
  auto rule_row = [&](const std::string& label, const std::string& cls, const Tensor& x, const Tensor& ref) {
    std::vector<double> xr = values(x), rr = values(ref);
    check(xr.size() == rr.size(), "--parity: {}: ours has {} values, the reference {}", label, xr.size(), rr.size());
    RuleCheck c;
    c.scale = max_abs(rr);
    c.add(xr, rr);
    report.add(c.row(label, cls));
  };
  rule_row("logits", "logits", logits, golden(g, "logits", dir));
  rule_row("loss", "loss", terms.total, golden(g, "loss", dir));
  for (const auto& [key, value] : man.at("loss_parts").items()) {
    Tensor part = key == "bce" ? terms.data_loss : Tensor();
    for (const auto& [n, t] : terms.extra)
      if (n == key) part = t;
    check(part.defined(), "--parity: {} reports no loss part '{}'", name, key);
    rule_row("loss_part." + key, "loss parts", part, golden(g, "loss_part." + key, dir));
  }
  const auto groups = by_torch(names);
  for (const auto& [torch, parts] : groups) {
    if (parts[0]->buffer) continue;
    const Tensor& ref = golden(g, "grad." + torch, dir);
    const std::string label = "grad." + torch;
    if (name == "dumn" && torch.find(".W_att.") != std::string::npos) {
      // Rounding noise at init (dump_golden.py): only the size of ours is checked.
      double worst = 0;
      for (const TorchName* n : parts) worst = std::max(worst, max_abs(values(dense_grad(ours.at(n->ours)))));
      report.add({label, "grads", worst, worst / kNoiseGrad, worst < kNoiseGrad, "|g| < 1e-10 (noise at init)"});
      continue;
    }
    RuleCheck c;
    c.scale = max_abs(values(ref));
    for (const TorchName* n : parts) {
      const Tensor& p = ours.at(n->ours);
      c.add(values(dense_grad(p)), values(to_ours(*n, ref, p.shape())));
    }
    report.add(c.row(label, "grads"));
  }

  // 2. Adam end to end (our gradients), then DUMN's commit.
  std::map<std::string, Tensor> before;
  for (const auto& [n, t] : ours) before[n] = t.clone();
  nn::Adam adam(m.model->parameters(), nn::AdamOptions{.lr = kLr});
  adam.step();
  m.model->after_step();
  for (const auto& [torch, parts] : groups) {
    const std::string label = "param_after_adam." + torch;
    if (parts[0]->buffer) {
      RuleCheck c;
      const Tensor& ref = golden(g, "buffer_after_commit." + torch, dir);
      c.scale = max_abs(values(ref));
      for (const TorchName* n : parts) c.add(values(ours.at(n->ours)), values(to_ours(*n, ref, ours.at(n->ours).shape())));
      report.add(c.row("buffer_after_commit." + torch, "memories"));
      continue;
    }
    const Tensor &ref_after = golden(g, label, dir), &ref0 = golden(g, "param." + torch, dir);
    const Tensor& ref_grad = golden(g, "grad." + torch, dir);
    double worst = 0;
    for (const TorchName* n : parts) {
      const Shape& s = ours.at(n->ours).shape();
      std::vector<double> x = values(ours.at(n->ours)), x0 = values(before.at(n->ours));
      std::vector<double> r = values(to_ours(*n, ref_after, s)), r0 = values(to_ours(*n, ref0, s));
      std::vector<double> gr = values(to_ours(*n, ref_grad, s));
      for (size_t i = 0; i < x.size(); ++i)
        if (std::fabs(gr[i]) >= kAdamMinGrad || std::isnan(x[i]))
          worst = std::max(worst, std::isnan(x[i]) ? INFINITY : std::fabs((x[i] - x0[i]) - (r[i] - r0[i])) / kLr);
    }
    report.add({label, "adam update (end to end)", worst, worst / kAdamTol, worst <= kAdamTol,
                "|update - ref| <= 1e-2 lr where |grad| >= 1e-6"});
  }

  // 3. Our Adam on the dumped parameters and gradients: float32 rounding only.
  load_params(m, names, g, dir);
  {
    NoGradGuard no_grad;
    for (const auto& n : names)
      if (!n.buffer) {
        Tensor& p = ours.at(n.ours);
        p.set_grad(to_ours(n, golden(g, "grad." + n.torch, dir), p.shape()));
      }
  }
  nn::Adam adam2(m.model->parameters(), nn::AdamOptions{.lr = kLr});
  adam2.step();
  for (const auto& [torch, parts] : groups) {
    if (parts[0]->buffer) continue;
    const Tensor& ref_after = golden(g, "param_after_adam." + torch, dir);
    double worst_rel = 0, worst_ratio = 0;
    bool ok = true;
    for (const TorchName* n : parts) {
      const Tensor& p = ours.at(n->ours);
      std::vector<double> x = values(p), r = values(to_ours(*n, ref_after, p.shape()));
      for (size_t i = 0; i < x.size(); ++i) {
        const double err = std::fabs(x[i] - r[i]), allowed = 1e-6 * kLr + kUlp2 * std::fabs(r[i]);
        if (!(err <= allowed)) ok = false;
        worst_rel = std::max(worst_rel, err / kLr);
        worst_ratio = std::max(worst_ratio, std::isnan(err) ? INFINITY : err / allowed);
      }
    }
    report.add({"adam_on_dumped_grads." + torch, "adam on dumped grads", worst_rel, worst_ratio, ok,
                "|x - ref| <= 1e-6 lr + 2^-22 |ref|"});
  }

  // Report: every tensor, the worst per class, the verdict.
  std::vector<std::string> failed;
  std::map<std::string, const Row*> worst;
  std::vector<std::string> class_order;
  for (const Row& r : report.rows) {
    if (options.verbose)
      fmt::print("{:<56} {:<26} err/max|ref| {:9.3g}  err/allowed {:9.3g}  {}\n", r.name, r.cls, r.rel, r.ratio,
                 r.ok ? "ok" : "OUTSIDE");
    if (!r.ok) failed.push_back(r.name);
    if (!worst.count(r.cls)) class_order.push_back(r.cls);
    if (!worst.count(r.cls) || r.ratio > worst[r.cls]->ratio) worst[r.cls] = &r;
  }
  fmt::print("worst per class ({}, {} tensors; err is |x - ref| / max|ref|, or / lr for Adam):\n", name,
             report.rows.size());
  for (const auto& cls : class_order) {
    const Row* r = worst[cls];
    fmt::print("  {:<26} {:9.3g} of allowed  (err {:9.3g}, {})  rule {}\n", cls, r->ratio, r->rel, r->name, r->rule);
  }
  if (!failed.empty()) {
    fmt::print("parity {}: FAIL, {} tensor(s) outside tolerance: {}\n", name, failed.size(), fmt::join(failed, ", "));
    return 1;
  }
  fmt::print("parity {}: ok, {} tensors within tolerance (worst {:.3g} of allowed)\n", name, report.rows.size(),
             std::max_element(report.rows.begin(), report.rows.end(),
                              [](const Row& a, const Row& b) { return a.ratio < b.ratio; })
                 ->ratio);
  return 0;
}

}  // namespace tg::bench
