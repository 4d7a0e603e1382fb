// Glue of the embedding family: id conversion, scratch buffers from the caching allocator,
// CUB's status codes and the launch checks.
#include "ops/cuda/embedding.h"

#include "core/cuda/check.h"
#include "ops/cuda/elementwise.h"
#include "ops/cuda/embedding_kernels.h"
#include "ops/cuda/embedding_math.h"
#include "ops/cuda/glue.h"

namespace tg::ops::cuda {

namespace {

Tensor device_scratch(int64_t bytes, Device d) {
  return Tensor::empty({std::max<int64_t>(bytes, 1)}, {.dtype = DType::UInt8, .device = d});
}

void check_cub(int status, const char* op, const char* what) {
  tg::cuda::check_cuda(static_cast<cudaError_t>(status), op, what);
}

}  // namespace

int64_t embedding_bag_forward(const Tensor& table, const Tensor& ids, int64_t bag_size, int64_t padding_idx,
                              bool mean, const Tensor& out, const Tensor& bag_scale) {
  const char* op = "embedding";
  const int64_t V = table.size(0), D = table.size(1), n = ids.numel();
  const int64_t n_bags = bag_size > 0 ? n / bag_size : 0;
  OnDevice on(out);
  Tensor bad = full({1}, static_cast<double>(n), {.dtype = DType::Int64, .device = out.device()});
  if (n_bags * D > 0)
    launch_embedding_bag_forward(elem_type(table.dtype()), elem_type(ids.dtype()), table.raw_data(),
                                 table.strides()[0], V, D, ids.raw_data(), n_bags, bag_size, padding_idx, mean,
                                 out.raw_data(), mean ? bag_scale.raw_data() : nullptr,
                                 static_cast<int64_t*>(bad.raw_data()), on.stream);
  else if (out.numel() > 0)
    fill_forward(out, 0.0);  // bags of no ids: zeros (mean scales stay as allocated: none exist with D > 0)
  tg::cuda::check_launch(op);
  const int64_t first_bad = static_cast<int64_t>(bad.item());
  return first_bad < n ? first_bad : -1;
}

Tensor embedding_backward(const Tensor& dout, const Tensor& ids_in, int64_t bag_size, const Tensor& bag_scale,
                          int64_t padding_idx, const Shape& table_shape, bool sparse) {
  const char* op = "embedding backward";
  const Device dev = dout.device();
  const int64_t V = table_shape[0], D = table_shape[1], n = ids_in.numel();
  check(n < (int64_t{1} << 31), "{}: {} ids exceed the 2^31 that one CUB sort takes", op, n);
  OnDevice on(dout);
  Tensor ids = ids_in.to(DType::Int64).contiguous();
  Tensor sorted_ids = Tensor::empty({n}, {.dtype = DType::Int64, .device = dev});
  Tensor sorted_pos = Tensor::empty({n}, {.dtype = DType::Int64, .device = dev});
  Tensor positions = Tensor::empty({n}, {.dtype = DType::Int64, .device = dev});
  const int bits = id_bits(V);
  size_t temp_bytes = 0;
  check_cub(sort_ids_temp_bytes(n, bits, &temp_bytes), op, "cub::DeviceRadixSort (size query)");
  Tensor temp = device_scratch(static_cast<int64_t>(temp_bytes), dev);
  if (n > 0)
    check_cub(launch_sort_ids(temp.raw_data(), temp_bytes, static_cast<const int64_t*>(ids.raw_data()),
                              static_cast<int64_t*>(positions.raw_data()), static_cast<int64_t*>(sorted_ids.raw_data()),
                              static_cast<int64_t*>(sorted_pos.raw_data()), n, bits, on.stream),
              op, "cub::DeviceRadixSort");
  tg::cuda::check_launch(op);
  const void* scale = bag_scale.defined() ? bag_scale.raw_data() : nullptr;
  const auto* sid = static_cast<const int64_t*>(sorted_ids.raw_data());
  const auto* spos = static_cast<const int64_t*>(sorted_pos.raw_data());

  if (!sparse) {
    Tensor dtable = zeros(table_shape, {.dtype = dout.dtype(), .device = dev});
    if (n > 0 && D > 0)
      launch_embedding_backward_dense(elem_type(dout.dtype()), dout.raw_data(), D, scale, sid, spos, n, bag_size,
                                      padding_idx, dtable.raw_data(), on.stream);
    tg::cuda::check_launch(op);
    return dtable;
  }

  Tensor flags = Tensor::empty({n}, {.dtype = DType::Int64, .device = dev});
  Tensor numbers = Tensor::empty({n}, {.dtype = DType::Int64, .device = dev});
  int64_t segments = 0;
  if (n > 0) {
    launch_segment_flags(sid, n, padding_idx, static_cast<int64_t*>(flags.raw_data()), on.stream);
    tg::cuda::check_launch(op);
    size_t scan_bytes = 0;
    check_cub(scan_temp_bytes(n, &scan_bytes), op, "cub::DeviceScan (size query)");
    Tensor scan_temp = device_scratch(static_cast<int64_t>(scan_bytes), dev);
    check_cub(launch_scan(scan_temp.raw_data(), scan_bytes, static_cast<const int64_t*>(flags.raw_data()),
                          static_cast<int64_t*>(numbers.raw_data()), n, on.stream),
              op, "cub::DeviceScan");
    segments = static_cast<int64_t>(numbers.narrow(0, n - 1, 1).item());  // the host needs the row count
  }
  Tensor values = Tensor::empty({segments, D}, {.dtype = dout.dtype(), .device = dev});
  Tensor rows = Tensor::empty({segments}, {.dtype = DType::Int64, .device = dev});
  if (segments > 0)
    launch_embedding_backward_rows(elem_type(dout.dtype()), dout.raw_data(), D, scale, sid, spos,
                                   static_cast<const int64_t*>(flags.raw_data()),
                                   static_cast<const int64_t*>(numbers.raw_data()), n, bag_size, values.raw_data(),
                                   static_cast<int64_t*>(rows.raw_data()), on.stream);
  tg::cuda::check_launch(op);
  // The rows are unique and ascending by construction (sorted ids, one per segment).
  values.impl()->row_index = rows.impl_ptr();
  values.impl()->dense_rows = V;
  return values;
}

}  // namespace tg::ops::cuda
