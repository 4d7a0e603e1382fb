#pragma once
// Everything a model author needs: tensors and ops, Module, layers, optimizers, losses,
// checkpoints and the Trainer.
#include "core/tapegrad.h"
#include "nn/io/checkpoint.h"
#include "nn/layers/layers.h"
#include "nn/losses/losses.h"
#include "nn/module.h"
#include "nn/optim/optim.h"
#include "nn/train/trainer.h"
#include "ops/ops.h"
