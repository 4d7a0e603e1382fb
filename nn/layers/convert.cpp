#include "nn/layers/convert.h"

namespace tg::nn {

void to_dtype(Module& module, DType dtype) { module.to(dtype); }

}  // namespace tg::nn
