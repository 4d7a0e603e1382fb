// Checkpoints: model + optimizer + training position in one file; resuming continues the
// run bit for bit (RNG included); every mismatch is reported by name and file.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "core/tapegrad.h"
#include "nn/io/checkpoint.h"
#include "nn/optim/adam.h"
#include "ops/ops.h"
#include "tests/nn/io/io_test_util.h"

using namespace tg;
using namespace tg::io_test;

namespace {

struct Net : nn::Module {
  Tensor w = add_param("w", randn({5, 3}));
  Tensor e = add_param("e", randn({5, 4}), nn::ParamRole::Embedding);
  Tensor count = add_buffer("count", zeros({1}, {.dtype = kInt64}));
};

// One Adam step on a loss with dropout, so the step draws from the global generator.
double train_step(Net& net, nn::Adam& opt, const Tensor& x) {
  Tensor h = ops::dropout(ops::matmul(ops::matmul(x, net.e.t()), net.w), 0.3, true);
  Tensor loss = ops::sum(ops::square(h));
  opt.zero_grad();
  loss.backward();
  opt.step();
  net.count.add_(ones({1}, {.dtype = kInt64}));
  return loss.item();
}

}  // namespace

TEST_CASE("checkpoint: resuming from a checkpoint continues the run bit for bit, RNG included") {
  TempDir dir;
  const std::string path = dir.file("last.safetensors");
  manual_seed(5);
  Net a;
  nn::Adam opt_a(a.named_parameters(), {.lr = 0.01});
  const Tensor x = randn({2, 4});
  for (int i = 0; i < 3; ++i) train_step(a, opt_a, x);
  nn::save_checkpoint(path, a, opt_a, {.epoch = 1, .step = 3, .best_metric = 0.75, .best_epoch = 1, .seed = 5});
  std::vector<double> losses_a;
  for (int i = 0; i < 2; ++i) losses_a.push_back(train_step(a, opt_a, x));

  manual_seed(999);  // another init and another generator state: the checkpoint restores both
  Net b;
  nn::Adam opt_b(b.named_parameters(), {.lr = 0.5});  // the saved lr wins
  auto loaded = nn::load_checkpoint(path, b, opt_b);
  CHECK(loaded.position.step == 3);
  CHECK(opt_b.lr() == 0.01);
  CHECK(b.count.item() == 3);
  std::vector<double> losses_b;
  for (int i = 0; i < 2; ++i) losses_b.push_back(train_step(b, opt_b, x));
  CHECK(losses_a == losses_b);
  for (const auto& [name, t] : a.state_dict()) CHECK_MESSAGE(bytes_equal(t, b.state_dict().at(name)), name);

  // Without the generator state the dropout masks differ: the restore is what made it exact.
  manual_seed(999);
  Net c;
  nn::Adam opt_c(c.named_parameters(), {.lr = 0.01});
  nn::load_checkpoint(path, c, opt_c, {.restore_rng = false});
  CHECK(train_step(c, opt_c, x) != losses_a[0]);
}

