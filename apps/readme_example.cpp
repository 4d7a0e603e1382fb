#include "ops/ops.h"   // installed: <tapegrad/ops/ops.h>, pkg-config name: tapegrad
using namespace tg;

int main() {
  Generator gen(0);
  Tensor x = randn({256, 8}, {}, &gen);                      // inputs
  Tensor y = ops::gt(x.select(1, 0) * x.select(1, 1), 0.0).to(kFloat32);  // planted label
  Tensor w1 = normal({32, 8}, 0, 0.3, {}, &gen).set_requires_grad(true);
  Tensor b1 = zeros({32}, {.requires_grad = true});
  Tensor w2 = normal({1, 32}, 0, 0.1, {}, &gen).set_requires_grad(true);
  Tensor b2 = zeros({1}, {.requires_grad = true});
  for (int step = 0; step < 200; ++step) {
    Tensor logits = ops::linear(ops::relu(ops::linear(x, w1, b1)), w2, b2).squeeze(1);
    Tensor loss = ops::logloss(logits, y);                   // binary cross-entropy from logits
    loss.backward();                                         // fills w1.grad() ... b2.grad()
    NoGradGuard no_grad;                                     // updates are not recorded
    for (Tensor p : {w1, b1, w2, b2}) { p.add_(p.grad(), -0.5); p.zero_grad(); }
    if (step % 50 == 0) fmt::print("step {} loss {:.4f}\n", step, loss.item());
  }
}
