#pragma once
// Synthetic data: the built-in default of the apps, the README demo and the tests (nothing
// needs a download). For each real format there is a seeded generator that writes files in
// exactly that format (the same columns, separators, header lines and value syntax as the
// files in ../shared/data), drawn from a hidden "teacher" with the structure the four models
// are built to find:
//   - pairwise and 3-way field interactions with no main effect, so a model with interactions
//     beats logistic regression by a clear margin: tests/data/synthetic asks, for every
//     generator, one-hot LR + the planted crosses >= one-hot LR + 0.03 AUC on held-out rows
//     (measured 0.05 - 0.15),
//   - a user-interest component: a latent user vector shared by the user's rows, visible
//     through the user fields (IARM's interest layer),
//   - target-item affinity with the items in the behaviour sequence (QIN, DIN, EAIN),
//   - noisy implicit vs clean explicit feedback (DUMN: clicks/views are noisy, likes and
//     dislikes follow the true preference).
// The generators and their teachers (each header states its formula and measured AUCs):
//   data/synthetic/criteo_synthetic.h     Criteo Kaggle train.txt (TSV)
//   data/synthetic/avazu_synthetic.h      Avazu train CSV
//   data/synthetic/movielens_synthetic.h  MovieLens-100K (u.data, u.user, u.item) and 1M (.dat)
//   data/synthetic/taobao_synthetic.h     Taobao display ads: FuxiCTR CSV, DMR, raw Tianchi CSVs
// Every generator also writes teacher.tsv next to the data (unless told not to): a header
// "row\tprobability\tlabel", then one line per example of the main data file, in file order
// (row 0 = the first example line): the teacher's click probability and the label it drew
// ("-" for a line that is not an example, a MovieLens rating of 3). The teacher's AUC on its
// own labels is the Bayes-optimal AUC a model can approach.
// Same seed and options -> byte-identical files, whatever the thread count; the files are
// written through temporaries renamed into place.
#include <cstdint>
#include <string>
#include <vector>

namespace tg::data {

struct SyntheticOptions {
  uint64_t seed = 1;
  int64_t rows = 0;   // examples in the main file; 0: the format's default
  int64_t users = 0;  // hidden users; 0: the format's default
  int64_t items = 0;  // items / ads / placements; 0: the format's default
  bool teacher_file = true;  // also write teacher.tsv
};

struct SyntheticReport {
  int64_t rows = 0;            // example lines written (MovieLens: ratings, 3s included)
  double positive_rate = 0;    // among the examples with a label
  double teacher_auc = 0;      // AUC of the teacher's probability on its own labels
  std::vector<std::string> files;  // every file written, data first
};

}  // namespace tg::data
