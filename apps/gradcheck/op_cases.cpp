// The ops tapegrad-gradcheck knows by name, each on small float64 inputs placed away from
// kinks (relu/abs at 0, log/sqrt of non-positive numbers).
#include "apps/gradcheck/cases.h"

#include "core/rng.h"
#include "ops/ops.h"

namespace tg::apps::gradcheck_app {

namespace {

Tensor leaf(const Shape& shape, uint64_t seed, const char* name, double lo = -1.0, double hi = 1.0) {
  Generator gen(seed);
  return uniform(shape, lo, hi, {.dtype = kFloat64}, &gen).set_requires_grad(true).set_name(name);
}

// Values in [0.2, 1.2] with random signs: no element near 0.
Tensor away_from_zero(const Shape& shape, uint64_t seed, const char* name) {
  Generator gen(seed);
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (double& x : v) x = (0.2 + gen.next_double()) * (gen.next_double() < 0.5 ? -1.0 : 1.0);
  return from_vector(v, shape).set_requires_grad(true).set_name(name);
}

OpCase unary(const char* name, Tensor (*op)(const Tensor&), bool positive = false, bool kink_at_zero = false) {
  return {name, fmt::format("{}(x), x [3,4]", name),
          [=](uint64_t s) {
            return TensorList{positive ? leaf({3, 4}, s, "x", 0.2, 2.0)
                                       : (kink_at_zero ? away_from_zero({3, 4}, s, "x") : leaf({3, 4}, s, "x"))};
          },
          [op](const TensorList& in) { return op(in[0]); }};
}

OpCase binary(const char* name, Tensor (*op)(const Tensor&, const Tensor&), bool positive_b = false) {
  return {name, fmt::format("{}(a [3,4], b [4]) with broadcasting", name),
          [=](uint64_t s) {
            return TensorList{leaf({3, 4}, s, "a"), positive_b ? leaf({4}, s + 1, "b", 0.5, 2.0) : leaf({4}, s + 1, "b")};
          },
          [op](const TensorList& in) { return op(in[0], in[1]); }};
}

std::vector<OpCase> build() {
  std::vector<OpCase> c;
  c.push_back(binary("add", [](const Tensor& a, const Tensor& b) { return ops::add(a, b); }));
  c.push_back(binary("sub", [](const Tensor& a, const Tensor& b) { return ops::sub(a, b); }));
  c.push_back(binary("mul", [](const Tensor& a, const Tensor& b) { return ops::mul(a, b); }));
  c.push_back(binary("div", [](const Tensor& a, const Tensor& b) { return ops::div(a, b); }, true));
  c.push_back(binary("maximum", [](const Tensor& a, const Tensor& b) { return ops::maximum(a, b); }));
  c.push_back(unary("exp", [](const Tensor& x) { return ops::exp(x); }));
  c.push_back(unary("log", [](const Tensor& x) { return ops::log(x); }, true));
  c.push_back(unary("sqrt", [](const Tensor& x) { return ops::sqrt(x); }, true));
  c.push_back(unary("rsqrt", [](const Tensor& x) { return ops::rsqrt(x); }, true));
  c.push_back(unary("reciprocal", [](const Tensor& x) { return ops::reciprocal(x); }, false, true));
  c.push_back(unary("square", [](const Tensor& x) { return ops::square(x); }));
  c.push_back(unary("abs", [](const Tensor& x) { return ops::abs(x); }, false, true));
  c.push_back(unary("neg", [](const Tensor& x) { return ops::neg(x); }));
  c.push_back(unary("sigmoid", [](const Tensor& x) { return ops::sigmoid(x); }));
  c.push_back(unary("tanh", [](const Tensor& x) { return ops::tanh(x); }));
  c.push_back(unary("relu", [](const Tensor& x) { return ops::relu(x); }, false, true));
  c.push_back(unary("leaky_relu", [](const Tensor& x) { return ops::leaky_relu(x); }, false, true));
  c.push_back(unary("gelu", [](const Tensor& x) { return ops::gelu(x); }));
  c.push_back(unary("silu", [](const Tensor& x) { return ops::silu(x); }));
  c.push_back(unary("softplus", [](const Tensor& x) { return ops::softplus(x); }));
  c.push_back({"pow", "pow(a, b), a > 0", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "a", 0.5, 2.0), leaf({3, 4}, s + 1, "b")}; },
               [](const TensorList& in) { return ops::pow(in[0], in[1]); }});
  c.push_back({"sum", "sum over dim 1 of x [3,4]", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x")}; },
               [](const TensorList& in) { return ops::sum(in[0], 1); }});
  c.push_back({"mean", "mean over dim 0 of x [3,4]", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x")}; },
               [](const TensorList& in) { return ops::mean(in[0], 0); }});
  c.push_back({"var", "unbiased variance over dim 1 of x [3,4]", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x")}; },
               [](const TensorList& in) { return ops::var(in[0], 1); }});
  c.push_back({"logsumexp", "logsumexp over dim 1 of x [3,4]", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x")}; },
               [](const TensorList& in) { return ops::logsumexp(in[0], 1); }});
  c.push_back({"softmax", "softmax over dim 1 of x [3,4]", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x")}; },
               [](const TensorList& in) { return ops::softmax(in[0], 1); }});
  c.push_back({"log_softmax", "log_softmax over dim 1 of x [3,4]", [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x")}; },
               [](const TensorList& in) { return ops::log_softmax(in[0], 1); }});
  c.push_back({"matmul", "a [2,3,4] @ b [4,5]", [](uint64_t s) { return TensorList{leaf({2, 3, 4}, s, "a"), leaf({4, 5}, s + 1, "b")}; },
               [](const TensorList& in) { return ops::matmul(in[0], in[1]); }});
  c.push_back({"bmm", "a [2,3,4] @ b [2,4,5] per batch", [](uint64_t s) { return TensorList{leaf({2, 3, 4}, s, "a"), leaf({2, 4, 5}, s + 1, "b")}; },
               [](const TensorList& in) { return ops::bmm(in[0], in[1]); }});
  c.push_back({"linear", "x [3,4] W^T + b, W [5,4]",
               [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x"), leaf({5, 4}, s + 1, "weight"), leaf({5}, s + 2, "bias")}; },
               [](const TensorList& in) { return ops::linear(in[0], in[1], in[2]); }});
  c.push_back({"layer_norm", "layer_norm of x [3,4] over the last dim, with weight and bias",
               [](uint64_t s) { return TensorList{leaf({3, 4}, s, "x"), leaf({4}, s + 1, "weight"), leaf({4}, s + 2, "bias")}; },
               [](const TensorList& in) { return ops::layer_norm(in[0], {4}, in[1], in[2]); }});
  c.push_back({"embedding", "rows [2, 0, 2, 3] of a table [5,3]", [](uint64_t s) { return TensorList{leaf({5, 3}, s, "table")}; },
               [](const TensorList& in) { return ops::embedding(in[0], tensor({2, 0, 2, 3}, {.dtype = kInt64})); }});
  c.push_back({"concat", "concat of a [2,3] and b [2,2] on dim 1",
               [](uint64_t s) { return TensorList{leaf({2, 3}, s, "a"), leaf({2, 2}, s + 1, "b")}; },
               [](const TensorList& in) { return ops::concat({in[0], in[1]}, 1); }});
  c.push_back({"cosine_similarity", "cosine similarity of a, b [3,4] over dim 1",
               [](uint64_t s) { return TensorList{leaf({3, 4}, s, "a"), leaf({3, 4}, s + 1, "b")}; },
               [](const TensorList& in) { return ops::cosine_similarity(in[0], in[1], 1); }});
  c.push_back({"logloss", "mean logloss of logits [6] against labels 0/1",
               [](uint64_t s) { return TensorList{leaf({6}, s, "logits", -2.0, 2.0)}; },
               [](const TensorList& in) {
                 return ops::logloss(in[0], tensor({1, 0, 0, 1, 1, 0}, {.dtype = kFloat64}));
               }});
  return c;
}

}  // namespace

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = build();
  return cases;
}

}  // namespace tg::apps::gradcheck_app
