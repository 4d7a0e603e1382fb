// cuBLAS products. cuBLAS is column-major and tapegrad row-major: a row-major [M, N]
// matrix read column-major is its transpose, so C = A B is computed as C^T = B^T A^T with
// the operands swapped, and a transposed operand (cpu::gemm_layout's trans) becomes a
// transpose flag: no copies. A batch whose offsets step evenly (every contiguous or
// broadcast batch) is one strided-batched call; other batches loop over their matrices.
// Float32 products use the default (pedantic FP32) math mode: no TF32, so results match the
// CPU within float rounding.
#include "ops/cuda/linalg.h"

#include <climits>
#include <mutex>
#include <vector>

#include "core/cuda/check.h"
#include "ops/cuda/elementwise.h"
#include "ops/cuda/gemm_batch.h"
#include "ops/cuda/glue.h"
#include "ops/linalg_cpu.h"

namespace tg::ops::cuda {

namespace {

// One handle per device, bound to the device's stream; created on first use, never freed.
cublasHandle_t handle(int device, void* stream, const char* op) {
  static std::mutex mutex;
  static auto* handles = new std::vector<cublasHandle_t>();
  std::lock_guard<std::mutex> lock(mutex);
  if (handles->empty()) handles->assign(static_cast<size_t>(tg::cuda::device_count()), nullptr);
  cublasHandle_t& h = (*handles)[static_cast<size_t>(device)];
  if (h == nullptr) {
    tg::cuda::check_cublas(cublasCreate(&h), op, "cublasCreate");
    tg::cuda::check_cublas(cublasSetStream(h, static_cast<cudaStream_t>(stream)), op, "cublasSetStream");
  }
  return h;
}

int blas_int(int64_t v, const char* op, const char* what) {
  check(v <= INT_MAX, "{}: {} {} exceeds the 32-bit range of cuBLAS", op, what, v);
  return static_cast<int>(v);
}

struct Operand {  // one GEMM operand as cuBLAS reads it
  cublasOperation_t trans;
  int ld;
};

Operand operand(int64_t rows, int64_t cols, int64_t rs, int64_t cs, const char* op) {
  bool trans = false;
  int64_t ld = 0;
  check(cpu::gemm_layout(rows, cols, rs, cs, &trans, &ld),
        "{}: internal error: operand [{},{}] strides ({},{}) not usable by GEMM", op, rows, cols, rs, cs);
  return {trans ? CUBLAS_OP_T : CUBLAS_OP_N, blas_int(ld, op, "leading dimension")};
}

template <class T>
void gemm(cublasHandle_t h, const Operand& oa, const Operand& ob, int m, int n, int k, const T* a, const T* b,
          bool accumulate, T* c, int batches, int64_t sa, int64_t sb, const char* op) {
  const T one = 1, beta = accumulate ? T(1) : T(0);
  // C^T [n, m] = op(B)^T-ish [n, k] x op(A) [k, m]: B first, then A.
  if (batches == 1) {
    if constexpr (std::is_same_v<T, float>)
      tg::cuda::check_cublas(cublasSgemm(h, ob.trans, oa.trans, n, m, k, &one, b, ob.ld, a, oa.ld, &beta, c, n), op,
                             "cublasSgemm");
    else
      tg::cuda::check_cublas(cublasDgemm(h, ob.trans, oa.trans, n, m, k, &one, b, ob.ld, a, oa.ld, &beta, c, n), op,
                             "cublasDgemm");
    return;
  }
  const long long sc = static_cast<long long>(m) * n;
  if constexpr (std::is_same_v<T, float>)
    tg::cuda::check_cublas(cublasSgemmStridedBatched(h, ob.trans, oa.trans, n, m, k, &one, b, ob.ld, sb, a, oa.ld, sa,
                                                     &beta, c, n, sc, batches),
                           op, "cublasSgemmStridedBatched");
  else
    tg::cuda::check_cublas(cublasDgemmStridedBatched(h, ob.trans, oa.trans, n, m, k, &one, b, ob.ld, sb, a, oa.ld, sa,
                                                     &beta, c, n, sc, batches),
                           op, "cublasDgemmStridedBatched");
}

}  // namespace

void matmul_forward(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate, const char* op) {
  const int nd = out.dim(), nb = nd - 2;
  const int64_t m = out.shape()[nd - 2], n = out.shape()[nd - 1], k = a.shape()[a.dim() - 1];
  if (out.numel() == 0) return;
  if (k == 0) {  // an empty sum: the product is zero
    if (!accumulate) fill_forward(out, 0.0);
    return;
  }
  check(out.is_contiguous(), "{}: internal error: the CUDA product writes a contiguous output", op);
  // Batch dims of out with size > 1, and a's / b's strides along them (0 where broadcast).
  int64_t sizes[kMaxDims], ast[kMaxDims], bst[kMaxDims];
  int nbd = 0;
  int64_t batches = 1;
  for (int d = 0; d < nb; ++d) {
    const int64_t size = out.shape()[d];
    if (size == 1) continue;
    const int ja = d - (nb - (a.dim() - 2)), jb = d - (nb - (b.dim() - 2));
    sizes[nbd] = size;
    ast[nbd] = (ja < 0 || a.shape()[ja] == 1) ? 0 : a.strides()[ja];
    bst[nbd] = (jb < 0 || b.shape()[jb] == 1) ? 0 : b.strides()[jb];
    batches *= size;
    ++nbd;
  }
  const Operand oa = operand(m, k, a.strides()[a.dim() - 2], a.strides()[a.dim() - 1], op);
  const Operand ob = operand(k, n, b.strides()[b.dim() - 2], b.strides()[b.dim() - 1], op);
  const int im = blas_int(m, op, "dimension"), in = blas_int(n, op, "dimension"), ik = blas_int(k, op, "dimension");
  OnDevice on(out);
  cublasHandle_t h = handle(out.device().index, on.stream, op);
  dispatch_float(elem_type(out.dtype()), [&]<class T>() {
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    T* pc = static_cast<T*>(out.raw_data());
    int64_t sa = 0, sb = 0;
    if (batch_is_strided(sizes, ast, nbd, &sa) && batch_is_strided(sizes, bst, nbd, &sb)) {
      // cuBLAS takes at most INT_MAX batches per call: larger batches go in chunks.
      for (int64_t first = 0; first < batches; first += INT_MAX) {
        const int count = static_cast<int>(std::min<int64_t>(batches - first, INT_MAX));
        gemm<T>(h, oa, ob, im, in, ik, pa + first * sa, pb + first * sb, accumulate, pc + first * m * n, count, sa, sb,
                op);
      }
      return;
    }
    for (int64_t i = 0; i < batches; ++i) {  // an irregular batch: one call per matrix
      int64_t offa = 0, offb = 0, rem = i;
      for (int d = nbd - 1; d >= 0; --d) {
        offa += (rem % sizes[d]) * ast[d];
        offb += (rem % sizes[d]) * bst[d];
        rem /= sizes[d];
      }
      gemm<T>(h, oa, ob, im, in, ik, pa + offa, pb + offb, accumulate, pc + i * m * n, 1, 0, 0, op);
    }
  });
}

void linear_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& out) {
  if (out.numel() == 0) return;
  if (bias.defined()) copy_forward(bias.view({1, bias.numel()}).expand(out.shape()), out, "linear");
  // W^T is W's [in, out] view (strides swapped): GEMM's transpose flag, no copy.
  matmul_forward(x, w.t(), out, bias.defined(), "linear");
}

}  // namespace tg::ops::cuda
