// The registered models on the GPU: every model, built from the same seed on the CPU and
// moved with Module::to, trains three SGD steps on the planted dataset on both devices; the
// losses and the parameters must agree. This is what `--device cuda` in the apps runs. Skips
// with a MESSAGE without a GPU.
#include <doctest/doctest.h>

#include <cmath>

#include "core/autograd.h"
#include "core/cuda/runtime.h"
#include "core/rng.h"
#include "data/batch.h"
#include "models/planted.h"
#include "models/registry.h"
#include "nn/optim/sgd.h"

using namespace tg;

namespace {

const Device kGpu = Device::cuda(0);

std::vector<int64_t> rows_from(int64_t first, int64_t n) {
  std::vector<int64_t> r(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) r[static_cast<size_t>(i)] = first + i;
  return r;
}

}  // namespace

TEST_CASE("gpu models: every registered model trains the same three steps on the GPU as on the CPU") {
  if (!cuda_available()) {
    MESSAGE("no GPU visible (cuda_built=" << cuda_built() << "): GPU model test skipped");
    return;
  }
  data::Dataset d = models::planted_dataset(96, 3);
  for (const auto& spec : models::registry()) {
    CAPTURE(spec.name);
    const models::ModelArgs args(models::tiny_model_knobs(spec.name));  // no dropout: the same function on both
    manual_seed(11);
    auto cpu = models::make_model(spec.name, d, args);
    manual_seed(11);
    auto gpu = models::make_model(spec.name, d, args);
    gpu->to(kGpu);
    CHECK(gpu->device() == kGpu);
    CHECK(cpu->device() == kCPU);
    // SGD: an update linear in the gradient, so float32 summation-order differences stay small
    // (Adam's m / sqrt(v) turns a near-zero gradient's sign into a full step).
    nn::SGD opt_cpu(cpu->parameters(), {.lr = 0.1}), opt_gpu(gpu->parameters(), {.lr = 0.1});
    for (int step = 0; step < 3; ++step) {
      CAPTURE(step);
      data::Batch b = data::make_batch(d, rows_from(32 * step, 32));
      data::Batch bg = b.to(kGpu);
      double losses[2];
      for (int k = 0; k < 2; ++k) {
        nn::CtrModel& m = k == 0 ? *cpu : *gpu;
        nn::Optimizer& opt = k == 0 ? static_cast<nn::Optimizer&>(opt_cpu) : opt_gpu;
        const data::Batch& batch = k == 0 ? b : bg;
        opt.zero_grad();
        Tensor logits = m.forward(batch);
        CHECK(logits.device() == (k == 0 ? kCPU : kGpu));
        nn::LossTerms loss = m.loss(batch, logits);
        loss.total.backward();
        opt.step();
        m.after_step();
        losses[k] = loss.total.item();
      }
      CHECK(losses[1] == doctest::Approx(losses[0]).epsilon(1e-4));
    }
    auto pc = cpu->named_parameters(), pg = gpu->named_parameters();
    REQUIRE(pc.size() == pg.size());
    for (size_t i = 0; i < pc.size(); ++i) {
      CAPTURE(pc[i].name);
      REQUIRE(pg[i].value.device() == kGpu);
      std::vector<double> a = pc[i].value.to_vector(), g = pg[i].value.to_vector();
      double worst = 0;
      for (size_t j = 0; j < a.size(); ++j) worst = std::max(worst, std::abs(a[j] - g[j]) / (1e-3 + std::abs(a[j])));
      CHECK(worst < 1e-3);
    }
  }
}
