// GPU parity of the training path: activations, logloss, embedding lookups with their
// deterministic backward (dense and row-sparse), optimizer steps on the device, and a
// small CTR-style network (embedding bag -> MLP -> logloss, Adam) trained for a few steps
// from the same weights on the CPU and the GPU. Skips with a MESSAGE without a GPU.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>

#include "core/autograd.h"
#include "core/cuda/runtime.h"
#include "core/rng.h"
#include "nn/optim/optim.h"
#include "ops/ops.h"

using namespace tg;

namespace {

const Device kGpu = Device::cuda(0);

bool have_gpu() {
  if (!cuda_available()) {
    MESSAGE("no GPU visible (cuda_built=" << cuda_built() << "): GPU training test skipped");
    return false;
  }
  cuda::set_poison_allocations(true);
  return true;
}

void check_close(const Tensor& got, const Tensor& want, double rtol, double atol = 0) {
  REQUIRE(got.device() == kGpu);
  REQUIRE(got.shape() == want.shape());
  std::vector<double> g = got.to_vector(), w = want.to_vector();
  int bad = 0;
  for (size_t i = 0; i < g.size() && bad < 5; ++i) {
    if (std::isnan(w[i]) ? std::isnan(g[i]) : std::abs(g[i] - w[i]) <= atol + rtol * std::abs(w[i])) continue;
    ++bad;
    FAIL_CHECK("element " << i << ": GPU " << g[i] << ", CPU " << w[i]);
  }
}

}  // namespace

TEST_CASE("gpu training: activations forward and backward") {
  if (!have_gpu()) return;
  manual_seed(71);
  using F = std::function<Tensor(const Tensor&)>;
  for (const F& f : std::vector<F>{[](auto& x) { return ops::relu(x); }, [](auto& x) { return ops::sigmoid(x); },
                                   [](auto& x) { return ops::tanh(x); }, [](auto& x) { return ops::silu(x); },
                                   [](auto& x) { return ops::gelu(x); }, [](auto& x) { return ops::gelu(x, true); },
                                   [](auto& x) { return ops::leaky_relu(x, 0.1); },
                                   [](auto& x) { return ops::softplus(x, 2.0); }}) {
    Tensor x = uniform({7, 9}, -4, 4);
    Tensor g = uniform({7, 9}, 0.5, 1.5);
    Tensor xc = x.clone().set_requires_grad(), xg = x.to(kGpu).set_requires_grad();
    Tensor yc = f(xc), yg = f(xg);
    check_close(yg, yc, 1e-5, 1e-7);
    yc.backward(g);
    yg.backward(g.to(kGpu));
    check_close(xg.grad(), xc.grad(), 1e-5, 1e-7);
  }
  Tensor x = uniform({4, 3, 5}, -2, 2), w = uniform({3}, 0.1, 0.3);
  Tensor xc = x.clone().set_requires_grad(), wc = w.clone().set_requires_grad();
  Tensor xg = x.to(kGpu).set_requires_grad(), wg = w.to(kGpu).set_requires_grad();
  Tensor lc = ops::sum(ops::prelu(xc, wc)), lg = ops::sum(ops::prelu(xg, wg));
  check_close(lg, lc, 1e-5);
  lc.backward();
  lg.backward();
  check_close(xg.grad(), xc.grad(), 1e-6);
  check_close(wg.grad(), wc.grad(), 1e-5);
}

TEST_CASE("gpu training: softmax and log_softmax over any dim, with masks, and their backward") {
  if (!have_gpu()) return;
  manual_seed(76);
  Tensor x = uniform({4, 6, 5}, -3, 3);
  Tensor mask = ops::gt(uniform({4, 6, 5}, 0, 1), 0.3);
  for (int line = 0; line < 5; ++line) mask.set({1, line % 6, line}, 0);  // some masked entries
  for (int64_t dim : {0, 1, 2}) {
    for (bool log : {false, true}) {
      for (bool masked : {false, true}) {
        CAPTURE(dim);
        CAPTURE(log);
        CAPTURE(masked);
        Tensor m = masked ? mask : Tensor();
        auto f = [&](const Tensor& t, const Tensor& mm) { return log ? ops::log_softmax(t, dim, mm) : ops::softmax(t, dim, mm); };
        Tensor xc = x.clone().set_requires_grad(), xg = x.to(kGpu).set_requires_grad();
        Tensor yc = f(xc, m), yg = f(xg, masked ? m.to(kGpu) : Tensor());
        check_close(yg, yc, 1e-5, 1e-7);
        Tensor g = uniform({4, 6, 5}, -1, 1);
        yc.backward(g);
        yg.backward(g.to(kGpu));
        check_close(xg.grad(), xc.grad(), 1e-4, 1e-6);
      }
    }
  }
}

