#pragma once
// The losses models add up, in one include:
//   logloss            binary cross-entropy from logits (ops/loss.h, re-exported here)
//   l2_penalty         lambda / 2 * sum ||w||^2 over whole tensors (nn/losses/l2.h)
//   triplet_loss*      cosine-distance triplet losses, given / hardest / random / in-batch
//                      (nn/losses/triplet.h)
#include "nn/losses/l2.h"
#include "nn/losses/triplet.h"
#include "ops/loss.h"

namespace tg::nn {

using ops::logloss;
using ops::LoglossOptions;
using ops::Reduction;

}  // namespace tg::nn
