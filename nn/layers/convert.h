// Converting a module's parameters and buffers to another floating dtype, in place:
// to_dtype(model, kFloat64) is model.to(kFloat64) (nn/module.h), kept as a free function for
// the code that reads better with it. This is how the tests run float64 gradient checks
// through whole layers; it also gives float64 evaluation of a trained model.
#pragma once
#include "core/dtype.h"
#include "nn/module.h"

namespace tg::nn {

void to_dtype(Module& module, DType dtype);

}  // namespace tg::nn
