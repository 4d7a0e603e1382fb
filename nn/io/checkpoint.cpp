#include "nn/io/checkpoint.h"

#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"

namespace tg::nn {

namespace {

constexpr std::string_view kFormat = "tapegrad-checkpoint-1";
constexpr std::string_view kModelPrefix = "model.";
constexpr std::string_view kOptimPrefix = "optim.";
constexpr std::string_view kExtraPrefix = "extra.";

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The whole string must be the number: from_chars takes no spaces, no '+', and no '-' for
// an unsigned type.
template <class T>
bool parse_whole(std::string_view s, T& value) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  return ec == std::errc() && ptr == end && !s.empty();
}

template <class T>
T metadata_number(const Metadata& m, std::string_view key, const std::string& path) {
  auto it = m.find(std::string(key));
  check(it != m.end(), "{}: the checkpoint metadata has no '{}'", path, key);
  T value{};
  check(parse_whole(it->second, value), "{}: checkpoint metadata '{}' is not a{}: '{}'", path, key,
        std::is_floating_point_v<T> ? " number" : "n integer", it->second);
  return value;
}

Metadata position_metadata(const TrainingPosition& position) {
  Metadata meta;
  for (const auto& [k, v] : position.extra) meta.emplace(std::string(kExtraPrefix) + k, v);
  meta["format"] = kFormat;
  meta["epoch"] = std::to_string(position.epoch);
  meta["step"] = std::to_string(position.step);
  meta["best_metric"] = fmt::format("{:.17g}", position.best_metric);
  meta["best_epoch"] = std::to_string(position.best_epoch);
  meta["seed"] = std::to_string(position.seed);
  meta["rng_state"] = position.rng_state.empty() ? rng_state_text() : position.rng_state;
  return meta;
}

// The model's load error names the file: "<path>: load_state_dict: 2 problem(s): ...".
template <class F>
void naming_file(const std::string& path, F&& load) {
  try {
    load();
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
}

}  // namespace

std::string rng_state_text(const Generator& generator) {
  return fmt::format("philox:{}:{}", generator.seed(), generator.offset());
}

void restore_rng_state(const std::string& text, Generator& generator) {
  std::string_view s = text;
  uint64_t seed = 0, offset = 0;
  bool ok = starts_with(text, "philox:");
  if (ok) {
    s.remove_prefix(7);
    const size_t colon = s.find(':');
    ok = colon != std::string_view::npos && parse_whole(s.substr(0, colon), seed) &&
         parse_whole(s.substr(colon + 1), offset);
  }
  check(ok, "restore_rng_state: '{}' is not a generator state (expected 'philox:<seed>:<offset>')", text);
  generator.manual_seed(seed);
  generator.set_offset(offset);
}

void save_checkpoint(const std::string& path, const Module& model, const StateDict& optimizer_state,
                     const TrainingPosition& position) {
  StateDict all;
  for (const auto& [name, t] : model.state_dict()) all.emplace(std::string(kModelPrefix) + name, t);
  for (const auto& [name, t] : optimizer_state) all.emplace(std::string(kOptimPrefix) + name, t);
  write_safetensors(path, all, position_metadata(position));
}

LoadedCheckpoint read_checkpoint(const std::string& path) {
  SafetensorsFile file = read_safetensors(path);
  auto format = file.metadata.find("format");
  check(format != file.metadata.end() && format->second == kFormat,
        "{}: not a tapegrad checkpoint (metadata 'format' is {}, expected '{}'); a plain weights file loads with "
        "load_weights",
        path, format == file.metadata.end() ? "missing" : "'" + format->second + "'", kFormat);
  LoadedCheckpoint out;
  for (auto& [name, t] : file.tensors) {
    if (starts_with(name, kModelPrefix)) {
      out.model.emplace(name.substr(kModelPrefix.size()), std::move(t));
    } else if (starts_with(name, kOptimPrefix)) {
      out.optimizer.emplace(name.substr(kOptimPrefix.size()), std::move(t));
    } else {
      fail("{}: unexpected tensor '{}' (checkpoint tensors start with '{}' or '{}')", path, name, kModelPrefix,
           kOptimPrefix);
    }
  }
  TrainingPosition& pos = out.position;
  pos.epoch = metadata_number<int64_t>(file.metadata, "epoch", path);
  pos.step = metadata_number<int64_t>(file.metadata, "step", path);
  pos.best_metric = metadata_number<double>(file.metadata, "best_metric", path);
  pos.best_epoch = metadata_number<int64_t>(file.metadata, "best_epoch", path);
  pos.seed = metadata_number<uint64_t>(file.metadata, "seed", path);
  if (auto it = file.metadata.find("rng_state"); it != file.metadata.end()) {
    Generator probe;  // validates the text now rather than when it is restored
    naming_file(path, [&] { restore_rng_state(it->second, probe); });
    pos.rng_state = it->second;
  }
  for (const auto& [k, v] : file.metadata)
    if (starts_with(k, kExtraPrefix)) pos.extra.emplace(k.substr(kExtraPrefix.size()), v);
  return out;
}

LoadedCheckpoint load_checkpoint(const std::string& path, Module& model, const CheckpointLoadOptions& options) {
  LoadedCheckpoint ckpt = read_checkpoint(path);
  naming_file(path, [&] { model.load_state_dict(ckpt.model, options.strict); });
  if (options.restore_rng && !ckpt.position.rng_state.empty()) restore_rng_state(ckpt.position.rng_state);
  return ckpt;
}

LoadedCheckpoint load_checkpoint(const std::string& path, Module& model, Optimizer& optimizer,
                                 const CheckpointLoadOptions& options) {
  LoadedCheckpoint ckpt = read_checkpoint(path);
  // Both are checked before either changes: a file whose optimizer part does not fit
  // leaves the model as it was.
  naming_file(path, [&] {
    StateDict model_before;
    for (const auto& [name, t] : model.state_dict()) model_before.emplace(name, t.clone());
    model.load_state_dict(ckpt.model, options.strict);
    try {
      optimizer.load_state_dict(ckpt.optimizer);
    } catch (const Error&) {
      model.load_state_dict(model_before, false);
      throw;
    }
  });
  if (options.restore_rng && !ckpt.position.rng_state.empty()) restore_rng_state(ckpt.position.rng_state);
  return ckpt;
}

void save_weights(const std::string& path, const Module& model) { write_safetensors(path, model.state_dict()); }

void load_weights(const std::string& path, Module& model, bool strict) {
  SafetensorsFile file = read_safetensors(path);
  naming_file(path, [&] { model.load_state_dict(file.tensors, strict); });
}

}  // namespace tg::nn
