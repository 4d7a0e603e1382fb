// Synthetic batches for the benchmark, of the same kind as the PyTorch reference's
// (torch_ref.SyntheticData, torch_ref_seq.SyntheticData), not bit-identical to them:
//   ids          power law: iarm/qin floor(V u^3) in [0, V); eain/dumn 1 + floor((V-1) u^3),
//                0 being padding there
//   iarm numeric log1p(|N(0,1)|)
//   sequences    eain: length uniform in 0..T (5 % forced empty), left-padded;
//                dumn: click/unclick 0..T, like 0..T/4, dislike 0..T/10, empty with
//                probability 2/2/10/30 %, part of each user's items moved into the user's
//                hidden group (item % 16)
//   labels       y ~ Bernoulli(sigmoid(z)), z a fixed random function of some fields
//                (per-id weights, a pairwise term for iarm, a category-match term for qin and
//                eain, group shares of clicks and dislikes for dumn)
// Deterministic given the seed. Inputs come in the reference's form (bench_models.h), so the
// benchmark builds its Batches with the same batch_from_inputs() as the parity check.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "apps/bench/bench_models.h"
#include "core/rng.h"

namespace tg::bench {

struct Inputs {
  std::vector<Tensor> x;  // the forward() arguments of the reference model
  Tensor y;               // float32 [B]
};

class SyntheticData {
 public:
  SyntheticData(const BenchModel& model, uint64_t seed = 0);
  Inputs batch(int64_t batch_size);

 private:
  double uniform() { return gen_.next_double(); }
  int64_t power_id(int64_t vocab, bool padded);  // see the header comment
  std::vector<int64_t> left_padded(int64_t T, int64_t max_len, double p_empty);  // a 0/1 mask row

  std::string name_;
  BenchSizes sizes_;
  Generator gen_;
  std::vector<float> w_num_;                  // iarm
  std::vector<std::vector<float>> w_field_;   // per-id weights of some fields
  std::vector<float> w_pair_;                 // iarm [64 x 64]
  std::vector<int64_t> category_of_;          // eain: item -> category
};

}  // namespace tg::bench
