// Where a tensor lives: the CPU or a CUDA device (cuda:N).
#pragma once
#include <string>

#include <fmt/format.h>

namespace tg {

enum class DeviceType : uint8_t { CPU, CUDA };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;

  static Device cpu() { return {DeviceType::CPU, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::CUDA, index}; }
  // Parses "cpu", "cuda" or "cuda:N"; throws tg::Error on anything else.
  static Device parse(const std::string& text);

  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  std::string str() const { return is_cpu() ? "cpu" : fmt::format("cuda:{}", index); }
  friend bool operator==(Device a, Device b) { return a.type == b.type && (a.is_cpu() || a.index == b.index); }
};

inline constexpr Device kCPU{};

// True when this build has the CUDA backend and a GPU is present.
bool cuda_available();
// True when the CUDA backend was compiled in (a GPU may still be absent).
bool cuda_built();

}  // namespace tg

template <> struct fmt::formatter<tg::Device> : fmt::formatter<std::string> {
  auto format(tg::Device d, format_context& ctx) const { return fmt::formatter<std::string>::format(d.str(), ctx); }
};
