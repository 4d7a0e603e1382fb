#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/tapegrad.h"
#include "data/batch.h"
#include "nn/io/checkpoint.h"
#include "nn/optim/adam.h"
#include "nn/train/curves.h"
#include "nn/train/trainer.h"
#include "ops/ops.h"
#include "tests/gradcheck.h"

using namespace tg;

namespace {

// Planted structure: three categorical fields with 10 values each; every value v of a field
// carries a hidden sign s(v) = ±1 and the click probability is sigmoid(3 s(a) s(b)) — an XOR
// of fields a and b that a linear model over one-hot fields cannot represent (its best AUC
// is 0.5) while an MLP over embeddings can; field c is noise.
data::Dataset make_xor_data(int64_t rows, uint64_t seed) {
  Generator gen(seed);
  data::Dataset d;
  for (const char* name : {"a", "b", "c"}) {
    data::FieldSpec f;
    f.name = name;
    f.kind = data::FieldKind::Categorical;
    d.schema.fields.push_back(f);
    data::Column col;
    col.name = name;
    d.columns.push_back(col);
  }
  data::FieldSpec label;
  label.name = "label";
  label.kind = data::FieldKind::Label;
  d.schema.fields.push_back(label);
  auto sign = [](int32_t id) { return (id * 7 + 3) % 10 < 5 ? 1.0 : -1.0; };
  for (int64_t r = 0; r < rows; ++r) {
    int32_t ids[3];
    for (int f = 0; f < 3; ++f) {
      ids[f] = static_cast<int32_t>(2 + gen.next_below(10));
      d.columns[static_cast<size_t>(f)].ids.push_back(ids[f]);
    }
    double p = 1.0 / (1.0 + std::exp(-3.0 * sign(ids[0]) * sign(ids[1])));
    d.labels.push_back(gen.next_double() < p ? 1.0f : 0.0f);
  }
  return d;
}

// Embeddings of the three fields (one table, field offsets) -> either a linear layer
// (logistic regression) or a two-layer MLP. Built from raw parameters so that this test
// depends on Module and the Trainer only.
struct TinyModel : nn::CtrModel {
  bool deep;
  Tensor table, w1, b1, w2, b2;
  TinyModel(bool deep_model, uint64_t seed) : deep(deep_model) {
    Generator gen(seed);
    table = add_param("table", normal({36, 4}, 0, 0.1, {}, &gen), nn::ParamRole::Embedding);
    w1 = add_param("w1", normal({16, 12}, 0, 0.3, {}, &gen));
    b1 = add_param("b1", zeros({16}));
    w2 = add_param("w2", normal({1, deep ? 16 : 12}, 0, 0.3, {}, &gen));
    b2 = add_param("b2", zeros({1}));
  }
  Tensor forward(const data::Batch& batch) override {
    Tensor ids = ops::stack({batch["a"], ops::add(batch["b"], full({1}, 12, {.dtype = kInt64})),
                             ops::add(batch["c"], full({1}, 24, {.dtype = kInt64}))},
                            1);
    Tensor x = ops::embedding(table, ids).flatten(1);  // [B, 12]
    if (deep) x = ops::relu(ops::linear(x, w1, b1));
    return ops::linear(x, w2, b2).squeeze(1);
  }
  std::string model_name() const override { return deep ? "mlp" : "lr"; }
};

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    path = std::filesystem::temp_directory_path() / fmt::format("tapegrad-trainer-{}-{}", tag, ::getpid());
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
};

nn::TrainerOptions quiet(int64_t epochs) {
  return {.epochs = epochs, .batch_size = 128, .patience = 0, .seed = 7, .progress = false};
}

}  // namespace

TEST_CASE("Trainer: an MLP finds the planted XOR that logistic regression cannot") {
  data::Dataset train = make_xor_data(6000, 1), valid = make_xor_data(2000, 2), test = make_xor_data(2000, 3);
  TinyModel mlp(true, 11), lr(false, 11);
  nn::Adam opt_mlp(mlp.parameters(), {.lr = 0.02});
  nn::Adam opt_lr(lr.parameters(), {.lr = 0.02});
  nn::Trainer t_mlp(mlp, opt_mlp, quiet(6)), t_lr(lr, opt_lr, quiet(6));
  auto fit = t_mlp.fit(train, &valid);
  t_lr.fit(train, &valid);
  auto e_mlp = t_mlp.evaluate(test), e_lr = t_lr.evaluate(test);
  MESSAGE("test AUC: MLP " << e_mlp.auc << ", logistic regression " << e_lr.auc);
  // The teacher's own AUC on these labels is about 0.95 (p = sigmoid(±3) = 0.953 or 0.047).
  CHECK(e_mlp.auc > 0.90);
  CHECK(e_lr.auc < 0.60);
  CHECK(e_mlp.examples == 2000);
  CHECK(fit.epochs.size() == 6);
  CHECK(fit.best_epoch >= 1);
  CHECK(fit.steps == 6 * 47);  // ceil(6000 / 128) batches per epoch
  CHECK(fit.epochs.back().train_loss < fit.epochs.front().train_loss);
  CHECK(fit.time.forward > 0);
  CHECK(fit.time.backward > 0);
}

