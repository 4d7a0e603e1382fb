// All of tapegrad's reusable nn layers and initializers: #include "nn/layers/layers.h".
//
// Conventions shared by every layer (tg::nn):
// - A layer is a Module with an options struct where it has options, `operator()` as its
//   forward, and describe() like "Linear(16 -> 8)". Parameter names are listed in each
//   header; they are the names checkpoints and optimizers see.
// - Dense weights are Xavier-normal with zero biases, embedding tables normal(0, 1e-4) with
//   row 0 (padding) zero (models.md §0). reset_parameters(gen) redraws them from a Generator
//   (null: the global one, tg::manual_seed).
// - Features are in the last dimension; masks are [B, T] with 1 = valid (nn/layers/mask.h).
// - Bad input shapes throw tg::Error naming the layer (its describe()) and the shapes.
// - Float64: build in float32, then nn::to_dtype(layer, kFloat64) (nn/layers/convert.h).
//
// Adding a layer: a header + .cpp pair here (math and parameter names in the header
// comment), listed in meson.build and below, composed of ops (no new kernels), with shape,
// value and float64 gradcheck tests in tests/nn/layers/.
#pragma once
#include "nn/layers/activation.h"
#include "nn/layers/attention.h"
#include "nn/layers/convert.h"
#include "nn/layers/embedding.h"
#include "nn/layers/init.h"
#include "nn/layers/linear.h"
#include "nn/layers/mask.h"
#include "nn/layers/mlp.h"
#include "nn/layers/normalization.h"
#include "nn/layers/target_attention.h"
