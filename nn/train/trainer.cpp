#include "nn/train/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/autograd.h"
#include "core/error.h"
#include "core/profiler.h"
#include "core/rng.h"
#include "data/iterator.h"
#include "data/metrics/metrics.h"
#include "nn/io/checkpoint.h"
#include "nn/optim/clip.h"
#include "nn/train/curves.h"
#include "nn/train/grad_stats.h"
#include "nn/train/progress.h"
#include "ops/ops.h"

namespace tg::nn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

nlohmann::json to_json(const EpochRecord& r) {
  nlohmann::json j = {{"epoch", r.epoch},           {"steps", r.steps},
                      {"train_loss", r.train_loss}, {"lr", r.lr},
                      {"seconds", r.seconds},       {"samples_per_s", r.samples_per_second},
                      {"time", {{"data_wait", r.time.data_wait},
                                {"forward", r.time.forward},
                                {"backward", r.time.backward},
                                {"optimizer", r.time.optimizer},
                                {"evaluation", r.time.evaluation}}}};
  for (const auto& [name, value] : r.train_parts) j["train_" + name] = value;
  if (r.has_valid) {
    j["valid_auc"] = r.valid.auc;
    j["valid_logloss"] = r.valid.logloss;
  }
  return j;
}

EpochRecord epoch_from_json(const nlohmann::json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch").get<int64_t>();
  r.steps = j.at("steps").get<int64_t>();
  r.train_loss = j.at("train_loss").get<double>();
  r.lr = j.at("lr").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.samples_per_second = j.value("samples_per_s", 0.0);
  if (j.contains("valid_auc")) {
    r.has_valid = true;
    r.valid.auc = j.at("valid_auc").get<double>();
    r.valid.logloss = j.at("valid_logloss").get<double>();
  }
  for (const auto& [key, value] : j.items())
    if (key.rfind("train_", 0) == 0 && key != "train_loss") r.train_parts[key.substr(6)] = value.get<double>();
  return r;
}

void write_curves(const std::string& path, const std::vector<EpochRecord>& epochs) {
  Curve train{"train loss", "#1f77b4", {}}, valid_loss{"valid logloss", "#ff7f0e", {}}, auc{"valid AUC", "#2ca02c", {}};
  for (const auto& e : epochs) {
    auto x = static_cast<double>(e.epoch);
    train.points.push_back({x, e.train_loss});
    if (e.has_valid) {
      valid_loss.points.push_back({x, e.valid.logloss});
      auc.points.push_back({x, e.valid.auc});
    }
  }
  write_curves_svg(path, {{"loss", "epoch", {train, valid_loss}}, {"validation AUC", "epoch", {auc}}});
}

std::string path_in(const std::string& dir, const char* name) { return (std::filesystem::path(dir) / name).string(); }

nlohmann::json to_json(const std::vector<ParamGradStats>& stats, int64_t step, int64_t epoch) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& s : stats) {
    nlohmann::json r = {{"name", s.name}, {"has_grad", s.has_grad}, {"flags", s.flags}};
    if (s.has_grad) {
      r["norm"] = s.norm;
      r["mean"] = s.mean;
      r["max_abs"] = s.max_abs;
      r["zero_fraction"] = s.zero_fraction;
    }
    if (s.update_ratio >= 0) r["update_ratio"] = s.update_ratio;
    rows.push_back(std::move(r));
  }
  return {{"step", step}, {"epoch", epoch}, {"grad_stats", std::move(rows)}};
}

// The batch on the model's device: itself on the cpu, else a copy kept in `moved`.
const data::Batch& on_device(const data::Batch& batch, Device device, data::Batch& moved) {
  if (device.is_cpu()) return batch;
  moved = batch.to(device);
  return moved;
}

}  // namespace

