// Element types. float32 is the training type; float64 exists on the CPU for gradient
// checks; int64/int32 hold ids; bool/uint8 hold masks (any nonzero byte is "true").
#pragma once
#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

namespace tg {

enum class DType : uint8_t { Float32, Float64, Int64, Int32, Bool, UInt8 };

inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
inline constexpr DType kInt64 = DType::Int64;
inline constexpr DType kInt32 = DType::Int32;
inline constexpr DType kBool = DType::Bool;
inline constexpr DType kUInt8 = DType::UInt8;

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::Int32: return 4;
    case DType::Bool: return 1;
    case DType::UInt8: return 1;
  }
  return 0;
}

constexpr const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::Int32: return "int32";
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
  }
  return "?";
}

constexpr bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
constexpr bool is_integral(DType t) { return t == DType::Int64 || t == DType::Int32; }
constexpr bool is_mask_type(DType t) { return t == DType::Bool || t == DType::UInt8; }

// The C++ type of a dtype and back. Bool is stored as one byte (uint8_t) so that
// masks of either dtype are read with the same code.
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

}  // namespace tg

template <> struct fmt::formatter<tg::DType> : fmt::formatter<const char*> {
  auto format(tg::DType t, format_context& ctx) const {
    return fmt::formatter<const char*>::format(tg::dtype_name(t), ctx);
  }
};
