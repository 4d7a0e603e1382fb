#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <tuple>

#include "core/tapegrad.h"
#include "data/batch.h"
#include "models/dumn.h"
#include "models/planted.h"
#include "models/registry.h"
#include "nn/io/checkpoint.h"
#include "nn/layers/convert.h"
#include "nn/optim/adam.h"
#include "nn/train/trainer.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {

models::ModelArgs args_of(std::map<std::string, std::string> kv) { return models::ModelArgs(std::move(kv)); }

std::vector<int64_t> iota_rows(int64_t n) {
  std::vector<int64_t> r(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) r[static_cast<size_t>(i)] = i;
  return r;
}

}  // namespace

TEST_CASE("models: every registered model passes a float64 gradient check of its full loss") {
  for (const auto& spec : models::registry()) {
    CAPTURE(spec.name);
    models::TinyModel t = models::tiny_model(spec.name, 1);
    nn::CtrModel& model = *t.model;
    Tensor logits = model.forward(t.batch);
    CHECK(logits.shape() == Shape{6});
    CHECK(logits.dtype() == kFloat64);
    TensorList params = model.parameters();
    auto result = testing::gradcheck(
        [&](const TensorList&) {
          Tensor z = model.forward(t.batch);
          return model.loss(t.batch, z).total;
        },
        params);
    CHECK_MESSAGE(result.ok, spec.name << ": " << result.report);
  }
}

TEST_CASE("models: unknown names and options are refused") {
  data::Dataset d = models::planted_dataset(4, 1);
  CHECK_THROWS_WITH_AS(models::make_model("iarn", d), doctest::Contains("unknown model 'iarn' (models: iarm"), Error);
  CHECK_THROWS_WITH_AS(models::make_model("iarm", d, args_of({{"head", "2"}})),
                       doctest::Contains("iarm: unknown option(s) head"), Error);
  CHECK_THROWS_WITH_AS(models::make_model("iarm", d, args_of({{"merge", "four"}})),
                       doctest::Contains("merge must be 'three' or 'two'"), Error);
}

TEST_CASE("models: models with interactions learn the planted user-item structure, LR cannot") {
  data::Dataset train = models::planted_dataset(12000, 1), valid = models::planted_dataset(3000, 2),
                test = models::planted_dataset(3000, 3);
  std::map<std::string, double> auc;
  for (const char* name : {"lr", "fm", "iarm", "qin", "din", "eain", "dumn"}) {
    manual_seed(1);
    auto kv = models::planted_field_knobs(name);
    kv["init_std"] = "0.05";
    auto model = models::make_model(name, train, models::ModelArgs(kv));
    nn::Adam opt(model->named_parameters(), {.lr = 0.01});
    nn::Trainer trainer(*model, opt, {.epochs = 6, .batch_size = 256, .patience = 2, .seed = 1, .progress = false});
    trainer.fit(train, &valid);
    auc[name] = trainer.evaluate(test).auc;
    MESSAGE(std::string(name) << " test AUC " << auc[name]);
  }
  CHECK(auc["fm"] > auc["lr"] + 0.05);
  CHECK(auc["iarm"] > auc["lr"] + 0.05);
  CHECK(auc["qin"] > auc["lr"] + 0.05);
  CHECK(auc["din"] > auc["lr"] + 0.05);
  CHECK(auc["eain"] > auc["lr"] + 0.05);
  CHECK(auc["dumn"] > auc["lr"] + 0.05);
}

