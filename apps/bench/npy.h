// A small reader of NumPy .npy files, for the golden tensors of ../shared/bench/dump_golden.py.
//
// Format (numpy.lib.format): the magic "\x93NUMPY", a version byte pair (1.0: 2-byte header
// length; 2.0 and 3.0: 4-byte), a little-endian header length, then a Python dict literal
// such as {'descr': '<f4', 'fortran_order': False, 'shape': (8, 13), } padded with spaces,
// then the raw data. Only what the dumps hold is read: float32 ('<f4') and int64 ('<i8'),
// C order. Anything else (other dtypes, big-endian, Fortran order, a short file) is a
// tg::Error naming the file and what was found.
#pragma once
#include <string>

#include "core/tensor.h"

namespace tg::bench {

// The array as a contiguous CPU tensor (float32 or int64) of the file's shape.
Tensor read_npy(const std::string& path);

}  // namespace tg::bench
