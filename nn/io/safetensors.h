#pragma once
// The safetensors file format (https://huggingface.co/docs/safetensors), so that Python's
// `safetensors` reads tapegrad weights and tapegrad reads theirs:
//   8 bytes   N, little-endian u64: the header length
//   N bytes   UTF-8 JSON: {"<name>": {"dtype": "F32", "shape": [2, 3],
//                         "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
//             padded with spaces to a multiple of 8
//   the data  each tensor row-major little-endian at [begin, end) of this block, in name
//             order, no gaps
// dtypes: F32 F64 I64 I32 U8 BOOL. Reading checks everything against the file size before
// allocating (a corrupt length cannot ask for terabytes) and names the file and the tensor
// in every error. Writing is atomic (nn/io/atomic_writer.h).
#include <map>
#include <string>

#include "nn/module.h"

namespace tg::nn {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
  StateDict tensors;
  Metadata metadata;
};

void write_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});
SafetensorsFile read_safetensors(const std::string& path);

// The bytes of a file, for tests and in-memory use; read_safetensors_bytes names `source` in errors.
std::string safetensors_bytes(const StateDict& tensors, const Metadata& metadata = {});
SafetensorsFile read_safetensors_bytes(const std::string& bytes, const std::string& source);

}  // namespace tg::nn
