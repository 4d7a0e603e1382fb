#pragma once
// Synthetic MovieLens data in the exact GroupLens file formats; load it like the real files
// (data::load_movielens100k / load_movielens1m).
//   K100: u.data   "user\titem\trating\ttimestamp" (1-5 ratings), in timestamp order
//         u.user   "user|age|gender|occupation|zip" (raw age, M/F, one of the 21 occupation
//                  names of u.occupation, 5-digit zip)
//         u.item   "item|title (year)|01-Jan-year||url|19 genre flags" (unknown + 18 genres)
//         u.genre, u.occupation, u.info as in the real folder.
//   M1:   ratings.dat "UserID::MovieID::Rating::Timestamp", grouped by user, each user's
//                     ratings in time order
//         users.dat   "UserID::Gender::Age::Occupation::Zip" (age code 1/18/25/35/45/50/56,
//                     occupation code 0..20)
//         movies.dat  "MovieID::Title (year)::Genre|Genre" (ML-1M's 18 genre names, in their
//                     canonical order)
// The same seed and options give the same users, movies and ratings in both formats. Plus
// dir/teacher.tsv (synthetic.h), one line per line of u.data / ratings.dat; label "-" on the
// 3s, which the protocol drops.
//
// The teacher (k = 4; a taste(x) in 0..7 is the dominant signed latent dimension):
//   user u  a_u ~ N(0, I_k). With probability 0.7 its fields follow its taste t = taste(a_u):
//           gender F iff t even, age band kTasteAge[t], occupation (3t + uniform(3)) mod 21;
//           else they are drawn from ML-1M-like marginals (the user fields carry the interest).
//   item i  b_i ~ N(0, I_k), quality q_i ~ N(0, 0.4^2); its first genre g1 = 2 taste(b_i) +
//           uniform(2) (80%; else uniform of 18), then 0-2 further genres after g1 in the
//           canonical order (so g1 is the first genre listed); year 1998 - |N(0, 12^2)|.
//   Each user rates n_u items at sorted random times (sum of n_u = options.rows); the next
//   item is drawn by popularity (Zipf(0.8)) with probability 0.25 -- the noisy, taste-free
//   part of the implicit feedback -- and otherwise with probability ~ exp(<a_u, b_i>).
//   The logit of the rating of item i at time t is
//     z = kMovieLensBias + q_i + kMovieLensInterest <a_u, b_i>         user interest
//       + kMovieLensHistory cos(b_i, mean of b over the user's last 5 LIKED items before t)
//       + kMovieLensPair   P[age band, g1]                             pairwise interaction
//       + kMovieLensTriple t1[gender] t2[age band] t3[decade of year]  3-way interaction
//   y ~ Bernoulli(sigmoid(z)); y = 1 is written as rating 4 or 5, y = 0 as 1 or 2; then 15% of
//   all ratings are overwritten with 3 (dropped as samples, kept in histories).
//   Liked = rating >= 4: the history term reads the clean explicit feedback, so the like
//   sequence (DUMN) predicts better than the noisy click sequence (all rated items, which
//   include the popularity draws, dislikes and 3s); P, t1..t3 have no main effect
//   (synthetic_common.h). Decades: < 1970, 1970s, 1980s, 1990-94, 1995+.
// Measured (seed 1, 200 users, 300 items, 6,000 ratings, random 2/3 - 1/3 split of the
// samples, tests/data/synthetic): positive rate 0.60, teacher AUC 0.97, LR over one-hot
// fields 0.71, LR + the planted crosses (age x first genre, gender x age x decade) 0.76.
// On the defaults with the temporal split, the README's TinyCTR (embeddings -> MLP, 4
// epochs) reaches test AUC 0.72 (0.61 with the earlier b_i ~ N(0, 0.25 I) and 1.5 scales).
#include <string>

#include "data/synthetic/synthetic.h"

namespace tg::data {

enum class MovieLensFormat { K100, M1 };

inline constexpr double kMovieLensBias = -2.6;
inline constexpr double kMovieLensInterest = 2.0;
inline constexpr double kMovieLensHistory = 1.0;
inline constexpr double kMovieLensPair = 1.0;
inline constexpr double kMovieLensTriple = 1.0;
// ML-1M age codes by band and each taste's typical band.
inline constexpr int kMovieLensAgeCodes[7] = {1, 18, 25, 35, 45, 50, 56};
inline constexpr int kTasteAge[8] = {1, 2, 3, 4, 2, 5, 6, 0};

// Kept for the callers of the first version: the options are the common ones.
using SyntheticMovieLensOptions = SyntheticOptions;

// Writes the files of `format` (defaults: 600 users, 800 movies, 36,000 ratings) and
// dir/teacher.tsv.
SyntheticReport write_synthetic_movielens(const std::string& dir, const SyntheticOptions& options = {},
                                          MovieLensFormat format = MovieLensFormat::K100);

}  // namespace tg::data
