// tapegrad-demo: trains a small MLP on generated data with planted structure and prints
// the loss falling. The label depends on x0*x1 (an interaction no linear model can
// express), so the MLP's accuracy should clearly beat logistic regression's.
//
// Written against the raw ops on purpose: every parameter is a leaf tensor, every update
// a line of code (the nn/ module layer wraps exactly this).
#include <cstdio>
#include <string>

#include "ops/ops.h"

using namespace tg;

namespace {

struct Data {
  Tensor x, y;  // [n, 8] float32, [n] float32 in {0, 1}
};

Data make_data(int64_t n, Generator& gen) {
  NoGradGuard no_grad;
  Tensor x = randn({n, 8}, {}, &gen);
  Tensor x0 = x.select(1, 0), x1 = x.select(1, 1), x2 = x.select(1, 2);
  Tensor score = x0 * x1 * 2.0 + x2 * 0.5;
  return {x, ops::gt(score, 0.0).to(kFloat32)};
}

double accuracy(const Tensor& logits, const Tensor& y) {
  NoGradGuard no_grad;
  return ops::mean(ops::eq(ops::gt(logits, 0.0).to(kFloat32), y).to(kFloat32)).item();
}

// A two-layer MLP (8 -> 32 -> 1) or, with hidden = 0, logistic regression.
struct Model {
  Tensor w1, b1, w2, b2;
  Model(int64_t hidden, Generator& gen) {
    int64_t in = 8;
    if (hidden > 0) {
      w1 = normal({hidden, in}, 0.0, 0.35, {}, &gen).set_requires_grad(true);
      b1 = zeros({hidden}, {.requires_grad = true});
      in = hidden;
    }
    w2 = normal({1, in}, 0.0, 0.1, {}, &gen).set_requires_grad(true);
    b2 = zeros({1}, {.requires_grad = true});
  }
  Tensor forward(const Tensor& x) const {
    Tensor h = w1.defined() ? ops::relu(ops::linear(x, w1, b1)) : x;
    return ops::linear(h, w2, b2).squeeze(1);
  }
  TensorList params() const { return w1.defined() ? TensorList{w1, b1, w2, b2} : TensorList{w2, b2}; }
};

double train(Model& model, const Data& train, const Data& test, const char* name, bool verbose) {
  const int64_t batch = 128, n = train.x.size(0);
  const double lr = 0.1;
  for (int epoch = 1; epoch <= 20; ++epoch) {
    double total = 0;
    int steps = 0;
    for (int64_t start = 0; start + batch <= n; start += batch) {
      Tensor xb = train.x.narrow(0, start, batch), yb = train.y.narrow(0, start, batch);
      Tensor loss = ops::logloss(model.forward(xb), yb);
      loss.backward();
      {
        NoGradGuard no_grad;  // plain SGD
        for (Tensor p : model.params()) {
          p.add_(p.grad(), -lr);
          p.zero_grad();
        }
      }
      total += loss.item();
      ++steps;
    }
    if (verbose && (epoch <= 3 || epoch % 5 == 0))
      std::printf("%-8s epoch %2d  train logloss %.4f  test accuracy %.3f\n", name, epoch, total / steps,
                  accuracy(model.forward(test.x), test.y));
  }
  return accuracy(model.forward(test.x), test.y);
}

}  // namespace

int main() {
  try {
    BlasInfo blas = blas_info();
    std::printf("tapegrad demo: MLP on generated data (label = [2 x0 x1 + 0.5 x2 > 0]); OpenBLAS kernel %s, %d threads\n",
                blas.corename.c_str(), num_threads());
    Generator gen(2024);
    Data train_set = make_data(8192, gen), test_set = make_data(2048, gen);
    Model mlp(32, gen), linear(0, gen);
    double mlp_acc = train(mlp, train_set, test_set, "mlp", true);
    double lin_acc = train(linear, train_set, test_set, "logreg", false);
    std::printf("test accuracy: mlp %.3f vs logistic regression %.3f\n", mlp_acc, lin_acc);
    return mlp_acc > lin_acc ? 0 : 1;
  } catch (const tg::Error& e) {
    std::fprintf(stderr, "tapegrad-demo: %s\n", e.what());
    return 1;
  }
}
