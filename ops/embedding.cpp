// Embedding ops: checks, the device switch and the backward closure; the math is in
// ops/embedding.h, the kernels in ops/embedding_cpu.cpp.
//
// Both ops record the table as their only input. The table's values are not needed for
// the gradient, so in-place updates of the table between forward and backward are allowed
// (as in PyTorch); the ids are, so the closure checks that they were not modified.
#include "ops/embedding.h"
#include "ops/embedding_cpu.h"
#include "ops/cuda/embedding.h"

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/sparse.h"

namespace tg::ops {

namespace {

void check_lookup(const Tensor& table, const Tensor& ids, int64_t padding_idx, const char* op) {
  check(table.defined() && ids.defined(), "{}: undefined {}", op, table.defined() ? "ids" : "table");
  check(table.dim() == 2, "{}: the table must be 2-D [V, D], got {}", op, table.describe());
  check(is_floating(table.dtype()), "{}: the table must be float32 or float64, got {}", op, table.describe());
  check(is_integral(ids.dtype()), "{}: ids must be int64 or int32, got {}", op, ids.describe());
  check(ids.device() == table.device(), "{}: ids on {} but the table on {}", op, ids.device(), table.device());
  const int64_t V = table.size(0);
  check(padding_idx == -1 || (padding_idx >= 0 && padding_idx < V),
        "{}: padding_idx {} is not a row of the table {} (-1 means no padding)", op, padding_idx, table.shape());
}

// The table as the kernels read it (unit column stride, any row stride), without history.
Tensor kernel_table(const Tensor& table) {
  Tensor t = table.detach();
  return t.size(1) <= 1 || t.strides()[1] == 1 ? t : t.contiguous();
}

[[noreturn]] void fail_bad_id(const Tensor& ids, int64_t pos, const Tensor& table, const char* op) {
  Shape index = Shape::filled(ids.dim(), 0);
  for (int64_t d = ids.dim() - 1, rem = pos; d >= 0; --d) {
    index[static_cast<int>(d)] = rem % ids.shape()[static_cast<int>(d)];
    rem /= ids.shape()[static_cast<int>(d)];
  }
  int64_t id = dispatch_numeric(ids.dtype(), op, [&]<class I>() { return static_cast<int64_t>(ids.data<I>()[pos]); });
  fail("{}: id {} at position {} of ids {} is out of range [0, {}) for the table {}", op, id, index, ids.shape(),
       table.size(0), table.shape());
}

// The table's gradient from dout [n_bags, D]: dense [V, D], or row-sparse.
Tensor table_gradient(const Tensor& dout, const Tensor& ids, int64_t bag_size, const Tensor& bag_scale,
                      int64_t padding_idx, const Shape& table_shape, bool sparse, const char* op) {
  switch (dout.device().type) {
    case DeviceType::CPU: {
      if (sparse) {
        Tensor values, rows;
        cpu::embedding_backward_rows(dout, ids, bag_size, bag_scale, padding_idx, values, rows);
        return make_row_sparse(values, rows, table_shape[0]);
      }
      Tensor dtable = zeros(table_shape, {.dtype = dout.dtype()});
      cpu::embedding_backward(dout, ids, bag_size, bag_scale, padding_idx, dtable);
      return dtable;
    }
    case DeviceType::CUDA:
      TG_CUDA_KERNEL(op, return cuda::embedding_backward(dout, ids, bag_size, bag_scale, padding_idx, table_shape,
                                                         sparse));
  }
  fail("{}: unknown device", op);
}

}  // namespace

Tensor embedding(const Tensor& table, const Tensor& ids_in, EmbeddingOptions options) {
  check_lookup(table, ids_in, options.padding_idx, "embedding");
  check(ids_in.dim() < kMaxDims, "embedding: ids {} have {} dimensions; the output needs one more (at most {})",
        ids_in.shape(), ids_in.dim(), kMaxDims);
  Tensor ids = ids_in.contiguous();
  Shape out_shape = ids.shape();
  out_shape.push_back(table.size(1));
  Tensor out = Tensor::empty(out_shape, {.dtype = table.dtype(), .device = table.device()});
  switch (table.device().type) {
    case DeviceType::CPU: {
      int64_t bad = cpu::embedding_forward(kernel_table(table), ids, out);
      if (bad >= 0) fail_bad_id(ids, bad, table, "embedding");
      break;
    }
    case DeviceType::CUDA: {
      // A plain lookup is a bag of one id with no padding (-1 matches no valid id).
      int64_t bad = 0;
      TG_CUDA_KERNEL("embedding", bad = cuda::embedding_bag_forward(kernel_table(table), ids, 1, -1, false, out, Tensor()));
      if (bad >= 0) fail_bad_id(ids.to(kCPU), bad, table, "embedding");
      break;
    }
  }
  if (needs_grad({table}))
    record(out, "embedding", {table},
           [saved = SavedTensor(ids), table_shape = table.shape(), options](const Tensor& g, const InputMask&) -> TensorList {
             const Tensor& ids = saved.get("embedding");
             return {table_gradient(g.contiguous(), ids, 1, Tensor(), options.padding_idx, table_shape,
                                    options.sparse_grad, "embedding")};
           }, kNoVersionCheck);
  return out;
}

Tensor embedding_bag(const Tensor& table, const Tensor& ids_in, EmbeddingBagOptions options) {
  check_lookup(table, ids_in, options.padding_idx, "embedding_bag");
  check(ids_in.dim() >= 1, "embedding_bag: ids must be [..., L] (bags along the last dimension), got {}",
        ids_in.describe());
  Tensor ids = ids_in.contiguous();
  const int64_t L = ids.shape().back(), D = table.size(1);
  Shape out_shape = ids.shape();
  out_shape[out_shape.size() - 1] = D;
  const int64_t n_bags = out_shape.numel() / std::max<int64_t>(D, 1);
  const bool mean = options.mode == EmbeddingBagOptions::Mode::Mean;
  Tensor out = Tensor::empty(out_shape, {.dtype = table.dtype(), .device = table.device()});
  Tensor bag_scale = mean ? Tensor::empty({n_bags}, {.dtype = table.dtype(), .device = table.device()}) : Tensor();
  switch (table.device().type) {
    case DeviceType::CPU: {
      int64_t bad = cpu::embedding_bag_forward(kernel_table(table), ids, L, options.padding_idx, mean, out, bag_scale);
      if (bad >= 0) fail_bad_id(ids, bad, table, "embedding_bag");
      break;
    }
    case DeviceType::CUDA: {
      int64_t bad = 0;
      TG_CUDA_KERNEL("embedding_bag", bad = cuda::embedding_bag_forward(kernel_table(table), ids, L, options.padding_idx,
                                                                        mean, out, bag_scale));
      if (bad >= 0) fail_bad_id(ids.to(kCPU), bad, table, "embedding_bag");
      break;
    }
  }
  if (needs_grad({table}))
    record(out, "embedding_bag", {table},
           [saved = SavedTensor(ids), bag_scale, L, table_shape = table.shape(), options](const Tensor& g,
                                                                                       const InputMask&) -> TensorList {
             const Tensor& ids = saved.get("embedding_bag");
             return {table_gradient(g.contiguous(), ids, L, bag_scale, options.padding_idx, table_shape,
                                    options.sparse_grad, "embedding_bag")};
           }, kNoVersionCheck);
  return out;
}

}  // namespace tg::ops
