// Converting a module's parameters and buffers to another floating dtype, in place.
//
// to_dtype(model, kFloat64) rewrites every parameter and buffer of the module tree so that
// it holds a float64 copy of its values. The tensor handles stay the same: the layers'
// members (Linear::weight, ...), named_parameters() and an optimizer built earlier all see
// the converted tensor. Gradients are dropped. This is how the tests run float64 gradient
// checks through whole layers; it also gives float64 evaluation of a trained model.
// Do not call it while a graph built from the old values is still to be run backward.
// (It belongs on Module as Module::to(DType); it lives here until module.h gets it.)
#pragma once
#include "core/dtype.h"
#include "nn/module.h"

namespace tg::nn {

void to_dtype(Module& module, DType dtype);

}  // namespace tg::nn