TEST_CASE("gpu training: layer_norm with and without affine parameters, and its backward") {
  if (!have_gpu()) return;
  manual_seed(77);
  for (bool affine : {false, true}) {
    Tensor x = uniform({3, 5, 16}, -2, 2), w = uniform({16}, 0.5, 1.5), b = uniform({16}, -0.5, 0.5);
    Tensor xc = x.clone().set_requires_grad(), xg = x.to(kGpu).set_requires_grad();
    Tensor wc = w.clone().set_requires_grad(), wg = w.to(kGpu).set_requires_grad();
    Tensor bc = b.clone().set_requires_grad(), bg = b.to(kGpu).set_requires_grad();
    Tensor yc = affine ? ops::layer_norm(xc, {16}, wc, bc) : ops::layer_norm(xc, {16});
    Tensor yg = affine ? ops::layer_norm(xg, {16}, wg, bg) : ops::layer_norm(xg, {16});
    check_close(yg, yc, 1e-5, 1e-6);
    Tensor g = uniform({3, 5, 16}, -1, 1);
    yc.backward(g);
    yg.backward(g.to(kGpu));
    check_close(xg.grad(), xc.grad(), 1e-4, 1e-5);
    if (affine) {
      check_close(wg.grad(), wc.grad(), 1e-4, 1e-5);
      check_close(bg.grad(), bc.grad(), 1e-5, 1e-6);
    }
  }
}

TEST_CASE("gpu training: batch_norm (composed on the GPU) in training and eval, running statistics") {
  if (!have_gpu()) return;
  manual_seed(78);
  for (const Shape& shape : {Shape{32, 6}, Shape{8, 6, 5}}) {
    Tensor x = uniform(shape, -2, 3), w = uniform({6}, 0.5, 1.5), b = uniform({6}, -0.5, 0.5);
    Tensor rmc = zeros({6}), rvc = ones({6}), rmg = zeros({6}, {.device = kGpu}), rvg = ones({6}, {.device = kGpu});
    Tensor xc = x.clone().set_requires_grad(), xg = x.to(kGpu).set_requires_grad();
    Tensor wc = w.clone().set_requires_grad(), wg = w.to(kGpu).set_requires_grad();
    Tensor yc = ops::batch_norm(xc, rmc, rvc, wc, b, true), yg = ops::batch_norm(xg, rmg, rvg, wg, b.to(kGpu), true);
    check_close(yg, yc, 1e-4, 1e-5);
    Tensor g = uniform(shape, -1, 1);
    yc.backward(g);
    yg.backward(g.to(kGpu));
    check_close(xg.grad(), xc.grad(), 1e-3, 1e-5);
    check_close(wg.grad(), wc.grad(), 1e-4, 1e-5);
    check_close(rmg, rmc, 1e-5, 1e-6);
    check_close(rvg, rvc, 1e-5, 1e-6);
    check_close(ops::batch_norm(x.to(kGpu), rmg, rvg, wg.detach(), b.to(kGpu), false),
                ops::batch_norm(x, rmc, rvc, w, b, false), 1e-5, 1e-6);
  }
}

TEST_CASE("gpu training: dropout drops the CPU's elements (same Philox stream)") {
  if (!have_gpu()) return;
  Tensor x = uniform({3, 333}, 0.5, 1.5);
  Generator gc(5), gg(5);
  Tensor xc = x.clone().set_requires_grad(), xg = x.to(kGpu).set_requires_grad();
  Tensor yc = ops::dropout(xc, 0.25, true, &gc), yg = ops::dropout(xg, 0.25, true, &gg);
  check_close(yg, yc, 0);
  Tensor g = uniform({3, 333}, -1, 1);
  yc.backward(g);
  yg.backward(g.to(kGpu));
  check_close(xg.grad(), xc.grad(), 0);
  CHECK(gc.offset() == gg.offset());
}

TEST_CASE("gpu training: logloss forward and backward, with pos_weight") {
  if (!have_gpu()) return;
  manual_seed(72);
  for (double pw : {1.0, 4.0}) {
    Tensor x = uniform({256}, -6, 6), y = ops::gt(uniform({256}, 0, 1), 0.7).to(kFloat32);
    Tensor xc = x.clone().set_requires_grad(), xg = x.to(kGpu).set_requires_grad();
    Tensor lc = ops::logloss(xc, y, {.pos_weight = pw}), lg = ops::logloss(xg, y.to(kGpu), {.pos_weight = pw});
    check_close(lg, lc, 1e-5);
    lc.backward();
    lg.backward();
    check_close(xg.grad(), xc.grad(), 1e-5, 1e-9);
  }
}

