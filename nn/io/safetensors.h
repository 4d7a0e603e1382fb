#pragma once
// The safetensors file format (https://huggingface.co/docs/safetensors), so that Python's
// `safetensors` reads tapegrad weights and tapegrad reads theirs:
//
//   8 bytes   N, little-endian u64: the header length (at most 100,000,000, as the
//             reference implementation requires)
//   N bytes   UTF-8 JSON: {"__metadata__": {str: str},   (optional)
//                          "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
//                          ...}
//             padded with spaces to a multiple of 8
//   the data  each tensor row-major little-endian at [begin, end) of this block (offsets
//             relative to the block's start); the tensors tile the block exactly: no gap,
//             no overlap, nothing after the last
//
// dtypes: F32 F64 I64 I32 U8 BOOL (tapegrad's; a file with F16 or BF16 is refused by name).
// Writing lays the tensors out as the reference writer does: by descending alignment
// (I64, F64, F32, I32, U8, BOOL), then by name, header in the same order: the same tensors
// give the same bytes as safetensors.torch.save_file (with at most one metadata key; theirs
// sit in a hash map), and every tensor starts at a file offset that is a multiple of its
// element size. Non-contiguous tensors are written
// contiguously; bool bytes are written as 0/1. Writing is atomic (nn/io/atomic_writer.h):
// a failure leaves the old file under `path` as it was.
//
// Reading validates everything before it allocates tensor memory (a corrupt length cannot
// ask for terabytes: every size is checked against the file size first) and every error
// names the file, and the tensor when there is one: header length past the end of the file,
// invalid JSON or UTF-8, a duplicate or reserved name, an unknown dtype, a bad shape,
// offsets that disagree with dtype x shape, overlap, gaps, data not covered, truncation.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/module.h"

namespace tg::nn {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
  StateDict tensors;
  Metadata metadata;
};

void write_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});
SafetensorsFile read_safetensors(const std::string& path);

// One tensor's entry in a validated header; begin/end are relative to the data block.
struct SafetensorsEntry {
  std::string name;
  DType dtype = kFloat32;
  Shape shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};
struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // in data order (ascending offsets)
  Metadata metadata;
  uint64_t data_start = 0;  // file offset of the data block: 8 + N
  uint64_t data_size = 0;
};
// Names, dtypes and shapes without reading the data (validated like read_safetensors).
SafetensorsHeader read_safetensors_header(const std::string& path);

// The bytes of a file, for tests and in-memory use; read_safetensors_bytes names `source`
// in its errors.
std::string safetensors_bytes(const StateDict& tensors, const Metadata& metadata = {});
SafetensorsFile read_safetensors_bytes(const std::string& bytes, const std::string& source);

// "F32", "I64", ... as the format spells tapegrad's dtypes.
const char* safetensors_dtype_code(DType dtype);

}  // namespace tg::nn