Trainer::Trainer(CtrModel& model, Optimizer& optimizer, TrainerOptions options)
    : model_(model), optimizer_(optimizer), options_(std::move(options)) {
  check(options_.batch_size > 0, "Trainer: batch_size must be positive, got {}", options_.batch_size);
  check(options_.eval_batch_size > 0, "Trainer: eval_batch_size must be positive, got {}", options_.eval_batch_size);
  check(options_.epochs >= 0, "Trainer: epochs must be >= 0, got {}", options_.epochs);
  check(options_.plateau_factor >= 0 && options_.plateau_factor < 1,
        "Trainer: plateau_factor must be in [0, 1), got {}", options_.plateau_factor);
}

std::vector<float> Trainer::predict(const data::Dataset& dataset) {
  const bool was_training = model_.is_training();
  model_.eval();
  NoGradGuard no_grad;
  std::vector<float> out;
  out.reserve(static_cast<size_t>(dataset.rows()));
  data::BatchIterator batches(dataset, {.batch_size = options_.eval_batch_size,
                                        .shuffle = false,
                                        .prefetch = options_.prefetch});
  batches.start_epoch(0);
  const Device device = model_.device();
  data::Batch moved;
  while (const data::Batch* batch = batches.next()) {
    Tensor p = ops::sigmoid(model_(on_device(*batch, device, moved))).to(kCPU).contiguous().to(kFloat32);
    check(p.numel() == batch->size, "Trainer::predict: {} returned {} logits for a batch of {}",
          model_.model_name(), p.numel(), batch->size);
    const float* v = p.data<float>();
    out.insert(out.end(), v, v + p.numel());
  }
  model_.train(was_training);
  return out;
}

Evaluation Trainer::evaluate(const data::Dataset& dataset) {
  auto start = Clock::now();
  std::vector<float> probs = predict(dataset);
  Evaluation e;
  e.examples = dataset.rows();
  e.auc = data::auc(probs, dataset.labels);
  e.logloss = data::logloss(probs, dataset.labels);
  e.seconds = seconds_since(start);
  return e;
}

