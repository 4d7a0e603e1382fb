// Tensor basics: factories, metadata, element access, views without copies, contiguous(),
// dtype conversion, printing, error messages.
#include <doctest/doctest.h>

#include "core/tapegrad.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "tests/gradcheck.h"

using namespace tg;

TEST_CASE("tensor: factories fill the right values and dtypes") {
  CHECK(zeros({2, 3}).to_vector() == std::vector<double>(6, 0.0));
  CHECK(ones({4}, {.dtype = kFloat64}).dtype() == kFloat64);
  CHECK(full({2}, 7.5).to_vector() == std::vector<double>{7.5, 7.5});
  CHECK(arange(5).to_vector() == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(arange(5).dtype() == kInt64);
  CHECK(arange(2, 11, 3).to_vector() == std::vector<double>{2, 5, 8});
  CHECK(arange(3, 0, -1).to_vector() == std::vector<double>{3, 2, 1});
  Tensor v = from_vector(std::vector<int32_t>{1, 2, 3, 4}, {2, 2});
  CHECK(v.dtype() == kInt32);
  CHECK(v.at({1, 0}) == 3);
  CHECK(tensor({1, 0, 2}, {.dtype = kBool}).to_vector() == std::vector<double>{1, 0, 1});
  CHECK(scalar_tensor(3.0).dim() == 0);
  CHECK(scalar_tensor(3.0).item() == 3.0);
  CHECK_THROWS_WITH_AS(from_vector(std::vector<float>{1, 2, 3}, {2, 2}), doctest::Contains("do not fill shape [2,2]"),
                       tg::Error);
  CHECK_THROWS_AS(zeros({-1, 2}), tg::Error);
}

TEST_CASE("tensor: metadata and element access") {
  Tensor t = zeros({2, 3, 4});
  CHECK(t.dim() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.size(-1) == 4);
  CHECK(t.strides() == Shape{12, 4, 1});
  CHECK(t.is_contiguous());
  CHECK(t.device() == kCPU);
  t.set({1, 2, 3}, 5.0);
  CHECK(t.at({1, 2, 3}) == 5.0);
  CHECK(t.at({-1, -1, -1}) == 5.0);
  CHECK_THROWS_WITH_AS(t.at({2, 0, 0}), doctest::Contains("out of range"), tg::Error);
  CHECK_THROWS_WITH_AS(t.item(), doctest::Contains("24 elements"), tg::Error);
  CHECK_THROWS_WITH_AS(t.size(3), doctest::Contains("out of range"), tg::Error);
  CHECK_THROWS_AS(t.data<double>(), tg::Error);
  CHECK_THROWS_WITH_AS(Tensor().shape(), doctest::Contains("undefined"), tg::Error);
}

TEST_CASE("tensor: views share storage and never copy") {
  Tensor t = arange(24, {.dtype = kFloat32}).reshape({2, 3, 4});
  Tensor p = t.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.storage() == t.storage());
  CHECK_FALSE(p.is_contiguous());
  CHECK(p.at({3, 1, 2}) == t.at({1, 2, 3}));
  Tensor s = t.slice(2, 1, 4, 2);  // columns 1 and 3
  CHECK(s.shape() == Shape{2, 3, 2});
  CHECK(s.at({1, 1, 1}) == t.at({1, 1, 3}));
  CHECK(s.storage() == t.storage());
  Tensor n = t.narrow(1, 1, 2);
  CHECK(n.shape() == Shape{2, 2, 4});
  CHECK(n.at({0, 0, 0}) == 4);
  Tensor e = tensor({1, 2, 3}).unsqueeze(0).expand({4, 3});
  CHECK(e.strides() == Shape{0, 1});
  CHECK(e.at({3, 2}) == 3);
  CHECK(t.select(1, 2).shape() == Shape{2, 4});
  CHECK(t.flatten(1).shape() == Shape{2, 12});
  CHECK(t.flatten().shape() == Shape{24});
  CHECK(zeros({3, 1, 2}).squeeze().shape() == Shape{3, 2});
  CHECK(zeros({3, 1, 2}).squeeze(1).shape() == Shape{3, 2});
  CHECK(zeros({3, 1, 2}).squeeze(0).shape() == Shape{3, 1, 2});
  CHECK(t.reshape({4, -1}).shape() == Shape{4, 6});
  CHECK(t.reshape({4, -1}).storage() == t.storage());
}

