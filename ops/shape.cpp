// Shape ops: concat/stack (one strided copy per input into a slot of the output; the
// gradient of input i is the same slot of g, a view), split/chunk (views of x, whose
// gradients come from the view ops), repeat (one strided copy from a broadcast view of x;
// the gradient sums g over the tiles).
#include "ops/shape.h"

#include <functional>

#include "core/autograd.h"
#include "ops/dispatch.h"
#include "ops/reduce.h"

namespace tg::ops {

namespace {

// Checks that xs is a non-empty list of defined tensors of one dtype and device, and that
// every shape equals xs[0]'s except in dimension `except` (-1: everywhere).
void check_joinable(const TensorList& xs, int except, const char* op) {
  check(!xs.empty(), "{}: needs at least one tensor, got an empty list", op);
  const Tensor& x0 = xs[0];
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& x = xs[i];
    check(x.defined(), "{}: input {} is an undefined tensor", op, i);
    check(x.dtype() == x0.dtype(), "{}: input {} is {} but input 0 is {}: dtypes must match", op, i, x.describe(),
          x0.describe());
    check(x.device() == x0.device(), "{}: input {} is on {} but input 0 is on {}", op, i, x.device(), x0.device());
    bool same = x.dim() == x0.dim();
    for (int d = 0; same && d < x.dim(); ++d) same = d == except || x.shape()[d] == x0.shape()[d];
    if (except >= 0)
      check(same, "{}: input {} has shape {} but input 0 has shape {}: sizes must match except in dimension {}", op,
            i, x.shape(), x0.shape(), except);
    else
      check(same, "{}: input {} has shape {} but input 0 has shape {}: all shapes must be equal", op, i, x.shape(),
            x0.shape());
  }
}

// concat and stack: out gets each xs[i] copied into slot(out, i); the gradient of xs[i] is
// slot(g, i). Slots are views, so both directions are plain strided copies.
Tensor join(const TensorList& xs, const Shape& out_shape, const std::function<Tensor(const Tensor&, size_t)>& slot,
            const char* op) {
  const Tensor& x0 = xs[0];
  Tensor out = Tensor::empty(out_shape, {.dtype = x0.dtype(), .device = x0.device()});
  switch (x0.device().type) {
    case DeviceType::CPU:
    case DeviceType::CUDA: {  // strided copies (copy_), which run on either device
      NoGradGuard no_grad;
      for (size_t i = 0; i < xs.size(); ++i)
        if (xs[i].numel() > 0) slot(out, i).copy_(xs[i].detach());
      break;
    }
  }
  if (needs_grad(xs))
    record(out, op, xs, [slot, n = xs.size()](const Tensor& g, const InputMask& need) -> TensorList {
      TensorList grads(n);
      for (size_t i = 0; i < n; ++i)
        if (need[i]) grads[i] = slot(g, i);
      return grads;
    }, kNoVersionCheck);
  return out;
}

}  // namespace

// ---- concat / stack ----------------------------------------------------------------------

Tensor concat(const TensorList& xs, int64_t dim) {
  check(!xs.empty(), "concat: needs at least one tensor, got an empty list");
  check(xs[0].defined() && xs[0].dim() >= 1, "concat: input 0 is {}: concat needs tensors of at least 1 dimension",
        xs[0].describe());
  int d = wrap_dim(dim, xs[0].dim(), "concat");
  check_joinable(xs, d, "concat");
  Shape out_shape = xs[0].shape();
  std::vector<int64_t> starts;  // slot i is [starts[i], starts[i + 1]) along d
  starts.reserve(xs.size() + 1);
  int64_t total = 0;
  for (const Tensor& x : xs) {
    starts.push_back(total);
    total += x.shape()[d];
  }
  starts.push_back(total);
  out_shape[d] = total;
  auto slot = [d, starts = std::move(starts)](const Tensor& t, size_t i) {
    return t.narrow(d, starts[i], starts[i + 1] - starts[i]);
  };
  return join(xs, out_shape, slot, "concat");
}

Tensor stack(const TensorList& xs, int64_t dim) {
  check_joinable(xs, -1, "stack");
  int d = wrap_dim(dim, xs[0].dim() + 1, "stack");
  Shape out_shape = xs[0].shape();
  out_shape.insert(d, static_cast<int64_t>(xs.size()));
  auto slot = [d](const Tensor& t, size_t i) { return t.select(d, static_cast<int64_t>(i)); };
  return join(xs, out_shape, slot, "stack");
}

// ---- split / chunk: views --------------------------------------------------------------------

TensorList split(const Tensor& x, int64_t split_size, int64_t dim) {
  check(x.defined() && x.dim() >= 1, "split: needs a tensor of at least 1 dimension, got {}", x.describe());
  int d = wrap_dim(dim, x.dim(), "split");
  int64_t n = x.shape()[d];
  check(split_size > 0 || (split_size == 0 && n == 0),
        "split: split_size must be positive, got {} (dimension {} of {} has size {})", split_size, d, x.shape(), n);
  if (n == 0) return {x.narrow(d, 0, 0)};
  TensorList parts;
  parts.reserve(static_cast<size_t>((n + split_size - 1) / split_size));
  for (int64_t start = 0; start < n; start += split_size) parts.push_back(x.narrow(d, start, std::min(split_size, n - start)));
  return parts;
}