TEST_CASE("Trainer: resume from the last checkpoint equals the uninterrupted run") {
  data::Dataset train = make_xor_data(1500, 1), valid = make_xor_data(500, 2);
  TempDir dir_a("a"), dir_b("b");

  TinyModel whole(true, 5);
  nn::Adam opt_whole(whole.parameters(), {.lr = 0.01});
  auto o = quiet(3);
  o.out_dir = dir_a.str();
  o.restore_best = false;
  nn::Trainer(whole, opt_whole, o).fit(train, &valid);

  {
    TinyModel first(true, 5);
    nn::Adam opt_first(first.parameters(), {.lr = 0.01});
    auto o2 = quiet(2);
    o2.out_dir = dir_b.str();
    o2.restore_best = false;
    nn::Trainer(first, opt_first, o2).fit(train, &valid);
  }
  manual_seed(999);  // a different global state must not matter: the checkpoint restores it
  TinyModel resumed(true, 77);  // different init: the checkpoint overwrites it
  nn::Adam opt_resumed(resumed.parameters(), {.lr = 0.01});
  auto o3 = quiet(3);
  o3.out_dir = dir_b.str();
  o3.resume = true;
  o3.restore_best = false;
  auto fit = nn::Trainer(resumed, opt_resumed, o3).fit(train, &valid);
  CHECK(fit.epochs.size() == 3);  // two restored from the checkpoint's history, one run
  for (auto& [name, t] : whole.state_dict())
    CHECK_MESSAGE(testing::max_abs_diff(t, resumed.state_dict().at(name)) == 0.0, name);

  // The log has one line per epoch and the curves are an SVG with the three curves.
  std::ifstream log(dir_b.path / "metrics.jsonl");
  int lines = 0;
  for (std::string line; std::getline(log, line);) {
    auto j = nlohmann::json::parse(line);
    CHECK(j.contains("valid_auc"));
    CHECK(j.contains("time"));
    ++lines;
  }
  CHECK(lines == 3);
  std::ifstream svg(dir_b.path / "curves.svg");
  std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  CHECK(text.rfind("<svg", 0) == 0);
  CHECK(text.find("valid AUC") != std::string::npos);
  CHECK(text.find("</svg>") != std::string::npos);
}

TEST_CASE("Trainer: early stopping keeps the best epoch") {
  data::Dataset train = make_xor_data(1000, 1), valid = make_xor_data(400, 2);
  TinyModel model(true, 3);
  nn::Adam opt(model.parameters(), {.lr = 0.3});  // too high on purpose: validation AUC wobbles
  auto o = quiet(30);
  o.patience = 2;
  auto fit = nn::Trainer(model, opt, o).fit(train, &valid);
  REQUIRE(fit.best_epoch >= 1);
  if (fit.stopped_early) {
    CHECK(fit.stop_reason == "patience");
    CHECK(static_cast<int64_t>(fit.epochs.size()) == fit.best_epoch + 2);
  }
  // The model now holds the best epoch's weights: its validation AUC is the best one.
  nn::Trainer t(model, opt, o);
  CHECK(t.evaluate(valid).auc == doctest::Approx(fit.best_valid_auc).epsilon(1e-12));
}

TEST_CASE("Trainer: a NaN loss stops training with the epoch and step") {
  struct NanModel : TinyModel {
    NanModel() : TinyModel(false, 1) {}
    Tensor forward(const data::Batch& batch) override {
      return ops::mul(TinyModel::forward(batch), full({1}, std::nan("")));
    }
  };
  data::Dataset train = make_xor_data(300, 1);
  NanModel model;
  nn::Adam opt(model.parameters(), {.lr = 0.01});
  CHECK_THROWS_WITH_AS(nn::Trainer(model, opt, quiet(1)).fit(train), doctest::Contains("loss is nan at epoch 1, step 1"),
                       Error);
}

TEST_CASE("Trainer: max_steps and predict order") {
  data::Dataset train = make_xor_data(1000, 1);
  TinyModel model(true, 3);
  nn::Adam opt(model.parameters(), {.lr = 0.01});
  auto o = quiet(5);
  o.max_steps = 4;
  nn::Trainer t(model, opt, o);
  auto fit = t.fit(train);
  CHECK(fit.steps == 4);
  CHECK(fit.stop_reason == "max_steps");
  // predict() returns one probability per row, in row order, whatever the batch size.
  std::vector<float> p = t.predict(train);
  REQUIRE(p.size() == 1000);
  std::vector<int64_t> rows = {0, 1, 999};
  data::Batch b = data::make_batch(train, rows);
  model.eval();
  Tensor direct = ops::sigmoid(model.forward(b));
  CHECK(static_cast<float>(direct.at({0})) == p[0]);
  CHECK(static_cast<float>(direct.at({2})) == p[999]);
}

TEST_CASE("curves: SVG escapes labels and skips NaN points") {
  nn::Curve c{"a<b", "red", {{1, 0.5}, {2, std::nan("")}, {3, 0.7}}};
  std::string svg = nn::render_curves_svg({{"loss & AUC", "epoch", {c}}});
  CHECK(svg.find("a&lt;b") != std::string::npos);
  CHECK(svg.find("loss &amp; AUC") != std::string::npos);
  CHECK(svg.find("nan,") == std::string::npos);
  CHECK(svg.find(",nan") == std::string::npos);
  auto poly = svg.find("points=\"");
  REQUIRE(poly != std::string::npos);
  std::string points = svg.substr(poly + 8, svg.find('"', poly + 8) - poly - 8);
  CHECK(std::count(points.begin(), points.end(), ',') == 2);  // the NaN point is left out
  std::string empty = nn::render_curves_svg({{"nothing", "epoch", {}}});
  CHECK(empty.find("no data") != std::string::npos);
}