TEST_CASE("tensor: contiguous copies only when needed; reshape of a permuted view copies, view refuses") {
  Tensor t = arange(6, {.dtype = kFloat32}).reshape({2, 3});
  CHECK(t.contiguous().storage() == t.storage());
  Tensor tt = t.t();
  Tensor c = tt.contiguous();
  CHECK(c.storage() != t.storage());
  CHECK(c.is_contiguous());
  CHECK(c.to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});
  CHECK(tt.reshape({6}).to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});
  CHECK_THROWS_WITH_AS(tt.view({6}), doctest::Contains("without a copy"), tg::Error);
  // A view that only splits a contiguous dim works on a non-contiguous tensor.
  Tensor p = arange(24, {.dtype = kFloat32}).reshape({2, 3, 4}).permute({1, 0, 2});  // [3,2,4]
  Tensor v = p.view({3, 2, 2, 2});
  CHECK(v.storage() == p.storage());
  CHECK(v.at({2, 1, 1, 1}) == p.at({2, 1, 3}));
  CHECK_THROWS_WITH_AS(t.reshape({4, -1}), doctest::Contains("cannot view [2,3]"), tg::Error);
  CHECK_THROWS_WITH_AS(t.expand({3, 3}), doctest::Contains("cannot be expanded"), tg::Error);
  CHECK_THROWS_WITH_AS(t.permute({0, 0}), doctest::Contains("repeated"), tg::Error);
}

TEST_CASE("tensor: to(dtype), clone and copy_") {
  Tensor t = tensor({1.5, -2.25, 3.0});
  Tensor d = t.to(kFloat64);
  CHECK(d.dtype() == kFloat64);
  CHECK(d.to_vector() == t.to_vector());
  CHECK(t.to(kInt64).to_vector() == std::vector<double>{1, -2, 3});
  CHECK(t.to(kBool).to_vector() == std::vector<double>{1, 1, 1});
  Tensor c = t.clone();
  c.set({0}, 9);
  CHECK(t.at({0}) == 1.5);
  Tensor z = zeros({2, 3});
  z.copy_(tensor({1, 2, 3}));  // broadcast
  CHECK(z.to_vector() == std::vector<double>{1, 2, 3, 1, 2, 3});
  CHECK_THROWS_WITH_AS(z.copy_(tensor({1, 2})), doctest::Contains("copy_"), tg::Error);
  if (!cuda_available())  // no GPU (or no CUDA backend): moving there is a clear error
    CHECK_THROWS_WITH_AS(t.to(Device::cuda(0)), doctest::Contains("cuda"), tg::Error);
  CHECK_THROWS_AS(Device::parse("gpu"), tg::Error);
  CHECK(Device::parse("cuda:1") == Device::cuda(1));
}

TEST_CASE("tensor: printing shows values, dtype, shape and autograd state") {
  Tensor t = from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  std::string s = t.str();
  CHECK(s.find("[[1.0000, 2.0000],") != std::string::npos);
  CHECK(s.find("float32 [2,2]") != std::string::npos);
  Tensor x = ones({3}, {.requires_grad = true});
  CHECK(x.str().find("requires_grad") != std::string::npos);
  CHECK((x * 2.0).str().find("grad_fn=mul_scalar") != std::string::npos);
  std::string big = arange(100).str();
  CHECK(big.find("...") != std::string::npos);
  CHECK(fmt::format("{}", zeros({1})).find("tensor(") == 0);
}

TEST_CASE("tensor: views are differentiable (gradcheck reshape permute slice expand squeeze)") {
  Tensor x = tg::testing::input({2, 3, 4}, 21);
  CHECK(tg::testing::gradcheck([](const TensorList& in) { return in[0].permute({2, 0, 1}).reshape({4, 6}) * 1.5; }, {x}));
  CHECK(tg::testing::gradcheck([](const TensorList& in) { return in[0].slice(2, 1, 4, 2).narrow(1, 1, 2); }, {x}));
  Tensor b = tg::testing::input({3, 1}, 22);
  CHECK(tg::testing::gradcheck([](const TensorList& in) { return in[0].expand({2, 3, 5}).unsqueeze(0).squeeze(); }, {b}));
  CHECK(tg::testing::gradcheck([](const TensorList& in) { return in[0].select(1, 2).flatten() * 2.0; }, {x}));
  CHECK(tg::testing::gradcheck([](const TensorList& in) { return in[0].t().contiguous().clone(); },
                               {tg::testing::input({3, 4}, 23)}));
}
