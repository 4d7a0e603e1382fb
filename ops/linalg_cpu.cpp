// CPU kernels of the linalg family: every product is one or more row-major cblas_?gemm calls.
//
// Threads: OpenBLAS is kept on one thread and every parallel product runs on tapegrad's own
// threads (see core/blas.h): a large GEMM is split into row or column blocks, a batch of
// small ones is split across batch indices.
//
// Batches: when b is the same matrix for every batch index ([B,T,M,K] x [K,N], the layer
// case) and a's batch and row dims fold into one row dim, the whole batch is ONE GEMM of
// [B*T*M, K] x [K, N]. Otherwise GEMM runs once per batch index: across threads when the
// matrices are small (M*N*K <= 64^3), one after the other (each split itself) when large.
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <type_traits>

#include "core/blas.h"
#include "core/parallel.h"
#include "ops/dispatch.h"
#include "ops/linalg.h"
#include "ops/linalg_cpu.h"

namespace tg::ops::cpu {

bool gemm_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
  *trans = false;
  *ld = std::max<int64_t>(cols, 1);
  if (rows == 0 || cols == 0) return true;  // never handed to GEMM
  // The stride of a size-1 dim is never stepped over, so pick the one that makes it fit.
  if (rows == 1) rs = cs == 1 ? cols : 1;
  if (cols == 1) cs = 1;
  if (cs == 1 && rs >= cols) {
    *ld = rs;
    return true;
  }
  if (rs == 1 && cs >= rows) {
    *trans = true;
    *ld = cs;
    return true;
  }
  return false;
}

namespace {

// Products below this many multiply-adds are not worth splitting (OpenBLAS 0.3 uses the same
// cut-off, SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD); a batch of them is split instead.
constexpr int64_t kSmallGemm = 64 * 64 * 64;
// Multiply-adds one thread should get at least, when splitting a batch of small products.
constexpr int64_t kBatchGrainWork = 1 << 15;

struct Mat {  // one matrix operand: rows x cols with element strides
  int64_t rows, cols, rs, cs;
};

template <class T>
void gemm_one_thread(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b,
                     int64_t ldb, bool accumulate, T* c, int64_t ldc) {
  const CBLAS_TRANSPOSE opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  const T beta = accumulate ? T(1) : T(0);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, opa, opb, blasint(m), blasint(n), blasint(k), 1.0f, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc));
  else
    cblas_dgemm(CblasRowMajor, opa, opb, blasint(m), blasint(n), blasint(k), 1.0, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc));
}

// One product C = op(A) op(B). OpenBLAS itself runs on one thread (core/blas.h says why);
// a large product is split into blocks of C's rows (or columns, when C is wide) across
// tapegrad's threads, each block one single-threaded GEMM on offset pointers: no copies.
template <class T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
          bool accumulate, T* c, int64_t ldc) {
  const int threads = num_threads();
  if (threads <= 1 || m * n * k <= kSmallGemm || omp_in_parallel()) {
    gemm_one_thread(ta, tb, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
    return;
  }
  // Blocks of at least 16 rows/columns keep each GEMM on its efficient path.
  if (m >= n) {
    const int64_t blocks = std::min<int64_t>(threads, std::max<int64_t>(1, m / 16));
    parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t r0 = m * blk / blocks, r1 = m * (blk + 1) / blocks;
        const T* a_rows = ta ? a + r0 : a + r0 * lda;  // op(A) rows r0..r1
        gemm_one_thread(ta, tb, r1 - r0, n, k, a_rows, lda, b, ldb, accumulate, c + r0 * ldc, ldc);
      }
    });
  } else {
    const int64_t blocks = std::min<int64_t>(threads, std::max<int64_t>(1, n / 16));
    parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t c0 = n * blk / blocks, c1 = n * (blk + 1) / blocks;
        const T* b_cols = tb ? b + c0 * ldb : b + c0;  // op(B) columns c0..c1
        gemm_one_thread(ta, tb, m, c1 - c0, k, a, lda, b_cols, ldb, accumulate, c + c0, ldc);
      }
    });
  }
}

void check_blas_int(int64_t v, const char* what) {
  check(v <= INT_MAX, "matmul: {} {} exceeds the 32-bit index range of the BLAS interface", what, v);
}

// Resolves a's and b's layouts and calls GEMM for `batches` products. a_off(i)/b_off(i) give
// the element offsets of batch i's matrices; output i starts at C + i * M * N.
template <class T, class AOff, class BOff>
void batched_gemm(const T* A, const Mat& ma, const T* B, const Mat& mb, T* C, int64_t batches, bool accumulate,
                  AOff a_off, BOff b_off) {
  const int64_t m = ma.rows, k = ma.cols, n = mb.cols;
  bool ta = false, tb = false;
  int64_t lda = 1, ldb = 1;
  // Internal invariant: linalg.cpp copies operands that do not fit.
  check(gemm_layout(ma.rows, ma.cols, ma.rs, ma.cs, &ta, &lda) && gemm_layout(mb.rows, mb.cols, mb.rs, mb.cs, &tb, &ldb),
        "matmul: internal error: operand layout [{},{}] strides ({},{}) / [{},{}] strides ({},{}) not usable by GEMM",
        ma.rows, ma.cols, ma.rs, ma.cs, mb.rows, mb.cols, mb.rs, mb.cs);
  for (int64_t v : {m, n, k}) check_blas_int(v, "dimension");
  check_blas_int(lda, "leading dimension");
  check_blas_int(ldb, "leading dimension");
  const int64_t mn = m * n;
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      gemm<T>(ta, tb, m, n, k, A + a_off(i), lda, B + b_off(i), ldb, accumulate, C + i * mn, n);
  };
  const int64_t work = m * n * k;
  if (batches > 1 && work <= kSmallGemm)
    parallel_for(batches, std::max<int64_t>(1, kBatchGrainWork / std::max<int64_t>(work, 1)), run);
  else
    run(0, batches);
}

}  // namespace

