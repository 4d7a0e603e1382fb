// tapegrad-bench: the benchmark models of ../shared/bench (IARM, QIN, EAIN, DUMN with the
// PyTorch reference's exact shapes, bench_models.h), timed the way bench_torch.py times them,
// with one JSON line of the same keys; --parity DIR checks one step against PyTorch's
// (parity.h); --profile adds time by op type and allocator statistics (core/profiler.h).
//
//   tapegrad-bench --model qin --batch 1024 --threads 2 --steps 20
//   tapegrad-bench --model dumn --batch 256 --mode infer          (or --infer)
//   tapegrad-bench --model iarm --batch 1024 --profile            (table on stderr)
//   tapegrad-bench --parity /tmp/golden-qin                       (exit 1 when outside tolerance)
//
// Timing: `warmup` steps, then the median (and min, max) of `steps` steps; each training step
// is zero_grad, forward, loss, backward, Adam step (lr 1e-3) and after_step (DUMN's memory
// commit), on pre-generated batches cycled (min(warmup + steps, 8) of them), as the
// reference. Embedding gradients are dense by default, as the reference's (so Adam is
// exactly torch.optim.Adam); --sparse-grad uses tapegrad's row-sparse path (lazy Adam on the
// looked-up rows: the first step is identical, later ones leave untouched rows alone), which
// measured no faster on these tables (most rows of a 10000-row table are touched at B=1024).
// Inference is a forward in eval mode under NoGradGuard. Threads: tapegrad's one
// pool (OpenBLAS stays on one thread, core/blas.h). The OpenBLAS kernel is whatever the
// process loads: set OPENBLAS_CORETYPE in the environment to choose it (bench/compare does
// that the same way for both frameworks).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/bench/bench_models.h"
#include "apps/bench/parity.h"
#include "apps/bench/synthetic.h"
#include "core/autograd.h"
#include "core/blas.h"
#include "core/cuda/runtime.h"
#include "core/device.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/profiler.h"
#include "nn/optim/adam.h"

using namespace tg;
using namespace tg::bench;