TEST_CASE("checkpoint: model, buffers, optimizer state and position round trip with their names") {
  TempDir dir;
  const std::string path = dir.file("c.safetensors");
  Tiny a;
  nn::StateDict opt{{"exp_avg.w", randn({3, 2})}, {"step.w", full({1}, 3, {.dtype = kInt64})}};
  nn::TrainingPosition pos{.epoch = 4, .step = 123, .best_metric = 0.1 + 0.2, .best_epoch = 3, .seed = ~0ULL};
  pos.extra["history"] = R"([{"epoch":1,"auc":0.5}])";
  pos.extra["note"] = "";
  Generator g(77);
  g.advance(1000);
  pos.rng_state = nn::rng_state_text(g);
  nn::save_checkpoint(path, a, opt, pos);

  // The file itself: prefixed names, the position as strings.
  auto raw = nn::read_safetensors(path);
  std::set<std::string> names;
  for (const auto& [name, t] : raw.tensors) names.insert(name);
  CHECK(names == std::set<std::string>{"model.e", "model.memory", "model.w", "optim.exp_avg.w", "optim.step.w"});
  CHECK(raw.metadata.at("format") == "tapegrad-checkpoint-1");
  CHECK(raw.metadata.at("epoch") == "4");
  CHECK(raw.metadata.at("seed") == "18446744073709551615");
  CHECK(raw.metadata.at("rng_state") == "philox:77:1000");
  CHECK(raw.metadata.at("extra.history") == pos.extra["history"]);

  auto loaded = nn::read_checkpoint(path);
  for (const auto& [name, t] : a.state_dict()) CHECK_MESSAGE(bytes_equal(t, loaded.model.at(name)), name);
  CHECK(loaded.optimizer.size() == 2);
  for (const auto& [name, t] : opt) CHECK_MESSAGE(bytes_equal(t, loaded.optimizer.at(name)), name);
  const auto& p = loaded.position;
  CHECK(p.epoch == 4);
  CHECK(p.step == 123);
  CHECK(p.best_metric == 0.1 + 0.2);  // %.17g: the double survives exactly
  CHECK(p.best_epoch == 3);
  CHECK(p.seed == ~0ULL);
  CHECK(p.rng_state == "philox:77:1000");
  CHECK(p.extra == pos.extra);

  // Defaults: no best metric yet (NaN), no optimizer state, the generator captured.
  manual_seed(31);
  default_generator().advance(5);
  nn::save_checkpoint(path, a, {}, {});
  auto fresh = nn::read_checkpoint(path);
  CHECK(std::isnan(fresh.position.best_metric));
  CHECK(fresh.position.best_epoch == -1);
  CHECK(fresh.optimizer.empty());
  CHECK(fresh.position.rng_state == "philox:31:5");
  // Loading restores the global generator (unless asked not to).
  manual_seed(1);
  Tiny b;
  nn::load_checkpoint(path, b);
  CHECK(default_generator().seed() == 31);
  CHECK(default_generator().offset() == 5);
  CHECK(bytes_equal(b.w, a.w));
  CHECK(bytes_equal(b.memory, a.memory));
  manual_seed(2);
  nn::load_checkpoint(path, b, {.restore_rng = false});
  CHECK(default_generator().seed() == 2);
}

TEST_CASE("checkpoint: weights files use the plain state_dict names") {
  TempDir dir;
  Tiny a;
  nn::save_weights(dir.file("w.safetensors"), a);
  auto plain = nn::read_safetensors(dir.file("w.safetensors"));
  std::set<std::string> expected, got;
  for (const auto& p : a.named_parameters()) expected.insert(p.name);
  for (const auto& b : a.named_buffers()) expected.insert(b.name);
  for (const auto& [name, t] : plain.tensors) got.insert(name);
  CHECK(got == expected);
  CHECK(plain.metadata.empty());
  Tiny c;
  nn::load_weights(dir.file("w.safetensors"), c);
  for (const auto& [name, t] : a.state_dict()) CHECK_MESSAGE(bytes_equal(t, c.state_dict().at(name)), name);
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(dir.file("w.safetensors")),
                       has("w.safetensors: not a tapegrad checkpoint (metadata 'format' is missing"),
                       Error);
}

