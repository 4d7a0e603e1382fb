#pragma once
// Synthetic data in the MovieLens-100K file format (u.user, u.item, u.data), from a hidden
// teacher with the structure the four models are built to find; load it with
// data::load_movielens100k like the real files. The built-in default of every app, the
// README demo and the tests: nothing needs a download.
//
// The teacher (k = 4 latent dimensions, all draws from Philox with the given seed):
//   user u: interest a_u ~ N(0, I_k); a cluster c_u = argmax_j a_u[j] decides its gender,
//           age band and occupation with probability 0.7 (so the user fields carry the
//           interest, as IARM's interest layer assumes); zip codes uniform.
//   item i: profile b_i ~ N(0, I_k); its genres are the latent dimensions with b_i[j] > 0.8
//           (mapped to genres 2j+1 and 2j+2) plus one random genre; a year 1950..1998.
//   Each user rates a sequence of items over time; the next item is drawn with probability
//   proportional to exp(<a_u, b_i>) (a history reflects the interest). The click logit of
//   rating item i at time t is
//     z = 2.0 <a_u, b_i>                              user interest x item (pairwise)
//       + 1.0 cos(b_i, mean of the user's last 5 items)   target-history affinity
//       + 1.0 [gender = F][genre 0 in i][age < 35]     a 3-way field interaction
//       - 3.2
//   y ~ Bernoulli(sigmoid(z)); y = 1 is written as rating 4 or 5, y = 0 as 1 or 2; a further
//   15% of the ratings are written as 3 (dropped as samples, kept in histories: the noisy
//   implicit feedback; like/dislike sequences only see the clean explicit 4-5 / 1-2).
// teacher.tsv (u.data row, probability) gives the Bayes-optimal scores. Measured on the
// defaults (seed 1, the apps' default run): positive rate ~0.6, test AUC of LR 0.753, FM
// 0.776, IARM 0.772 (the teacher itself ~0.90: most of the gap is the per-user latent
// vector, learnable only from ~50 rows per user, and the history term).
#include <cstdint>
#include <string>

namespace tg::data {

struct SyntheticMovieLensOptions {
  uint64_t seed = 1;
  int64_t users = 600;
  int64_t items = 800;
  int64_t ratings_per_user = 60;  // average; each user gets 20 .. 2x this
};

// Writes u.user, u.item, u.data and teacher.tsv into `dir` (created if needed). Same seed
// and options -> byte-identical files.
void write_synthetic_movielens(const std::string& dir, const SyntheticMovieLensOptions& options = {});

}  // namespace tg::data
