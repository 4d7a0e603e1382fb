#pragma once
// Optimizers, clipping and LR schedules: #include "nn/optim/optim.h".
#include "nn/optim/adagrad.h"
#include "nn/optim/adam.h"
#include "nn/optim/adamw.h"
#include "nn/optim/clip.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/schedule.h"
#include "nn/optim/sgd.h"