TEST_CASE("checkpoint: a wrong shape, a missing name, a wrong dtype and an extra name are each reported") {
  TempDir dir;
  Tiny a;
  nn::StateDict wrong = a.state_dict();
  wrong["w"] = zeros({2, 2});
  wrong.erase("e");
  wrong["memory"] = zeros({4}, {.dtype = kFloat64});
  wrong["stray"] = ones({1});
  nn::write_safetensors(dir.file("bad.safetensors"), wrong);
  nn::save_checkpoint(dir.file("bad_ckpt.safetensors"), a, {}, {});
  {
    // The checkpoint's model part, renamed, gives the same mismatches through load_checkpoint.
    auto ck = nn::read_safetensors(dir.file("bad_ckpt.safetensors"));
    nn::StateDict t;
    for (const auto& [name, v] : wrong) t["model." + name] = v;
    nn::write_safetensors(dir.file("bad_ckpt.safetensors"), t, ck.metadata);
  }
  const Tensor w_before = a.w.clone();
  for (const char* file : {"bad.safetensors", "bad_ckpt.safetensors"}) {
    CAPTURE(file);
    try {
      if (std::string(file) == "bad.safetensors") {
        nn::load_weights(dir.file(file), a);
      } else {
        nn::load_checkpoint(dir.file(file), a);
      }
      FAIL("expected an error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      CHECK(msg.rfind(dir.file(file) + ": ", 0) == 0);
      CHECK(msg.find("4 problem(s)") != std::string::npos);
      CHECK(msg.find("'w': expected float32 [3,2], got float32 [2,2]") != std::string::npos);
      CHECK(msg.find("missing 'e' (float32 [5,2])") != std::string::npos);
      CHECK(msg.find("'memory': expected float32 [4], got float64 [4]") != std::string::npos);
      CHECK(msg.find("unexpected 'stray'") != std::string::npos);
    }
    CHECK(bytes_equal(a.w, w_before));  // nothing was loaded
  }
  // strict=false skips the missing and the extra name, but a wrong shape is still wrong.
  CHECK_THROWS_WITH_AS(nn::load_weights(dir.file("bad.safetensors"), a, false),
                       has("2 problem(s)"), Error);
  nn::StateDict partial{{"w", ones({3, 2})}, {"stray", ones({1})}};
  nn::write_safetensors(dir.file("partial.safetensors"), partial);
  nn::load_weights(dir.file("partial.safetensors"), a, false);
  CHECK(a.w.to_vector() == std::vector<double>(6, 1.0));
}

TEST_CASE("checkpoint: an optimizer part that does not fit leaves the model as it was") {
  TempDir dir;
  Net a;
  nn::save_checkpoint(dir.file("c.safetensors"), a, {}, {});  // no optimizer state
  manual_seed(3);
  Net b;
  nn::Adam opt(b.named_parameters());
  const Tensor w_before = b.w.clone();
  CHECK_THROWS_WITH_AS(nn::load_checkpoint(dir.file("c.safetensors"), b, opt),
                       has(dir.file("c.safetensors") + ": "), Error);
  CHECK(bytes_equal(b.w, w_before));
}

TEST_CASE("checkpoint: corrupt position metadata and foreign tensors are named") {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  const nn::Metadata good{{"format", "tapegrad-checkpoint-1"}, {"epoch", "1"},      {"step", "2"},
                          {"best_metric", "nan"},               {"best_epoch", "-1"}, {"seed", "3"}};
  auto with = [&](const std::string& key, const std::string& value) {
    nn::Metadata m = good;
    if (value.empty()) {
      m.erase(key);
    } else {
      m[key] = value;
    }
    nn::write_safetensors(path, {{"model.w", ones({1})}}, m);
  };
  with("epoch", "1");
  CHECK(nn::read_checkpoint(path).position.rng_state.empty());  // an older file without one
  with("epoch", "abc");
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path),
                       has(path + ": checkpoint metadata 'epoch' is not an integer: 'abc'"), Error);
  with("step", "");
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path), has("the checkpoint metadata has no 'step'"), Error);
  with("seed", "-1");
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path), has("'seed' is not an integer: '-1'"), Error);
  with("best_metric", "0.5x");
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path), has("'best_metric' is not a number"), Error);
  with("format", "tapegrad-checkpoint-99");
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path), has("'format' is 'tapegrad-checkpoint-99'"), Error);
  with("rng_state", "mt19937:1");
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path), has(path + ": restore_rng_state: 'mt19937:1'"), Error);
  nn::write_safetensors(path, {{"model.w", ones({1})}, {"weights", ones({1})}}, good);
  CHECK_THROWS_WITH_AS(nn::read_checkpoint(path), has("unexpected tensor 'weights'"), Error);
}

TEST_CASE("checkpoint: the generator state as text and back") {
  Generator g(42);
  g.advance(17);
  CHECK(nn::rng_state_text(g) == "philox:42:17");
  Generator h(0);
  nn::restore_rng_state(nn::rng_state_text(g), h);
  CHECK(h.next_u64() == g.next_u64());
  CHECK(h.offset() == 18);
  nn::restore_rng_state("philox:18446744073709551615:0", h);
  CHECK(h.seed() == ~0ULL);
  for (const char* bad : {"", "philox:", "philox:1", "philox:1:", "philox::2", "philox:a:2", "philox:1:2:3",
                          "philox:-1:2", "philox: 1:2", "mt19937:1:2", "philox:18446744073709551616:0"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(nn::restore_rng_state(bad, h), has("is not a generator state"), Error);
  }
}
