#include "nn/io/checkpoint.h"

#include <fmt/format.h>

#include <cstdlib>

#include "core/error.h"

namespace tg::nn {

namespace {
constexpr const char* kFormat = "tapegrad-checkpoint-1";

std::string format_double(double v) { return fmt::format("{:.17g}", v); }

template <class T>
T parse_number(const Metadata& m, const std::string& key, const std::string& path) {
  auto it = m.find(key);
  check(it != m.end(), "{}: checkpoint metadata lacks '{}'", path, key);
  const std::string& s = it->second;
  char* end = nullptr;
  errno = 0;
  T value;
  if constexpr (std::is_same_v<T, double>) {
    value = std::strtod(s.c_str(), &end);
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    value = std::strtoull(s.c_str(), &end, 10);
  } else {
    value = std::strtoll(s.c_str(), &end, 10);
  }
  check(!s.empty() && end && *end == '\0' && errno == 0, "{}: checkpoint metadata '{}' is not a number: '{}'", path,
        key, s);
  return value;
}
}  // namespace

void save_checkpoint(const std::string& path, const Module& model, const StateDict& optimizer_state,
                     const TrainingPosition& position) {
  StateDict all;
  for (const auto& [name, t] : model.state_dict()) all["model." + name] = t;
  for (const auto& [name, t] : optimizer_state) all["optim." + name] = t;
  Metadata meta;
  for (const auto& [k, v] : position.extra) meta["extra." + k] = v;
  meta["format"] = kFormat;
  meta["epoch"] = std::to_string(position.epoch);
  meta["step"] = std::to_string(position.step);
  meta["best_metric"] = format_double(position.best_metric);
  meta["best_epoch"] = std::to_string(position.best_epoch);
  meta["seed"] = std::to_string(position.seed);
  write_safetensors(path, all, meta);
}

LoadedCheckpoint read_checkpoint(const std::string& path) {
  SafetensorsFile file = read_safetensors(path);
  auto fmt_it = file.metadata.find("format");
  check(fmt_it != file.metadata.end() && fmt_it->second == kFormat,
        "{}: not a tapegrad checkpoint (metadata 'format' is {}); a plain weights file loads with load_weights",
        path, fmt_it == file.metadata.end() ? "missing" : "'" + fmt_it->second + "'");
  LoadedCheckpoint out;
  for (auto& [name, t] : file.tensors) {
    if (name.rfind("model.", 0) == 0) {
      out.model[name.substr(6)] = t;
    } else if (name.rfind("optim.", 0) == 0) {
      out.optimizer[name.substr(6)] = t;
    } else {
      fail("{}: unexpected tensor '{}' (checkpoint tensors start with model. or optim.)", path, name);
    }
  }
  auto& pos = out.position;
  pos.epoch = parse_number<int64_t>(file.metadata, "epoch", path);
  pos.step = parse_number<int64_t>(file.metadata, "step", path);
  pos.best_metric = parse_number<double>(file.metadata, "best_metric", path);
  pos.best_epoch = parse_number<int64_t>(file.metadata, "best_epoch", path);
  pos.seed = parse_number<uint64_t>(file.metadata, "seed", path);
  for (const auto& [k, v] : file.metadata)
    if (k.rfind("extra.", 0) == 0) pos.extra[k.substr(6)] = v;
  return out;
}

LoadedCheckpoint load_checkpoint(const std::string& path, Module& model) {
  LoadedCheckpoint ckpt = read_checkpoint(path);
  try {
    model.load_state_dict(ckpt.model);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
  return ckpt;
}

void save_weights(const std::string& path, const Module& model) { write_safetensors(path, model.state_dict()); }

void load_weights(const std::string& path, Module& model) {
  SafetensorsFile file = read_safetensors(path);
  try {
    model.load_state_dict(file.tensors);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
}

}  // namespace tg::nn