TEST_CASE("gpu training: embedding and embedding_bag, dense and sparse gradients, bit-identical reruns") {
  if (!have_gpu()) return;
  manual_seed(73);
  const int64_t V = 50, D = 8;
  Tensor table = uniform({V, D}, -1, 1);
  Tensor ids = randint(0, V, {64, 5});
  for (bool sparse : {false, true}) {
    for (bool mean : {false, true}) {
      CAPTURE(sparse);
      CAPTURE(mean);
      auto opts = ops::EmbeddingBagOptions{
          .mode = mean ? ops::EmbeddingBagOptions::Mode::Mean : ops::EmbeddingBagOptions::Mode::Sum,
          .padding_idx = 0, .sparse_grad = sparse};
      Tensor dout = uniform({64, D}, -1, 1);
      Tensor tc = table.clone().set_requires_grad();
      ops::embedding_bag(tc, ids, opts).backward(dout);
      Tensor grads[2];
      for (int run = 0; run < 2; ++run) {
        Tensor tg_ = table.to(kGpu).set_requires_grad();
        Tensor out = ops::embedding_bag(tg_, ids.to(kGpu), opts);
        check_close(out, ops::embedding_bag(table, ids, opts), 1e-6, 1e-7);
        out.backward(dout.to(kGpu));
        grads[run] = tg_.grad();
      }
      Tensor want = tc.grad().is_row_sparse() ? tc.grad().to_dense() : tc.grad();
      for (const Tensor& g : grads) {
        REQUIRE(g.is_row_sparse() == sparse);
        if (sparse) {
          // Unique ascending rows, as the CPU coalesces them.
          CHECK(g.row_index().to_vector() == tc.grad().row_index().to_vector());
          check_close(g, tc.grad(), 1e-5, 1e-6);
        } else {
          check_close(g, want, 1e-5, 1e-6);
        }
      }
      CHECK(grads[0].detach().to_vector() == grads[1].detach().to_vector());  // deterministic: bit for bit
    }
  }
  // Two sparse lookups of one table: autograd sums the row-sparse gradients (add_rows), and
  // to_dense scatters them (index_add_rows_), both on the device.
  {
    auto opts = ops::EmbeddingBagOptions{.mode = ops::EmbeddingBagOptions::Mode::Sum, .sparse_grad = true};
    Tensor ids2 = randint(0, V, {16, 3});
    Tensor tc = table.clone().set_requires_grad(), tgp = table.to(kGpu).set_requires_grad();
    ops::add(ops::sum(ops::embedding_bag(tc, ids, opts)), ops::sum(ops::square(ops::embedding_bag(tc, ids2, opts))))
        .backward();
    ops::add(ops::sum(ops::embedding_bag(tgp, ids.to(kGpu), opts)),
             ops::sum(ops::square(ops::embedding_bag(tgp, ids2.to(kGpu), opts))))
        .backward();
    REQUIRE(tgp.grad().is_row_sparse());
    CHECK(tgp.grad().row_index().to_vector() == tc.grad().row_index().to_vector());
    check_close(tgp.grad().to_dense(), tc.grad().to_dense(), 1e-5, 1e-6);
  }
  Tensor plain = ops::embedding(table.to(kGpu), ids.to(kGpu));
  check_close(plain, ops::embedding(table, ids), 0);
  CHECK_THROWS_WITH_AS(ops::embedding(table.to(kGpu), ops::add(ids, V).to(kGpu)), doctest::Contains("out of range"),
                       Error);
}

TEST_CASE("gpu training: optimizer steps on the device, dense and on sparse rows") {
  if (!have_gpu()) return;
  manual_seed(74);
  using Make = std::function<std::unique_ptr<nn::Optimizer>(Tensor)>;
  for (const Make& make : std::vector<Make>{
           [](Tensor p) { return std::make_unique<nn::SGD>(std::vector<Tensor>{p}, nn::SGDOptions{.lr = 0.1, .momentum = 0.9}); },
           [](Tensor p) { return std::make_unique<nn::Adam>(std::vector<Tensor>{p}, nn::AdamOptions{.lr = 0.01}); },
           [](Tensor p) { return std::make_unique<nn::AdamW>(std::vector<Tensor>{p}, nn::AdamOptions{.lr = 0.01}); },
           [](Tensor p) { return std::make_unique<nn::Adagrad>(std::vector<Tensor>{p}, nn::AdagradOptions{.lr = 0.1}); }}) {
    for (bool sparse : {false, true}) {
      Tensor w0 = uniform({20, 4}, -1, 1);
      Tensor pc = w0.clone().set_requires_grad(), pg = w0.to(kGpu).set_requires_grad();
      auto oc = make(pc), og = make(pg);
      for (int step = 0; step < 3; ++step) {
        Tensor ids = randint(1, 20, {6, 2});
        auto opts = ops::EmbeddingBagOptions{.mode = ops::EmbeddingBagOptions::Mode::Sum, .sparse_grad = sparse};
        oc->zero_grad();
        og->zero_grad();
        ops::sum(ops::square(ops::embedding_bag(pc, ids, opts))).backward();
        ops::sum(ops::square(ops::embedding_bag(pg, ids.to(kGpu), opts))).backward();
        oc->step();
        og->step();
      }
      check_close(pg.detach(), pc.detach(), 1e-5, 1e-6);
    }
  }
}