FitResult Trainer::fit(const data::Dataset& train, const data::Dataset* valid) {
  check(train.rows() > 0, "Trainer::fit: the training set is empty");
  FitResult result;
  const bool write_files = !options_.out_dir.empty();
  if (write_files) std::filesystem::create_directories(options_.out_dir);
  const std::string last_path = write_files ? path_in(options_.out_dir, "last.safetensors") : "";
  const std::string best_path = write_files ? path_in(options_.out_dir, "best.safetensors") : "";
  const std::string log_path = write_files ? path_in(options_.out_dir, "metrics.jsonl") : "";

  manual_seed(options_.seed);
  int64_t first_epoch = 1, steps = 0, epochs_without_gain = 0;
  double best_auc = -std::numeric_limits<double>::infinity();
  StateDict best_state;  // in memory when there is no out_dir

  if (options_.resume && write_files && std::filesystem::exists(last_path)) {
    LoadedCheckpoint ckpt = read_checkpoint(last_path);
    model_.load_state_dict(ckpt.model);
    optimizer_.load_state_dict(ckpt.optimizer);
    const TrainingPosition& pos = ckpt.position;
    first_epoch = pos.epoch + 1;
    steps = pos.step;
    best_auc = std::isnan(pos.best_metric) ? best_auc : pos.best_metric;
    result.best_epoch = pos.best_epoch < 0 ? 0 : pos.best_epoch;
    auto get = [&](const char* key) {
      auto it = pos.extra.find(key);
      check(it != pos.extra.end(), "Trainer: checkpoint '{}' lacks '{}' (not written by the Trainer?)", last_path,
            key);
      return it->second;
    };
    epochs_without_gain = std::stoll(get("epochs_without_gain"));
    default_generator().manual_seed(std::stoull(get("generator_seed")));
    default_generator().set_offset(std::stoull(get("generator_offset")));
    for (const auto& line : nlohmann::json::parse(get("history"))) result.epochs.push_back(epoch_from_json(line));
    fmt::print(stderr, "resuming from {} after epoch {} (step {})\n", last_path, pos.epoch, steps);
  } else if (write_files) {
    std::ofstream(log_path, std::ios::trunc);  // a fresh run starts a fresh log
  }
  result.best_valid_auc = std::isfinite(best_auc) ? best_auc : 0;

  data::BatchIterator batches(train, {.batch_size = options_.batch_size,
                                      .shuffle = true,
                                      .seed = options_.seed,
                                      .prefetch = options_.prefetch});
  const int64_t steps_per_epoch = batches.batches_per_epoch();
  const auto params = model_.parameters();
  const Device device = model_.device();  // batches go where the parameters are
  data::Batch moved;
  result.stop_reason = "epochs";

  for (int64_t epoch = first_epoch; epoch <= options_.epochs; ++epoch) {
    if (options_.max_steps > 0 && steps >= options_.max_steps) {
      result.stop_reason = "max_steps";
      break;
    }
    model_.train();
    EpochRecord rec;
    rec.epoch = epoch;
    auto epoch_start = Clock::now();
    ProgressBar bar(fmt::format("epoch {}/{}", epoch, options_.epochs), steps_per_epoch, options_.progress);
    double loss_sum = 0;
    std::map<std::string, double> part_sums;
    int64_t batches_seen = 0, samples = 0;
    batches.start_epoch(epoch);
    while (true) {
      auto t0 = Clock::now();
      const data::Batch* batch = batches.next();
      rec.time.data_wait += seconds_since(t0);
      if (!batch) break;

      const auto& hooks = options_.callbacks;
      const int64_t step = steps + 1;
      if (hooks.before_forward) hooks.before_forward(step);
      profiler::mark();  // the data wait and the last optimizer step are no op's forward time
      auto t1 = Clock::now();
      const data::Batch& b = on_device(*batch, device, moved);
      Tensor logits = model_(b);
      LossTerms loss = model_.loss(b, logits);
      if (hooks.before_backward) hooks.before_backward(step, loss);
      const double total = loss.total.item<double>();
      const double data_loss = loss.data_loss.defined() ? loss.data_loss.item<double>() : total;
      check(std::isfinite(total),
            "training stopped: the loss is {} at epoch {}, step {} (batch {} of the epoch); the last mean loss "
            "was {:.6g}. Lower the learning rate, enable clipping, or run in anomaly mode (--detect-anomaly, "
            "tg::AnomalyMode) to find the op.",
            total, epoch, steps + 1, batches_seen + 1, batches_seen ? loss_sum / batches_seen : 0.0);
      auto t2 = Clock::now();
      rec.time.forward += std::chrono::duration<double>(t2 - t1).count();

      optimizer_.zero_grad();
      loss.total.backward();
      auto t3 = Clock::now();
      rec.time.backward += std::chrono::duration<double>(t3 - t2).count();
      if (hooks.after_backward) hooks.after_backward(step);

      // Gradient statistics: of the raw gradients, with the update measured across the step.
      const bool stats_now = options_.grad_stats_every > 0 && step % options_.grad_stats_every == 0;
      std::vector<ParamGradStats> stats;
      StateDict before_step;
      if (stats_now) {
        stats = gradient_stats(model_);
        before_step = snapshot_parameters(model_);
      }
      auto t4 = Clock::now();
      if (options_.clip_norm > 0) clip_grad_norm_(params, options_.clip_norm);
      optimizer_.step();
      model_.after_step();
      rec.time.optimizer += seconds_since(t4);
      if (stats_now) {
        measure_updates(stats, model_, before_step);
        fmt::print(stderr, "\ngradient statistics at step {} (epoch {}):\n{}", step, epoch, format_grad_stats(stats));
        if (write_files) std::ofstream(log_path, std::ios::app) << to_json(stats, step, epoch).dump() << "\n";
      }

      ++steps, ++batches_seen;
      samples += batch->size;
      loss_sum += data_loss;
      for (const auto& [name, t] : loss.extra) part_sums[name] += t.item<double>();
      bar.update(batches_seen, batch->size, loss_sum / batches_seen);
      if (options_.max_steps > 0 && steps >= options_.max_steps) break;
    }
    rec.steps = steps;
    rec.train_loss = batches_seen ? loss_sum / batches_seen : 0;
    for (const auto& [name, sum] : part_sums) rec.train_parts[name] = sum / std::max<int64_t>(batches_seen, 1);
    const double train_seconds = seconds_since(epoch_start);
    rec.samples_per_second = train_seconds > 0 ? samples / train_seconds : 0;

    bool improved = false;
    if (valid != nullptr && valid->rows() > 0) {
      rec.valid = evaluate(*valid);
      rec.has_valid = true;
      rec.time.evaluation = rec.valid.seconds;
      improved = rec.valid.auc > best_auc;
      if (improved) {
        best_auc = rec.valid.auc;
        result.best_epoch = epoch;
        result.best_valid_auc = best_auc;
        epochs_without_gain = 0;
        if (write_files) {
          save_checkpoint(best_path, model_, optimizer_.state_dict(), {.epoch = epoch, .step = steps,
                                                                     .best_metric = best_auc, .best_epoch = epoch,
                                                                     .seed = options_.seed});
        } else {
          best_state.clear();
          for (const auto& [name, t] : model_.state_dict()) best_state[name] = t.clone();
        }
      } else {
        ++epochs_without_gain;
        if (options_.plateau_factor > 0) {
          for (size_t g = 0; g < optimizer_.num_groups(); ++g)
            optimizer_.set_lr(std::max(options_.min_lr, optimizer_.lr(g) * options_.plateau_factor), g);
        }
      }
    }
    rec.lr = optimizer_.lr(0);
    rec.seconds = seconds_since(epoch_start);
    result.time.data_wait += rec.time.data_wait;
    result.time.forward += rec.time.forward;
    result.time.backward += rec.time.backward;
    result.time.optimizer += rec.time.optimizer;
    result.time.evaluation += rec.time.evaluation;
    result.epochs.push_back(rec);

    std::string summary = fmt::format("epoch {}: train loss {:.5f}", epoch, rec.train_loss);
    for (const auto& [name, v] : rec.train_parts) summary += fmt::format(", {} {:.5f}", name, v);
    if (rec.has_valid)
      summary += fmt::format(" | valid AUC {:.5f} logloss {:.5f}{}", rec.valid.auc, rec.valid.logloss,
                             improved ? " (best)" : "");
    summary += fmt::format(" | {:.0f} samples/s, {:.1f} s (data wait {:.2f} s, forward {:.2f} s, backward {:.2f} s, "
                           "optimizer {:.2f} s, eval {:.2f} s)",
                           rec.samples_per_second, rec.seconds, rec.time.data_wait, rec.time.forward,
                           rec.time.backward, rec.time.optimizer, rec.time.evaluation);
    bar.finish(summary);

    if (write_files) {
      std::ofstream(log_path, std::ios::app) << to_json(rec).dump() << "\n";
      nlohmann::json history = nlohmann::json::array();
      for (const auto& e : result.epochs) history.push_back(to_json(e));
      TrainingPosition pos{.epoch = epoch,
                           .step = steps,
                           .best_metric = std::isfinite(best_auc) ? best_auc : std::nan(""),
                           .best_epoch = result.best_epoch > 0 ? result.best_epoch : -1,
                           .seed = options_.seed};
      pos.extra["epochs_without_gain"] = std::to_string(epochs_without_gain);
      pos.extra["generator_seed"] = std::to_string(default_generator().seed());
      pos.extra["generator_offset"] = std::to_string(default_generator().offset());
      pos.extra["history"] = history.dump();
      save_checkpoint(last_path, model_, optimizer_.state_dict(), pos);
      write_curves(path_in(options_.out_dir, "curves.svg"), result.epochs);
    }

    if (options_.patience > 0 && rec.has_valid && epochs_without_gain >= options_.patience) {
      result.stopped_early = true;
      result.stop_reason = "patience";
      break;
    }
    if (options_.max_steps > 0 && steps >= options_.max_steps) {
      result.stop_reason = "max_steps";
      break;
    }
  }
  result.steps = steps;

  if (options_.restore_best && result.best_epoch > 0) {
    if (write_files) {
      model_.load_state_dict(read_checkpoint(best_path).model);
    } else if (!best_state.empty()) {
      model_.load_state_dict(best_state);
    }
  }
  return result;
}

}  // namespace tg::nn
