#pragma once
// Helpers of the synthetic-data tests: a temporary directory, whole-file reads, a field
// splitter that keeps empty fields, the teacher file, and a one-hot logistic model trained
// with tapegrad (an embedding table of width 1 over all feature values, summed, ops::logloss,
// and a hand-written Adam loop on .grad) to measure how much of the planted structure a model
// without / with the interaction features can reach.
#include <unistd.h>

#include <algorithm>
#include <set>
#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/rng.h"
#include "data/metrics/metrics.h"
#include "ops/ops.h"
#include "tests/test_files.h"

namespace tg::testing {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() / fmt::format("tapegrad-synthetic-{}-{}", ::getpid(), n++);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline std::string slurp(const std::string& path) { return read_file(path); }

// Fields between separators, empty ones kept ("a,,b" -> {"a", "", "b"}).
inline std::vector<std::string_view> split(std::string_view line, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t at = line.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, at - start));
    start = at + sep.size();
  }
}

// The lines of a text that must end with '\n' (the last, empty piece is dropped).
inline std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out = split(text, "\n");
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

inline bool is_int(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         (s.size() == 1 || s[0] != '0');
}
inline bool is_hex8(std::string_view s) {
  return s.size() == 8 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
inline int64_t to_int(std::string_view s) { return std::stoll(std::string(s)); }

struct Teacher {
  std::vector<float> probability;
  std::vector<int> label;  // -1 for "-"
};
inline Teacher read_teacher(const std::string& path) {
  Teacher t;
  const std::string text = slurp(path);
  auto lines = lines_of(text);
  for (size_t r = 1; r < lines.size(); ++r) {
    auto f = split(lines[r], "\t");
    t.probability.push_back(std::stof(std::string(f.at(1))));
    t.label.push_back(f.at(2) == "-" ? -1 : static_cast<int>(to_int(f.at(2))));
  }
  return t;
}

// Feature rows: the one-hot features of an example as strings ("C6=3f2a0b11"). Features
// unseen in the training rows map to id 0, whose weight stays 0 (padding_idx).
struct Design {
  std::vector<std::vector<std::string>> rows;
  std::vector<float> labels;
};

struct TrainOptions {
  int epochs = 10;
  int64_t batch = 128;
  double lr = 0.02;
  double l2 = 1e-3;  // added to the gradient of the table (lambda w)
  uint64_t seed = 7;
};

// Trains LR on rows [0, n_train) of the design and returns the AUC on the rest.
inline double one_hot_lr_auc(const Design& d, int64_t n_train, const TrainOptions& o = {}) {
  const int64_t n = static_cast<int64_t>(d.rows.size());
  std::unordered_map<std::string, int64_t> dict;
  size_t width = 0;
  for (int64_t r = 0; r < n_train; ++r)
    for (const auto& f : d.rows[static_cast<size_t>(r)]) dict.emplace(f, static_cast<int64_t>(dict.size()) + 1);
  for (const auto& row : d.rows) width = std::max(width, row.size());
  std::vector<int64_t> ids(static_cast<size_t>(n) * width, 0);
  for (int64_t r = 0; r < n; ++r) {
    const auto& row = d.rows[static_cast<size_t>(r)];
    for (size_t j = 0; j < row.size(); ++j) {
      auto it = dict.find(row[j]);
      ids[static_cast<size_t>(r) * width + j] = it == dict.end() ? 0 : it->second;
    }
  }
  const int64_t vocab = static_cast<int64_t>(dict.size()) + 1;
  Tensor table = zeros({vocab, 1}).set_requires_grad();
  Tensor bias = zeros({1}).set_requires_grad();
  // Adam state for [table ; bias].
  std::vector<float> m(static_cast<size_t>(vocab + 1), 0), v(static_cast<size_t>(vocab + 1), 0);
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  int64_t step = 0;
  Generator gen(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(n_train));
  for (int64_t r = 0; r < n_train; ++r) order[static_cast<size_t>(r)] = r;
  std::vector<int64_t> batch_ids;
  std::vector<float> batch_y;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    for (int64_t r = n_train - 1; r > 0; --r) std::swap(order[static_cast<size_t>(r)], order[static_cast<size_t>(gen.next_below(r + 1))]);
    for (int64_t start = 0; start < n_train; start += o.batch) {
      const int64_t b = std::min(o.batch, n_train - start);
      batch_ids.assign(static_cast<size_t>(b) * width, 0);
      batch_y.resize(static_cast<size_t>(b));
      for (int64_t k = 0; k < b; ++k) {
        const int64_t r = order[static_cast<size_t>(start + k)];
        std::copy_n(ids.begin() + r * static_cast<int64_t>(width), width, batch_ids.begin() + k * static_cast<int64_t>(width));
        batch_y[static_cast<size_t>(k)] = d.labels[static_cast<size_t>(r)];
      }
      Tensor x = from_vector(batch_ids, {b, static_cast<int64_t>(width)});
      Tensor logits = ops::sum(ops::embedding(table, x, {.padding_idx = 0}), Shape{1, 2}) + bias;
      ops::logloss(logits, from_vector(batch_y, {b})).backward();
      ++step;
      const double c1 = 1 - std::pow(b1, static_cast<double>(step)), c2 = 1 - std::pow(b2, static_cast<double>(step));
      Tensor gt = table.grad().contiguous(), gb = bias.grad();
      const float* g = gt.data<float>();
      float* w = table.data<float>();
      for (int64_t i = 0; i <= vocab; ++i) {
        float& wi = i < vocab ? w[i] : *bias.data<float>();
        const double gi = (i < vocab ? g[i] + o.l2 * wi : gb.item());
        auto& mi = m[static_cast<size_t>(i)];
        auto& vi = v[static_cast<size_t>(i)];
        mi = static_cast<float>(b1 * mi + (1 - b1) * gi);
        vi = static_cast<float>(b2 * vi + (1 - b2) * gi * gi);
        wi -= static_cast<float>(o.lr * (mi / c1) / (std::sqrt(vi / c2) + eps));
      }
      w[0] = 0;  // the unknown/padding feature stays at zero
      table.zero_grad();
      bias.zero_grad();
    }
  }
  std::vector<float> scores, labels;
  const float* w = table.data<float>();
  for (int64_t r = n_train; r < n; ++r) {
    double s = bias.item();
    for (size_t j = 0; j < width; ++j) s += w[ids[static_cast<size_t>(r) * width + j]];
    scores.push_back(static_cast<float>(s));
    labels.push_back(d.labels[static_cast<size_t>(r)]);
  }
  return data::auc(scores, labels);
}

}  // namespace tg::testing
