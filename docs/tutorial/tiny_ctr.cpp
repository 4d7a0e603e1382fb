// The program of docs/TUTORIAL.md: a small click model built against the API, trained,
// drawn, traced, and a planted backward bug caught by gradcheck.
#include "inspect/inspect.h"  // installed: <tapegrad/inspect/inspect.h>
#include "nn/nn.h"
#include "ops/ops.h"
using namespace tg;

// 1. The model: a user table and an item table, an MLP on the two vectors side by side.
struct TinyCtr : nn::Module {
  nn::Embedding& users;
  nn::Embedding& items;
  nn::MLP& mlp;
  TinyCtr(int64_t n_users, int64_t n_items, int64_t dim)
      : users(add<nn::Embedding>("users", n_users, dim)),
        items(add<nn::Embedding>("items", n_items, dim)),
        mlp(add<nn::MLP>("mlp", nn::MLP::Sizes{2 * dim, 16, 1})) {}
  Tensor operator()(const Tensor& user_ids, const Tensor& item_ids) {
    nn::ModuleScope scope(*this);  // tags the ops with this module (graph, trace, anomalies)
    Tensor both = ops::concat({users(user_ids), items(item_ids)}, 1);
    return scope.output(mlp(both).squeeze(1));  // logits [B]
  }
};

// 2. A planted rule to learn: users click items of their own parity.
struct Data {
  Tensor users, items, labels;
};
Data make_data(int64_t rows, uint64_t seed) {
  Generator gen(seed);
  std::vector<int64_t> u, i;
  std::vector<float> y;
  for (int64_t r = 0; r < rows; ++r) {
    u.push_back(gen.next_below(20));
    i.push_back(gen.next_below(30));
    y.push_back(u.back() % 2 == i.back() % 2 ? 1.0f : 0.0f);
  }
  return {from_vector(u, {rows}), from_vector(i, {rows}), from_vector(y, {rows})};
}

// 5. A custom op with a planted bug: the backward of x^3 should be 3x^2 g; it forgets the 3.
Tensor cube(const Tensor& x, bool planted_bug) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x * x * x;
  }
  if (needs_grad({x}))
    record(out, "cube", {x}, [x, planted_bug](const Tensor& g, const InputMask&) -> TensorList {
      Tensor x2 = x * x;
      return {planted_bug ? g * x2 : g * x2 * 3.0};
    });
  return out;
}

int main() {
  manual_seed(1);
  Data train = make_data(512, 7);
  TinyCtr model(20, 30, 4);
  nn::Adam opt(model.named_parameters(), {.lr = 0.05});

  // 3. Train: forward, loss, backward, step.
  for (int step = 1; step <= 150; ++step) {
    Tensor loss = ops::logloss(model(train.users, train.items), train.labels);
    if (step == 1) {
      DotGraph g = write_dot(loss, "tiny_ctr.dot");  // before backward: backward frees the graph
      fmt::print("graph: {} nodes, {} edges in tiny_ctr.dot\n", g.nodes, g.edges);
      if (graphviz_available()) fmt::print("picture: {}\n", render_dot("tiny_ctr.dot", "svg"));
    }
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (step % 50 == 0) fmt::print("step {}: loss {:.4f}\n", step, loss.item());
  }

  // 4. One more step under a tape trace: every op, its values and its gradient.
  TapeTrace trace;
  Tensor loss = ops::logloss(model(train.users, train.items), train.labels);
  opt.zero_grad();
  loss.backward();
  trace.stop();
  fmt::print("\n{}", trace.table());

  // 5. gradcheck compares backward with finite differences (float64).
  Tensor x = uniform({5}, 0.5, 1.5, {.dtype = kFloat64}).set_requires_grad(true).set_name("x");
  for (bool bug : {true, false}) {
    GradcheckResult r = gradcheck([&](const TensorList& in) { return cube(in[0], bug); }, {x});
    const TensorCheck& t = r.tensors.at(0);
    fmt::print("cube with{} the bug: analytic {:.4f} vs numeric {:.4f} -> {}\n", bug ? "" : "out", t.analytic,
               t.numeric, r.ok ? "PASS" : "FAIL");
  }
}
