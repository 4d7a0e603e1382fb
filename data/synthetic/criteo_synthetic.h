#pragma once
// Synthetic Criteo (Kaggle display-advertising challenge) data: dir/train.txt in exactly the
// Kaggle format: one example per line, 40 tab-separated fields, no header, '\n' line ends:
//   label (0/1), I1..I13 (decimal integers, possibly empty, I2 possibly negative),
//   C1..C26 (8 lowercase hex digits, possibly empty).
// Empty rates as in the real data: I1 45%, I3/I4/I13 20%, I6 22%, I10 45%, I12 77%, a few % on
// I5/I7/I9/I11; C19, C20, C25, C26 empty together on 44% of the rows, C22 76%, C6 12%, C3, C12,
// C21, C24 2-3%. A token is a bijective hash of (seed, field, value), so distinct values of a
// field never collide. Plus dir/teacher.tsv (synthetic.h).
//
// The teacher. Hidden users u (options.users, default 10,000, drawn per row by Zipf(0.7)) and
// items i (options.items, default 5,000, Zipf(0.9)), each with a latent vector, k = 4:
//   a_u ~ N(0, I_k),  b_i ~ N(0, 0.25 I_k),  taste(x) = 2 argmax_j |x_j| + [x_argmax < 0] (0..7).
// The fields are functions of them or drawn per row:
//   user fields  C3 = u, C4 = taste(a_u) (80%; else uniform), C12 = u / 8, C16 = u mod 50
//   item fields  C7 = i, C10 = taste(b_i) (80%; else uniform), C11 = i / 4, C13 = i / 16,
//                C21 = i mod 300
//   context      every other C field: Zipf over its own cardinality (C1 50, C2 200, C5 22, C6 6,
//                C8 28, C9 2, C14 15, C15 500, C17 9, C18 360, C19 120, C20 3, C22 5, C23 12,
//                C24 1000, C25 80, C26 1000), independent of each other and of u, i
//   integers     I_j = floor(exp(mu_j + sigma_j n)) + shift_j, n ~ N(0, 1)
// and the click logit is (every table drawn once per seed, "empty" is a state of its own):
//   z = kCriteoBias
//     + sum_f m_f[C_f]                        main effects, m_f ~ N(0, 0.3^2) (C4, C10: 0)
//     + sum_j w_j (log1p(max(I_j, 0)) - c_j)  w_j ~ N(0, 0.15^2), empty I_j contributes 0
//     + kCriteoInterest <a_u, b_i>            the user-interest component (seen via C4 x C10)
//     + kCriteoPair   (P1[C6, C17] + P2[C14, C23])        pairwise interactions
//     + kCriteoTriple  t9[C9] t20[C20] t22[C22]           a 3-way interaction
//   y ~ Bernoulli(sigmoid(z)).
// P1, P2 are N(0, 1) tables double-centred under the fields' distributions and scaled to unit
// variance; t9, t20, t22 are centred unit-variance factors (synthetic_common.h): none of them
// has a main effect, and the triple has no pairwise marginal either, so logistic regression
// cannot use them while a model with field interactions can.
// Measured (seed 1, 4,000 rows train / 2,000 test, tests/data/synthetic): positive rate 0.26,
// teacher AUC 0.89, LR over one-hot fields 0.64, LR + the planted crosses (C6xC17, C14xC23,
// C4xC10, C9xC20xC22) one-hot 0.75. Speed: 1M rows (~220 MB) in about 1.5 s on 2 cores.
#include <string>

#include "data/synthetic/synthetic.h"

namespace tg::data {

inline constexpr double kCriteoBias = -1.9;
inline constexpr double kCriteoInterest = 1.0;
inline constexpr double kCriteoPair = 1.0;
inline constexpr double kCriteoTriple = 1.0;
// The planted interactions as 0-based C-field indices (C1 = 0), for tests and docs.
inline constexpr int kCriteoPairFields[2][2] = {{5, 16}, {13, 22}};  // C6 x C17, C14 x C23
inline constexpr int kCriteoTripleFields[3] = {8, 19, 21};           // C9 x C20 x C22
inline constexpr int kCriteoInterestFields[2] = {3, 9};             // C4 (user taste) x C10 (item taste)

// Writes dir/train.txt (options.rows examples, default 100,000) and dir/teacher.tsv.
SyntheticReport write_synthetic_criteo(const std::string& dir, const SyntheticOptions& options = {});

}  // namespace tg::data
