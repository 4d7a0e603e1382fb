#pragma once
// Everything a model author needs: tensors and ops, Module, layers, optimizers, losses,
// checkpoints and the Trainer.
#include "core/tapegrad.h"
#include "nn/module.h"
#include "ops/ops.h"
