#include "nn/train/ctr_model.h"

#include "ops/ops.h"

namespace tg::nn {

LossTerms CtrModel::loss(const data::Batch& batch, const Tensor& logits) {
  // Labels are float32 in a Batch; a float64 model (gradient checks) compares in float64.
  Tensor bce = ops::logloss(logits, batch.label.to(logits.dtype()));
  return {bce, bce, {}};
}

}  // namespace tg::nn