TensorList split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  check(x.defined() && x.dim() >= 1, "split: needs a tensor of at least 1 dimension, got {}", x.describe());
  int d = wrap_dim(dim, x.dim(), "split");
  int64_t n = x.shape()[d], total = 0;
  for (int64_t s : sizes) {
    check(s >= 0, "split: negative size {} in sizes [{}]", s, fmt::join(sizes, ","));
    total += s;
  }
  check(total == n, "split: sizes [{}] add up to {} but dimension {} of {} has size {}", fmt::join(sizes, ","), total,
        d, x.shape(), n);
  TensorList parts;
  parts.reserve(sizes.size());
  int64_t start = 0;
  for (int64_t s : sizes) {
    parts.push_back(x.narrow(d, start, s));
    start += s;
  }
  return parts;
}

TensorList chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  check(x.defined() && x.dim() >= 1, "chunk: needs a tensor of at least 1 dimension, got {}", x.describe());
  check(chunks > 0, "chunk: the number of chunks must be positive, got {}", chunks);
  int d = wrap_dim(dim, x.dim(), "chunk");
  int64_t n = x.shape()[d];
  // As torch.chunk: pieces of ceil(n / chunks), so fewer than `chunks` pieces can come back;
  // an empty dimension gives `chunks` empty pieces.
  if (n == 0) return split(x, std::vector<int64_t>(static_cast<size_t>(chunks), 0), d);
  return split(x, (n + chunks - 1) / chunks, d);
}

// ---- repeat --------------------------------------------------------------------------------

// The output, viewed with each dimension i split into [r_i, p_i] (tile-major: the tile
// index is the slower one), is x broadcast along the r_i dims. Size-1 dims are dropped and
// adjacent dims that are contiguous in both views merged, so the view fits in kMaxDims;
// the backward sums g, reshaped the same way, over the tile dims.
Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats) {
  check(x.defined(), "repeat: undefined tensor");
  const int k = static_cast<int>(repeats.size());
  check(k >= x.dim(), "repeat: {} repeat counts [{}] for {}: need at least one per dimension", k,
        fmt::join(repeats, ","), x.describe());
  check(k <= kMaxDims, "repeat: {} repeat counts [{}] exceed the limit of {} dimensions", k, fmt::join(repeats, ","),
        kMaxDims);
  for (int64_t r : repeats) check(r >= 0, "repeat: negative count {} in [{}]", r, fmt::join(repeats, ","));

  const int lead = k - x.dim();
  Shape out_shape;
  struct Part {
    int64_t size, src_stride;
    bool tile;
  };
  std::vector<Part> parts;  // the interleaved view, before merging: up to 2k dims
  for (int i = 0; i < k; ++i) {
    int64_t p = i < lead ? 1 : x.shape()[i - lead], st = i < lead ? 0 : x.strides()[i - lead];
    int64_t r = repeats[static_cast<size_t>(i)];
    out_shape.push_back(p * r);
    if (r != 1) parts.push_back({r, 0, true});
    if (p != 1) parts.push_back({p, st, false});
  }
  std::vector<Part> merged;
  for (const Part& q : parts) {
    if (!merged.empty() && merged.back().tile == q.tile && merged.back().src_stride == q.src_stride * q.size) {
      merged.back().size *= q.size;
      merged.back().src_stride = q.src_stride;
    } else {
      merged.push_back(q);
    }
  }
  if (static_cast<int>(merged.size()) > kMaxDims) {
    // Many dims both tiled and of size > 1 (rare): repeat one dim at a time, each stage
    // on a contiguous tensor so that its view has at most 3 dims.
    Tensor y = x.contiguous();
    for (int i = 0; i < k; ++i) {
      if (repeats[static_cast<size_t>(i)] == 1) continue;
      std::vector<int64_t> one(static_cast<size_t>(k), 1);
      one[static_cast<size_t>(i)] = repeats[static_cast<size_t>(i)];
      y = repeat(y, one);
    }
    return y;
  }

  Shape view_shape, src_strides, tile_dims;
  for (const Part& q : merged) {
    if (q.tile) tile_dims.push_back(view_shape.size());
    view_shape.push_back(q.size);
    src_strides.push_back(q.src_stride);
  }
  Tensor out = Tensor::empty(out_shape, {.dtype = x.dtype(), .device = x.device()});
  if (out.numel() > 0) {
    switch (x.device().type) {
      case DeviceType::CPU:
      case DeviceType::CUDA: {  // one strided copy (copy_), which runs on either device
        NoGradGuard no_grad;
        as_strided(out, view_shape, contiguous_strides(view_shape), 0).copy_(as_strided(x, view_shape, src_strides, x.offset()));
        break;
      }
    }
  }
  if (needs_grad({x}))
    record(out, "repeat", {x}, [in_shape = x.shape(), view_shape, tile_dims](const Tensor& g, const InputMask&) -> TensorList {
      if (g.numel() == 0) return {zeros(in_shape, {.dtype = g.dtype(), .device = g.device()})};
      Tensor gv = g.reshape(view_shape);
      if (!tile_dims.empty()) gv = sum(gv, tile_dims);
      return {gv.reshape(in_shape)};
    }, kNoVersionCheck);
  return out;
}

}  // namespace tg::ops