TEST_CASE("models: every ablation switch changes the output and still trains") {
  data::Dataset d = models::planted_dataset(512, 4);
  data::Batch batch = data::make_batch(d, iota_rows(64));
  const std::vector<std::tuple<std::string, std::string, std::string>> switches = {
      {"iarm", "use_interest", "false"}, {"iarm", "use_attention", "false"}, {"iarm", "use_residual", "false"},
      {"iarm", "layers", "0"},           {"iarm", "layers", "1"},            {"iarm", "merge", "two"},
      {"iarm", "qkv_relu", "true"},      {"iarm", "use_scale", "true"},      {"iarm", "layer_norm", "true"},
      {"qin", "seq_pool", "mean"},       {"qin", "asta_act", "softmax"},     {"qin", "interaction", "mlp"},
      {"qin", "qnn_act", "relu"},        {"qin", "num_row", "2"},            {"qin", "num_layers", "1"},
      {"eain", "use_din", "false"},      {"eain", "pos_in_din", "false"},    {"eain", "use_senet", "false"},
      {"eain", "use_maskblock", "false"}, {"eain", "use_paim", "false"},     {"eain", "se_act", "relu"},
      {"dumn", "use_fp", "false"},       {"dumn", "use_umn", "false"},       {"dumn", "fusion", "concat"},
      {"dumn", "mhsa_scale", "head_dim"}};
  std::map<std::string, Tensor> base;
  for (const auto& [model, key, value] : switches) {
    CAPTURE(model);
    CAPTURE(key);
    CAPTURE(value);
    // Embeddings at N(0, 0.1^2), not the papers' 1e-4: with tiny tables some switches only
    // move the initial output by ~1e-8, too little to tell apart from rounding.
    auto base_args = models::planted_field_knobs(model);
    base_args["init_std"] = "0.1";
    if (!base.count(model)) {
      manual_seed(5);
      auto m = models::make_model(model, d, models::ModelArgs(base_args));
      m->eval();
      base[model] = m->forward(batch);
    }
    manual_seed(5);
    auto kv = base_args;
    kv[key] = value;
    auto m = models::make_model(model, d, models::ModelArgs(kv));
    m->eval();
    Tensor out = m->forward(batch);
    CHECK(out.shape() == base[model].shape());
    CHECK(testing::max_abs_diff(out, base[model]) > 1e-7);
    m->train();
    nn::Adam opt(m->parameters(), {.lr = 0.01});
    double first = 0, last = 0;
    for (int step = 0; step < 15; ++step) {
      auto terms = m->loss(batch, m->forward(batch));
      if (step == 0) first = terms.data_loss.item();
      last = terms.data_loss.item();
      opt.zero_grad();
      terms.total.backward();
      opt.step();
      m->after_step();
    }
    CHECK(last < first);
  }
  // DUMN-TL and DUMN_RS change the loss, not the forward: check the loss terms.
  manual_seed(5);
  auto tl_args = models::planted_field_knobs("dumn");
  tl_args["use_triplet"] = "false";
  auto tl = models::make_model("dumn", d, models::ModelArgs(tl_args));
  CHECK(tl->loss(batch, tl->forward(batch)).extra.empty());
  auto rs_args = models::planted_field_knobs("dumn");
  rs_args["triplet_sampling"] = "random";
  manual_seed(5);
  auto rs = models::make_model("dumn", d, models::ModelArgs(rs_args));
  manual_seed(5);
  auto hard = models::make_model("dumn", d, models::ModelArgs(models::planted_field_knobs("dumn")));
  const double l_rs = rs->loss(batch, rs->forward(batch)).extra.at(0).second.item();
  const double l_hard = hard->loss(batch, hard->forward(batch)).extra.at(0).second.item();
  CHECK(l_rs != l_hard);
  CHECK(l_rs <= l_hard + 1e-6);  // the hardest pairs give the largest hinge
}

TEST_CASE("models: checkpoint save -> load -> predict gives identical outputs") {
  data::Dataset d = models::planted_dataset(300, 6);
  data::Batch batch = data::make_batch(d, iota_rows(50));
  auto path = (std::filesystem::temp_directory_path() / fmt::format("tapegrad-model-{}.safetensors", ::getpid())).string();
  for (const auto& spec : models::registry()) {
    CAPTURE(spec.name);
    manual_seed(8);
    auto a = models::make_model(spec.name, d, models::ModelArgs(models::planted_field_knobs(spec.name)));
    nn::Adam opt(a->parameters(), {.lr = 0.01});
    Tensor loss = a->loss(batch, a->forward(batch)).total;
    loss.backward();
    opt.step();
    a->eval();
    nn::save_weights(path, *a);
    manual_seed(9);  // different initial weights
    auto b = models::make_model(spec.name, d, models::ModelArgs(models::planted_field_knobs(spec.name)));
    b->eval();
    nn::load_weights(path, *b);
    CHECK(testing::max_abs_diff(a->forward(batch), b->forward(batch)) == 0.0);
    CHECK(a->num_parameters() == b->num_parameters());
  }
  std::filesystem::remove(path);
}

TEST_CASE("DUMN: memories change in training steps only, are buffers, and survive a checkpoint") {
  data::Dataset d = models::planted_dataset(256, 7);
  data::Batch batch = data::make_batch(d, iota_rows(64));
  manual_seed(4);
  auto model = models::make_model("dumn", d, models::ModelArgs(models::planted_field_knobs("dumn")));
  auto& dumn = dynamic_cast<models::Dumn&>(*model);
  for (const auto& p : model->named_parameters()) CHECK(p.name.find("memory") == std::string::npos);
  CHECK(model->named_buffers().size() == 4);
  Tensor before = dumn.memory(0).clone();
  // Eval: read only.
  model->eval();
  model->forward(batch);
  model->after_step();
  CHECK(testing::max_abs_diff(before, dumn.memory(0)) == 0.0);
  // A training step writes M' and commits it after the optimizer step.
  model->train();
  nn::Adam opt(model->parameters(), {.lr = 0.01});
  auto terms = model->loss(batch, model->forward(batch));
  REQUIRE(terms.extra.size() == 1);
  CHECK(terms.extra[0].first == "triplet");
  CHECK(terms.extra[0].second.item() > 0);
  terms.total.backward();
  CHECK(testing::max_abs_diff(before, dumn.memory(0)) == 0.0);  // not yet
  opt.step();
  model->after_step();
  CHECK(testing::max_abs_diff(before, dumn.memory(0)) > 1e-6);
  CHECK(!dumn.memory(0).requires_grad());
  // Checkpoint round trip keeps the memories.
  auto path = (std::filesystem::temp_directory_path() / fmt::format("tapegrad-dumn-{}.safetensors", ::getpid())).string();
  nn::save_weights(path, *model);
  manual_seed(99);
  auto other = models::make_model("dumn", d, models::ModelArgs(models::planted_field_knobs("dumn")));
  nn::load_weights(path, *other);
  std::filesystem::remove(path);
  for (size_t x = 0; x < 4; ++x)
    CHECK(testing::max_abs_diff(dumn.memory(x), dynamic_cast<models::Dumn&>(*other).memory(x)) == 0.0);
}