void matmul_forward(const Tensor& a, const Tensor& b, const Tensor& out, bool accumulate) {
  blas_check_kernel_once();
  const int nd = out.dim(), nb = nd - 2;
  const int64_t m = out.shape()[nd - 2], n = out.shape()[nd - 1], k = a.shape()[a.dim() - 1];
  if (out.numel() == 0) return;
  if (k == 0) {  // an empty sum: the product is zero
    if (!accumulate) std::memset(out.raw_data(), 0, static_cast<size_t>(out.numel()) * out.element_size());
    return;
  }
  // Batch dims of out with size > 1, and a's / b's strides along them (0 where broadcast).
  int64_t sizes[kMaxDims], ast[kMaxDims], bst[kMaxDims];
  int nbd = 0;
  int64_t batches = 1;
  bool b_shared = true;
  for (int d = 0; d < nb; ++d) {
    int64_t size = out.shape()[d];
    if (size == 1) continue;
    int ja = d - (nb - (a.dim() - 2)), jb = d - (nb - (b.dim() - 2));
    sizes[nbd] = size;
    ast[nbd] = (ja < 0 || a.shape()[ja] == 1) ? 0 : a.strides()[ja];
    bst[nbd] = (jb < 0 || b.shape()[jb] == 1) ? 0 : b.strides()[jb];
    b_shared = b_shared && bst[nbd] == 0;
    batches *= size;
    ++nbd;
  }
  Mat ma{m, k, a.strides()[a.dim() - 2], a.strides()[a.dim() - 1]};
  Mat mb{k, n, b.strides()[b.dim() - 2], b.strides()[b.dim() - 1]};

  // One GEMM for the whole batch: b shared and a's batch dims + row dim fold into one
  // strided row dim (each outer stride = inner stride x inner size, as in a view).
  if (batches > 1 && b_shared) {
    // (size, stride) of the dims to fold, innermost first: a's row dim, then its batch dims.
    int64_t fsize[kMaxDims + 1], fstride[kMaxDims + 1];
    int nf = 0;
    auto add = [&](int64_t size, int64_t stride) {
      fsize[nf] = size;
      fstride[nf++] = stride;
    };
    if (m > 1) add(m, ma.rs);
    for (int d = nbd - 1; d >= 0; --d) add(sizes[d], ast[d]);
    bool folds = true;
    int64_t rows = fsize[0];
    for (int i = 1; i < nf; ++i) {
      folds = folds && fstride[i] == fstride[i - 1] * fsize[i - 1];
      rows *= fsize[i];
    }
    Mat mf{rows, k, fstride[0], ma.cs};
    bool ta = false;
    int64_t ld = 0;
    if (folds && gemm_layout(mf.rows, mf.cols, mf.rs, mf.cs, &ta, &ld)) {
      auto zero = [](int64_t) { return int64_t{0}; };
      dispatch_floating(out.dtype(), "matmul", [&]<class T>() {
        batched_gemm<T>(a.data<T>(), mf, b.data<T>(), mb, out.data<T>(), 1, accumulate, zero, zero);
      });
      return;
    }
  }

  auto offsets = [&](const int64_t* st) {
    return [&, st](int64_t i) {
      int64_t off = 0;
      for (int d = nbd - 1; d >= 0; --d) {
        off += (i % sizes[d]) * st[d];
        i /= sizes[d];
      }
      return off;
    };
  };
  dispatch_floating(out.dtype(), "matmul", [&]<class T>() {
    batched_gemm<T>(a.data<T>(), ma, b.data<T>(), mb, out.data<T>(), batches, accumulate, offsets(ast), offsets(bst));
  });
}

void linear_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& out) {
  blas_check_kernel_once();
  const int64_t rows = x.shape()[0], in = x.shape()[1], o = w.shape()[0];
  if (out.numel() == 0) return;
  dispatch_floating(out.dtype(), "linear", [&]<class T>() {
    T* y = out.data<T>();
    if (bias.defined()) {
      const T* bp = bias.data<T>();
      parallel_for(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(o, 1)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) std::copy(bp, bp + o, y + r * o);
      });
    }
    if (in == 0) {
      if (!bias.defined()) std::fill(y, y + rows * o, T(0));
      return;
    }
    // W^T is W's [in, out] view: strides swapped.
    Mat mx{rows, in, x.strides()[0], x.strides()[1]};
    Mat mw{in, o, w.strides()[1], w.strides()[0]};
    auto zero = [](int64_t) { return int64_t{0}; };
    batched_gemm<T>(x.data<T>(), mx, w.data<T>(), mw, y, 1, bias.defined(), zero, zero);
  });
}

}  // namespace tg::ops::cpu
