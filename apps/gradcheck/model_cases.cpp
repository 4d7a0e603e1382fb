// A tiny instance of any registered model for a float64 gradient check of its whole loss:
// dimensions of 2 or 3, six rows of the planted dataset the model tests use (models/planted.h:
// every field kind, histories, feedback sequences).
#include "apps/gradcheck/cases.h"
#include "core/autograd.h"
#include "models/planted.h"

namespace tg::apps::gradcheck_app {

GradcheckResult check_model(const std::string& name, uint64_t seed, const GradcheckOptions& options,
                            int64_t* parameters_out) {
  models::TinyModel t = models::tiny_model(name, seed);
  nn::CtrModel& model = *t.model;
  const data::Batch& batch = t.batch;
  if (parameters_out) *parameters_out = model.num_parameters();
  TensorList params = model.parameters();
  return gradcheck(
      [&](const TensorList&) {
        Tensor logits = model.forward(batch);
        return model.loss(batch, logits).total;
      },
      params, options);
}

}  // namespace tg::apps::gradcheck_app
