#include "apps/driver/ctr_app.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/blas.h"
#include "core/cuda/runtime.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/profiler.h"
#include "core/rng.h"
#include "data/movielens/movielens100k.h"
#include "data/readers/avazu.h"
#include "data/readers/criteo.h"
#include "data/synthetic/movielens_synthetic.h"
#include "data/taobao/taobao.h"
#include "inspect/anomaly.h"
#include "inspect/dot.h"
#include "inspect/trace.h"
#include "models/registry.h"
#include "nn/io/checkpoint.h"
#include "nn/optim/optim.h"
#include "nn/train/trainer.h"

namespace tg::apps {

namespace {

namespace fs = std::filesystem;

struct DataSource {
  std::string format = "synthetic";
  std::string path;
  uint64_t seed = 1;  // synthetic data and ratio splits
};

struct Splits {
  data::Dataset train, valid, test;
};

// --format taobao: a folder holding either the raw Tianchi CSVs (raw_sample.csv, ad_feature.csv,
// user_profile.csv, maybe behavior_log.csv; time split 80/10/10) or FuxiCTR's joined CSVs as
// three given files (train/valid/test.csv, or the *_sample.csv names of FuxiCTR's tiny_csv).
Splits load_taobao(const std::string& dir) {
  check(fs::is_directory(dir), "--format taobao needs --data DIR (raw Tianchi CSVs or FuxiCTR train/valid/test), got '{}'",
        dir);
  if (fs::exists(fs::path(dir) / "raw_sample.csv")) {
    auto s = data::read_taobao_raw(dir);
    return {std::move(s.train), std::move(s.valid), std::move(s.test)};
  }
  for (const char* suffix : {".csv", "_sample.csv"}) {
    auto file = [&](const char* part) { return (fs::path(dir) / (std::string(part) + suffix)).string(); };
    if (!fs::exists(file("train"))) continue;
    auto s = data::read_taobao_fuxictr(file("train"), fs::exists(file("valid")) ? file("valid") : "",
                                       fs::exists(file("test")) ? file("test") : "");
    return {std::move(s.train), std::move(s.valid), std::move(s.test)};
  }
  fail("{}: no raw_sample.csv, train.csv or train_sample.csv (--format taobao)", dir);
}

Splits load_data(const DataSource& src, const std::string& scratch_dir) {
  if (src.format == "synthetic" || src.format == "movielens100k") {
    std::string dir = src.path;
    if (src.format == "synthetic") {
      // Regenerated every time (0.1 s): the same seed gives the same bytes, and a stale copy
      // from another version of the generator can never be picked up.
      dir = (fs::path(scratch_dir) / fmt::format("synthetic-ml-{}-{}", src.seed, ::getpid())).string();
      data::write_synthetic_movielens(dir, {.seed = src.seed});
      auto s = data::load_movielens100k(dir);
      fs::remove_all(dir);
      return {std::move(s.train), std::move(s.valid), std::move(s.test)};
    }
    check(!dir.empty(), "--format movielens100k needs --data DIR (holding u.data, u.user, u.item)");
    auto s = data::load_movielens100k(dir);
    return {std::move(s.train), std::move(s.valid), std::move(s.test)};
  }
  check(!src.path.empty(), "--format {} needs --data {}", src.format, src.format == "taobao" ? "DIR" : "FILE");
  if (src.format == "taobao") return load_taobao(src.path);
  data::ReadOptions read{.split = {.seed = src.seed}};
  data::TableSplits t;
  if (src.format == "criteo") {
    t = data::read_criteo(src.path, {.read = read});
  } else if (src.format == "avazu") {
    t = data::read_avazu(src.path, {.read = read});
  } else if (src.format == "taobao-dmr") {
    t = data::read_taobao_dmr(src.path, {.read = read});
  } else {
    fail("unknown --format '{}' (synthetic, movielens100k, criteo, avazu, taobao, taobao-dmr)", src.format);
  }
  return {std::move(t.train), std::move(t.valid), std::move(t.test)};
}

std::unique_ptr<nn::Optimizer> make_optimizer(const std::string& name, nn::CtrModel& model, double lr, double wd) {
  auto params = model.named_parameters();
  if (name == "adam") return std::make_unique<nn::Adam>(params, nn::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "adamw") return std::make_unique<nn::AdamW>(params, nn::AdamOptions{.lr = lr, .weight_decay = wd});
  if (name == "sgd") return std::make_unique<nn::SGD>(params, nn::SGDOptions{.lr = lr, .weight_decay = wd});
  if (name == "adagrad") return std::make_unique<nn::Adagrad>(params, nn::AdagradOptions{.lr = lr, .weight_decay = wd});
  fail("unknown --optimizer '{}' (adam, adamw, sgd, adagrad)", name);
}

nlohmann::json result_json(const std::string& model, const std::string& split, const nn::Evaluation& e) {
  return {{"model", model}, {"split", split}, {"auc", e.auc}, {"logloss", e.logloss}, {"examples", e.examples},
          {"seconds", e.seconds}};
}

// What --dot, --trace-step, --grad-stats, --detect-anomaly and --profile ask for.
struct InspectOptions {
  std::string dot_path;
  int dot_depth = 0;
  std::string dot_render = "svg";
  int64_t trace_step = 0;
  int64_t grad_stats = 0;
  bool detect_anomaly = false;
  bool profile = false;
  std::string title;  // of the picture
};

// Hangs the graph export and the tape trace on the Trainer's step callbacks.
nn::StepCallbacks inspection_callbacks(const InspectOptions& o, std::shared_ptr<TapeTrace>& trace) {
  nn::StepCallbacks cb;
  if (o.trace_step > 0) {
    cb.before_forward = [&o, &trace](int64_t step) {
      if (step == o.trace_step) trace = std::make_shared<TapeTrace>();
    };
    cb.after_backward = [&o, &trace](int64_t step) {
      if (step != o.trace_step || !trace) return;
      trace->stop();
      fmt::print(stderr, "\ntape trace of step {}:\n{}", step, trace->table());
      trace.reset();
    };
  }
  if (!o.dot_path.empty()) {
    cb.before_backward = [&o](int64_t step, const nn::LossTerms& loss) {
      if (step != 1) return;
      DotGraph g = write_dot(loss.total, o.dot_path, {.collapse_depth = o.dot_depth, .title = o.title});
      fmt::print(stderr, "wrote the graph of step 1 to {} ({} nodes, {} edges)\n", o.dot_path, g.nodes, g.edges);
      if (o.dot_render == "none") return;
      if (!graphviz_available()) {
        fmt::print(stderr, "(Graphviz's `dot` is not on PATH: no picture; apt-get install graphviz)\n");
      } else if (g.nodes > 4000) {
        fmt::print(stderr, "({} nodes is too many to lay out quickly: add --dot-depth 1 or 2 for a picture)\n", g.nodes);
      } else {
        fmt::print(stderr, "rendered {}\n", render_dot(o.dot_path, o.dot_render));
      }
    };
  }
  return cb;
}

const data::Dataset& pick_split(const Splits& s, const std::string& split) {
  if (split == "test") return s.test;
  if (split == "valid") return s.valid;
  if (split == "train") return s.train;
  fail("unknown --split '{}' (train, valid, test)", split);
}

}  // namespace

int run_ctr_app(const std::string& program, const std::vector<std::string>& model_names, int argc, char** argv,
                const AppDefaults& defaults) {
  CLI::App app{fmt::format("{}: train, evaluate and use {} on CTR data (tapegrad)", program,
                           fmt::join(model_names, " / "))};
  app.set_version_flag("--version", "tapegrad 0.1.0");
  std::string model_name = model_names.front();
  if (model_names.size() > 1)
    app.add_option("--model", model_name, "which model")->check(CLI::IsMember(model_names))->capture_default_str();

  // train (the default)
  DataSource src;
  int64_t epochs = defaults.epochs, batch = 1024, max_steps = 0, patience = 2;
  double lr = 1e-3, weight_decay = 0, clip = 10.0;
  std::string optimizer = "adam", out_dir, device = "cpu";
  int threads = 0;
  bool resume = false, quiet = false;
  auto add_data_options = [&](CLI::App* a) {
    a->add_option("--data", src.path, "data file or directory (default: built-in synthetic data)");
    a->add_option("--format", src.format, "synthetic | movielens100k | criteo | avazu | taobao (DIR) | taobao-dmr")->capture_default_str();
    a->add_option("--data-seed", src.seed, "seed of the synthetic data and of ratio splits")->capture_default_str();
  };
  auto* train = app.add_subcommand("train", "train a model (the default command)");
  for (auto* a : {static_cast<CLI::App*>(&app), train}) {
    add_data_options(a);
    a->add_option("--epochs", epochs, "epochs at most")->capture_default_str();
    a->add_option("--batch-size", batch, "training batch size")->capture_default_str();
    a->add_option("--lr", lr, "learning rate")->capture_default_str();
    a->add_option("--weight-decay", weight_decay, "optimizer weight decay")->capture_default_str();
    a->add_option("--optimizer", optimizer, "adam | adamw | sgd | adagrad")->capture_default_str();
    a->add_option("--clip", clip, "global gradient-norm clipping (0: off)")->capture_default_str();
    a->add_option("--patience", patience, "early stopping: epochs without a better valid AUC")->capture_default_str();
    a->add_option("--max-steps", max_steps, "stop after this many steps (0: no limit)")->capture_default_str();
    a->add_option("--threads", threads, "CPU threads (0: all cores)")->capture_default_str();
    a->add_option("--device", device, "cpu, cuda or cuda:N (the CUDA backend; built when nvcc is found)")->capture_default_str();
    a->add_option("--out", out_dir, "run directory: checkpoints, run.json, metrics.jsonl, curves.svg");
    a->add_flag("--resume", resume, "continue from --out/last.safetensors");
    a->add_flag("--quiet", quiet, "no progress line");
  }
  InspectOptions inspect;
  for (auto* a : {static_cast<CLI::App*>(&app), train}) {
    a->add_option("--dot", inspect.dot_path, "write the graph of the first training step as Graphviz DOT (and a "
                                             "picture beside it when `dot` is installed)")
        ->group("Inspection");
    a->add_option("--dot-depth", inspect.dot_depth, "draw each module this many levels down as one box (0: every op)")
        ->group("Inspection")->capture_default_str();
    a->add_option("--dot-render", inspect.dot_render, "picture format next to the DOT file: svg | png | none")
        ->check(CLI::IsMember({"svg", "png", "none"}))->group("Inspection")->capture_default_str();
    a->add_option("--trace-step", inspect.trace_step, "print the tape trace of this training step (1-based)")
        ->group("Inspection");
    a->add_option("--grad-stats", inspect.grad_stats, "gradient statistics every N steps (stderr and metrics.jsonl)")
        ->group("Inspection");
    a->add_flag("--detect-anomaly", inspect.detect_anomaly, "stop at the first op that makes a NaN/Inf, naming it")
        ->group("Inspection");
    a->add_flag("--profile", inspect.profile, "time every op type (forward and backward); table at the end")
        ->group("Inspection");
  }
  uint64_t seed = 1;
  app.add_option("--seed", seed, "seed of model initialisation, shuffling and dropout")->capture_default_str();
  train->add_option("--seed", seed, "seed of model initialisation, shuffling and dropout")->capture_default_str();

  // Every knob of every model this binary builds, as --<knob>.
  std::map<std::string, std::string> knob_values;
  std::map<std::string, std::vector<std::string>> knobs_of;
  for (const auto& name : model_names) {
    models::ModelArgs probe;
    models::find_model(name).declare(probe);
    for (const auto& k : probe.known()) {
      knobs_of[name].push_back(k.name);
      if (knob_values.count(k.name)) continue;
      knob_values[k.name];
      for (auto* a : {static_cast<CLI::App*>(&app), train})
        a->add_option("--" + k.name, knob_values[k.name], fmt::format("{} (default {})", k.help, k.default_value))
            ->group(model_names.size() > 1 ? "Model knobs" : fmt::format("{} knobs", name));
    }
  }

  std::string checkpoint, split = "test", output;
  auto* eval = app.add_subcommand("eval", "evaluate a trained run directory");
  eval->add_option("--checkpoint", checkpoint, "a run directory written by train --out")->required();
  eval->add_option("--split", split, "train | valid | test")->capture_default_str();
  auto* predict = app.add_subcommand("predict", "write one click probability per row");
  predict->add_option("--checkpoint", checkpoint, "a run directory written by train --out")->required();
  predict->add_option("--split", split, "train | valid | test")->capture_default_str();
  predict->add_option("--output", output, "output file (one probability per line, row order)")->required();
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    const Device dev = Device::parse(device);  // "cpu", "cuda", "cuda:N"; an error names the bad spelling
    if (dev.is_cuda()) cuda::require_device(dev, "--device");  // before any data is read
    if (threads > 0) set_num_threads(threads);
    blas_check_kernel_once();
    const std::string scratch = !out_dir.empty() ? out_dir : fs::temp_directory_path().string();

    if (eval->parsed() || predict->parsed()) {
      std::ifstream in(fs::path(checkpoint) / "run.json");
      check(in.good(), "{}: no run.json (not a run directory written by train --out?)", checkpoint);
      nlohmann::json run = nlohmann::json::parse(in);
      DataSource saved{run["data"]["format"], run["data"]["path"], run["data"]["seed"]};
      std::map<std::string, std::string> args = run["args"];
      Splits splits = load_data(saved, checkpoint);
      manual_seed(run.value("seed", uint64_t{1}));
      auto model = models::make_model(run["model"], splits.train, models::ModelArgs(args));
      model->to(dev);
      nn::load_weights((fs::path(checkpoint) / "model.safetensors").string(), *model);
      nn::Adam unused(model->parameters());
      nn::Trainer trainer(*model, unused, {.progress = false});
      const data::Dataset& target = pick_split(splits, split);
      if (eval->parsed()) {
        nn::Evaluation e = trainer.evaluate(target);
        fmt::print("{}\n", result_json(run["model"], split, e).dump());
      } else {
        std::vector<float> p = trainer.predict(target);
        std::string text;
        for (float v : p) text += fmt::format("{:.6f}\n", v);
        write_file_atomically(output, text);
        fmt::print(stderr, "wrote {} probabilities to {}\n", p.size(), output);
      }
      return 0;
    }

    auto start = std::chrono::steady_clock::now();
    Splits splits = load_data(src, scratch);
    fmt::print(stderr, "{}: data {} ({}): train {} rows, valid {}, test {}\n", program, src.format,
               src.path.empty() ? "built-in" : src.path, splits.train.rows(), splits.valid.rows(), splits.test.rows());
    std::map<std::string, std::string> args;
    for (const auto& k : knobs_of[model_name])
      if (!knob_values[k].empty()) args[k] = knob_values[k];
    for (const auto& [k, v] : knob_values)
      if (!v.empty() && !args.count(k))
        fail("--{} is not a knob of {} (its knobs: {})", k, model_name, fmt::join(knobs_of[model_name], ", "));
    manual_seed(seed);
    auto model = models::make_model(model_name, splits.train, models::ModelArgs(args));
    model->to(dev);  // before the optimizer, whose state is then made on the same device
    fmt::print(stderr, "{}: {} parameters\n", model->describe(), model->num_parameters());
    auto opt = make_optimizer(optimizer, *model, lr, weight_decay);
    if (!out_dir.empty()) {
      fs::create_directories(out_dir);
      nlohmann::json run = {{"model", model_name},
                            {"args", args},
                            {"seed", seed},
                            {"data", {{"format", src.format}, {"path", src.path}, {"seed", src.seed}}}};
      write_file_atomically((fs::path(out_dir) / "run.json").string(), run.dump(2) + "\n");
    }
    std::shared_ptr<TapeTrace> trace;
    inspect.title = fmt::format("{}: one training step (batch {})", model_name, batch);
    nn::Trainer trainer(*model, *opt,
                        {.epochs = epochs, .batch_size = batch, .max_steps = max_steps, .patience = patience,
                         .clip_norm = clip, .seed = seed, .out_dir = out_dir, .resume = resume, .progress = !quiet,
                         .grad_stats_every = inspect.grad_stats, .callbacks = inspection_callbacks(inspect, trace)});
    AnomalyMode anomaly(inspect.detect_anomaly);
    if (inspect.profile) profiler::enable(true);
    nn::FitResult fit = trainer.fit(splits.train, splits.valid.rows() > 0 ? &splits.valid : nullptr);
    if (inspect.profile) {
      profiler::enable(false);
      fmt::print(stderr, "\nprofile of the training steps:\n{}", profiler::report());
    }
    if (!out_dir.empty()) nn::save_weights((fs::path(out_dir) / "model.safetensors").string(), *model);
    nn::Evaluation test = trainer.evaluate(splits.test.rows() > 0 ? splits.test : splits.train);
    test.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json j = result_json(model_name, splits.test.rows() > 0 ? "test" : "train", test);
    j["best_epoch"] = fit.best_epoch;
    j["best_valid_auc"] = fit.best_valid_auc;
    j["steps"] = fit.steps;
    j["parameters"] = model->num_parameters();
    j["stop_reason"] = fit.stop_reason;
    j["time"] = {{"data_wait", fit.time.data_wait}, {"forward", fit.time.forward}, {"backward", fit.time.backward},
                 {"optimizer", fit.time.optimizer}, {"evaluation", fit.time.evaluation}};
    fmt::print("{}\n", j.dump());
    return 0;
  } catch (const Error& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return 1;
  }
}

}  // namespace tg::apps
