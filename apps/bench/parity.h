// tapegrad-bench --parity DIR: one training step of a benchmark model against PyTorch's.
//
// DIR is what ../shared/bench/dump_golden.py writes (manifest.json and .npy files: initial
// parameters in PyTorch layout, the batch, logits, loss and its parts, gradients, parameters
// after one Adam step, DUMN's memories before and after the write). The model is built as the
// benchmark builds it (bench_models.h, the same code path as the timed step), loaded with
// those parameters, and runs: forward, loss, backward, Adam (lr 1e-3), after_step (DUMN's
// commit). The tolerance is the README's (dump_golden.py's TOL_RULE):
//   logits, loss, loss parts, gradients, memories   |x - ref| <= 1e-4 (|ref| + max|ref|)
//                                                    elementwise, max|ref| over the tensor
//   with its two documented exceptions:
//   - DUMN's W_att gradients are rounding noise at init (exact ~1e-22): only |g| < 1e-10.
//   - Adam: where |grad| is near eps the first step amplifies gradient rounding, so
//       (a) the end-to-end update (after - before) is held to 1e-2 lr only where the
//           reference |grad| >= 1e-6, and
//       (b) our Adam is run again from the dumped parameters on the dumped gradients, and
//           must agree elementwise to float32 rounding: |x - ref| <= 1e-6 lr + 2^-22 |ref|.
// Prints one line per tensor (worst error relative to max|ref|, and the worst error as a
// fraction of what the rule allows), the worst per tensor class, and a last line saying ok
// or naming the failures. Returns the process exit code: 0 when every tensor is within.
#pragma once
#include <string>

namespace tg::bench {

struct ParityOptions {
  bool sparse_grad = false;  // as the benchmark's --sparse-grad
  bool verbose = true;      // one line per tensor
};

int run_parity(const std::string& dir, ParityOptions options = {});

}  // namespace tg::bench
