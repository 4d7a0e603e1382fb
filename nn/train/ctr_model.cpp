#include "nn/train/ctr_model.h"

#include "ops/ops.h"

namespace tg::nn {

LossTerms CtrModel::loss(const data::Batch& batch, const Tensor& logits) {
  Tensor bce = ops::logloss(logits, batch.label);
  return {bce, bce, {}};
}

}  // namespace tg::nn
