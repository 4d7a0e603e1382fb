#pragma once
// CtrModel: what the Trainer (and every app) trains. A Module that maps a data::Batch to
// one logit per example and says what its loss is. The four paper models and the baselines
// implement it; a user's own model does too (see README.md).
#include <string>
#include <utility>
#include <vector>

#include "data/batch.h"
#include "nn/module.h"

namespace tg::nn {

// The loss of one training batch, split into its parts for logging.
struct LossTerms {
  Tensor total;                                          // what backward() runs on (scalar)
  Tensor data_loss;                                      // the logloss part ("train_loss" in logs)
  std::vector<std::pair<std::string, Tensor>> extra;     // e.g. {"triplet", t}, {"l2", r}
};

class CtrModel : public Module {
 public:
  // Logits [B] (one per example) for a batch.
  virtual Tensor forward(const data::Batch& batch) = 0;
  // Default: mean logloss of the logits against batch.label. Models add their regularisers
  // and auxiliary losses (L2, triplet) by overriding this.
  virtual LossTerms loss(const data::Batch& batch, const Tensor& logits);
  // Called after every optimizer step (DUMN commits its memories here).
  virtual void after_step() {}
  // The model's name in logs and summaries ("iarm", "qin", ...).
  virtual std::string model_name() const { return "model"; }

  // forward() inside the model's ModuleScope: runs its forward hooks (the Trainer calls this).
  Tensor operator()(const data::Batch& batch) {
    ModuleScope scope(*this);
    return scope.output(forward(batch));
  }
};

}  // namespace tg::nn