TEST_CASE("gpu training: gradient clipping by norm and by value on device gradients") {
  if (!have_gpu()) return;
  manual_seed(79);
  for (double p : {1.0, 2.0, 3.0, std::numeric_limits<double>::infinity()}) {
    Tensor a = uniform({30}, -2, 2), b = uniform({4, 5}, -2, 2);
    Tensor ac = zeros({30}).set_requires_grad(), bc = zeros({4, 5}).set_requires_grad();
    Tensor ag = zeros({30}, {.device = kGpu}).set_requires_grad(), bg = zeros({4, 5}, {.device = kGpu}).set_requires_grad();
    ac.set_grad(a.clone());
    bc.set_grad(b.clone());
    ag.set_grad(a.to(kGpu));
    bg.set_grad(b.to(kGpu));
    const double nc = nn::clip_grad_norm_({ac, bc}, 1.0, p), ng = nn::clip_grad_norm_({ag, bg}, 1.0, p);
    CHECK(ng == doctest::Approx(nc).epsilon(1e-9));
    check_close(ag.grad(), ac.grad(), 1e-6);
    check_close(bg.grad(), bc.grad(), 1e-6);
  }
  Tensor w = zeros({10}, {.device = kGpu}).set_requires_grad(), wc = zeros({10}).set_requires_grad();
  Tensor g = uniform({10}, -2, 2);
  w.set_grad(g.to(kGpu));
  wc.set_grad(g.clone());
  nn::clip_grad_value_({w}, 0.5);
  nn::clip_grad_value_({wc}, 0.5);
  check_close(w.grad(), wc.grad(), 0);
}

TEST_CASE("gpu training: a small CTR network trains the same on the CPU and the GPU") {
  if (!have_gpu()) return;
  manual_seed(75);
  const int64_t V = 100, D = 8, B = 32, F = 4, H = 16;
  struct Net {
    Tensor table, w1, b1, w2, b2;
    std::vector<Tensor> params() const { return {table, w1, b1, w2, b2}; }
  };
  Net cpu{uniform({V, D}, -0.1, 0.1), uniform({H, F * D}, -0.3, 0.3), uniform({H}, -0.1, 0.1),
          uniform({1, H}, -0.3, 0.3), uniform({1}, -0.1, 0.1)};
  Net gpu{cpu.table.to(kGpu), cpu.w1.to(kGpu), cpu.b1.to(kGpu), cpu.w2.to(kGpu), cpu.b2.to(kGpu)};
  for (Net* n : {&cpu, &gpu})
    for (Tensor t : n->params()) t.set_requires_grad();
  nn::Adam oc(cpu.params(), {.lr = 0.01}), og(gpu.params(), {.lr = 0.01});
  auto forward = [&](const Net& n, const Tensor& ids, const Tensor& y) {
    Tensor e = ops::embedding(n.table, ids).reshape({B, F * D});
    Tensor h = ops::relu(ops::linear(e, n.w1, n.b1));
    return ops::logloss(ops::linear(h, n.w2, n.b2).reshape({B}), y);
  };
  for (int step = 0; step < 5; ++step) {
    Tensor ids = randint(0, V, {B, F}), y = ops::gt(uniform({B}, 0, 1), 0.5).to(kFloat32);
    oc.zero_grad();
    og.zero_grad();
    Tensor lc = forward(cpu, ids, y), lg = forward(gpu, ids.to(kGpu), y.to(kGpu));
    CAPTURE(step);
    CHECK(lg.item() == doctest::Approx(lc.item()).epsilon(1e-5));
    lc.backward();
    lg.backward();
    for (size_t i = 0; i < cpu.params().size(); ++i) check_close(gpu.params()[i].grad(), cpu.params()[i].grad(), 1e-4, 1e-6);
    oc.step();
    og.step();
  }
  const AllocatorStats s = cuda::allocator_stats(0);
  MESSAGE("after training: peak " << s.peak_in_use_bytes << " B, cached " << s.cached_bytes << " B, "
                                  << s.system_allocs << " cudaMalloc calls");
}