namespace {

struct Args {
  std::string model;
  int64_t batch = 1024;
  int threads = 2;
  int steps = 20;
  int warmup = 5;
  uint64_t seed = 0;
  double lr = 1e-3;
  std::string device = "cpu";
  std::string mode = "train";
  bool infer = false;
  int64_t seq_len = 0;
  bool sparse_grad = false;
  bool profile = false;
  std::string parity;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double round_to(double x, int digits) {
  const double k = std::pow(10.0, digits);
  return std::round(x * k) / k;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int run_bench(const Args& a) {
  check(a.batch > 0 && a.steps > 0 && a.warmup >= 0 && a.threads > 0,
        "tapegrad-bench: --batch, --steps and --threads must be positive and --warmup >= 0");
  const Device dev = Device::parse(a.device);
  if (dev.is_cuda()) cuda::require_device(dev, "tapegrad-bench --device");
  const bool infer = a.infer || a.mode == "infer";
  set_num_threads(a.threads);
  BenchModel m = build_bench_model(a.model, {.seq_len = a.seq_len}, a.sparse_grad, a.seed);
  nn::CtrModel& model = *m.model;
  model.to(dev);  // initialised on the cpu (the same weights on every device), then moved
  SyntheticData data(m, a.seed);
  const int total = a.warmup + a.steps;
  std::vector<data::Batch> batches;
  for (int i = 0; i < std::min(total, 8); ++i) {
    Inputs in = data.batch(a.batch);
    batches.push_back(batch_from_inputs(m, in.x, in.y).to(dev));
  }
  nn::Adam opt(model.parameters(), nn::AdamOptions{.lr = a.lr});
  double last_loss = NAN;
  auto train_step = [&](const data::Batch& b) {
    opt.zero_grad();
    profiler::mark();  // zero_grad and the previous step are not the first op's forward time
    Tensor logits = model.forward(b);
    nn::LossTerms terms = model.loss(b, logits);
    terms.total.backward();
    opt.step();
    model.after_step();
    last_loss = terms.total.item();
  };
  auto infer_step = [&](const data::Batch& b) {
    NoGradGuard no_grad;
    model.forward(b);
  };
  if (infer) model.eval();
  std::vector<double> times;
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < total; ++i) {
    if (a.profile && i == a.warmup) {  // the timed steps only
      profiler::reset();
      profiler::enable(true);
    }
    const data::Batch& b = batches[static_cast<size_t>(i) % batches.size()];
    const auto t0 = Clock::now();
    infer ? infer_step(b) : train_step(b);
    if (dev.is_cuda()) cuda::synchronize(dev.index);  // a step ends when its kernels have run
    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  if (a.profile) {
    profiler::enable(false);
    std::fputs(profiler::report().c_str(), stderr);
  }
  std::vector<double> t(times.begin() + a.warmup, times.end());
  const double med = median(t);
  const double flop = m.forward_flops * static_cast<double>(a.batch) * (infer ? 1 : 3);
  const BlasInfo blas = blas_info();
  nlohmann::ordered_json j;
  j["model"] = a.model;
  j["batch"] = a.batch;
  j["threads"] = a.threads;
  j["framework"] = "tapegrad";
  j["device"] = dev.str();
  j["openblas_core"] = blas.corename;
  j["openblas_threads"] = blas.threads;
  j["params"] = model.num_parameters();
  j["fwd_mflop_per_sample"] = round_to(m.forward_flops / 1e6, 3);
  j["sparse_grad"] = a.sparse_grad;
  j["mode"] = infer ? "infer" : "train";
  j["steps"] = t.size();
  j["step_ms_median"] = round_to(med * 1e3, 2);
  j["step_ms_min"] = round_to(*std::min_element(t.begin(), t.end()) * 1e3, 2);
  j["step_ms_max"] = round_to(*std::max_element(t.begin(), t.end()) * 1e3, 2);
  j["samples_per_s"] = round_to(static_cast<double>(a.batch) / med, 1);
  j["matmul_gflops_effective"] = round_to(flop / med / 1e9, 1);
  j["peak_rss_mib"] = round_to(peak_rss_mib(), 1);
  if (dev.is_cuda())
    j["peak_gpu_mib"] = round_to(static_cast<double>(cuda::allocator_stats(dev.index).peak_in_use_bytes) / 1048576.0, 1);
  if (!infer) j["last_loss"] = round_to(last_loss, 5);
  fmt::print("{}\n", j.dump());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"tapegrad-bench: the ../shared/bench models (IARM, QIN, EAIN, DUMN) timed as bench_torch.py times "
               "PyTorch's, one JSON line per run; --parity DIR checks one step against dump_golden.py's"};
  app.add_option("--model", a.model, "iarm | qin | eain | dumn")
      ->check(CLI::IsMember(bench::bench_model_names()));
  app.add_option("--batch", a.batch, "batch size")->capture_default_str();
  app.add_option("--threads", a.threads, "tapegrad threads (OpenBLAS stays on one)")->capture_default_str();
  app.add_option("--steps", a.steps, "timed steps (the median is reported)")->capture_default_str();
  app.add_option("--warmup", a.warmup, "untimed steps first")->capture_default_str();
  app.add_option("--seed", a.seed, "model init and synthetic data")->capture_default_str();
  app.add_option("--lr", a.lr, "Adam learning rate")->capture_default_str();
  app.add_option("--device", a.device, "cpu | cuda | cuda:N")->capture_default_str();
  app.add_option("--mode", a.mode, "train | infer")->check(CLI::IsMember({"train", "infer"}))->capture_default_str();
  app.add_flag("--infer", a.infer, "same as --mode infer (bench_torch.py's flag)");
  app.add_option("--seq-len", a.seq_len, "qin/eain/dumn: sequence length T (default 50 / 50 / 100)");
  app.add_flag("--sparse-grad", a.sparse_grad,
               "row-sparse embedding gradients (lazy Adam on the looked-up rows); default: dense, as the reference");
  app.add_flag("--profile", a.profile,
               "time by op type (forward/backward) and allocator statistics over the timed steps, on stderr "
               "(inference records nothing, so its profile is empty)");
  app.add_option("--parity", a.parity, "a folder from ../shared/bench/dump_golden.py: check one training step");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!a.parity.empty()) {
      set_num_threads(a.threads);
      return bench::run_parity(a.parity, {.sparse_grad = a.sparse_grad});
    }
    check(!a.model.empty(), "tapegrad-bench: give --model (iarm, qin, eain, dumn) or --parity DIR");
    return run_bench(a);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tapegrad-bench: {}\n", e.what());
    return 1;
  }
}
