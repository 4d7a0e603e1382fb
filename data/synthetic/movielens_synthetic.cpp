#include "data/synthetic/movielens_synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"

namespace tg::data {

namespace {
constexpr int K = 4;
const char* const kOccupations[] = {"administrator", "artist", "doctor", "educator", "engineer", "entertainment",
                                    "executive", "healthcare", "homemaker", "lawyer", "librarian", "marketing",
                                    "none", "other", "programmer", "retired", "salesman", "scientist", "student",
                                    "technician", "writer"};
constexpr int kNumOccupations = 21;

double normal(Generator& g) {
  // Box-Muller from two uniforms (deterministic given the generator state).
  double u1 = std::max(g.next_double(), 1e-300), u2 = g.next_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}
}  // namespace

void write_synthetic_movielens(const std::string& dir, const SyntheticMovieLensOptions& o) {
  check(o.users >= 2 && o.items >= 10 && o.ratings_per_user >= 5,
        "write_synthetic_movielens: need at least 2 users, 10 items and 5 ratings per user");
  std::filesystem::create_directories(dir);
  Generator g(o.seed);

  // Users.
  std::vector<std::array<double, K>> a(static_cast<size_t>(o.users));
  std::vector<int> age(static_cast<size_t>(o.users));
  std::vector<char> gender(static_cast<size_t>(o.users));
  std::string users;
  for (int64_t u = 0; u < o.users; ++u) {
    auto& au = a[static_cast<size_t>(u)];
    for (auto& v : au) v = normal(g);
    const int c = static_cast<int>(std::max_element(au.begin(), au.end()) - au.begin());
    const bool typical = g.next_double() < 0.7;
    gender[static_cast<size_t>(u)] = (typical ? c % 2 == 0 : g.next_below(2) == 0) ? 'F' : 'M';
    const int band = typical ? c : static_cast<int>(g.next_below(K));
    age[static_cast<size_t>(u)] = 16 + band * 12 + static_cast<int>(g.next_below(10));
    const int occ = typical ? (c * 5) % kNumOccupations : static_cast<int>(g.next_below(kNumOccupations));
    users += fmt::format("{}|{}|{}|{}|{:05d}\n", u + 1, age[static_cast<size_t>(u)], gender[static_cast<size_t>(u)],
                         kOccupations[occ], static_cast<int>(g.next_below(100000)));
  }

  // Items.
  std::vector<std::array<double, K>> b(static_cast<size_t>(o.items));
  std::vector<std::array<int, 19>> genres(static_cast<size_t>(o.items));
  std::string items;
  for (int64_t i = 0; i < o.items; ++i) {
    auto& bi = b[static_cast<size_t>(i)];
    auto& gi = genres[static_cast<size_t>(i)];
    gi.fill(0);
    for (auto& v : bi) v = normal(g);
    int count = 0;
    for (int j = 0; j < K; ++j)
      if (bi[static_cast<size_t>(j)] > 0.8 && count < 4) gi[static_cast<size_t>(2 * j + 1 + (count % 2))] = 1, ++count;
    gi[static_cast<size_t>(g.next_below(19))] = 1;
    const int year = 1950 + static_cast<int>(g.next_below(49));
    items += fmt::format("{}|Synthetic movie {} ({})|01-Jan-{}||http://example.invalid/{}", i + 1, i + 1, year, year, i + 1);
    for (int f : gi) items += fmt::format("|{}", f);
    items += "\n";
  }

  // Ratings: each user's sequence spread over the whole period, then all sorted by time.
  struct Out {
    int64_t ts;
    int64_t user, item;
    int rating;
    double p;
  };
  std::vector<Out> out;
  const int64_t t0 = 880000000, span = 20000000;
  std::vector<double> weight(static_cast<size_t>(o.items));
  for (int64_t u = 0; u < o.users; ++u) {
    const auto& au = a[static_cast<size_t>(u)];
    for (int64_t i = 0; i < o.items; ++i) {
      double dot = 0;
      for (int j = 0; j < K; ++j) dot += au[static_cast<size_t>(j)] * b[static_cast<size_t>(i)][static_cast<size_t>(j)];
      weight[static_cast<size_t>(i)] = std::exp(1.0 * std::clamp(dot, -6.0, 6.0));
    }
    double total = std::accumulate(weight.begin(), weight.end(), 0.0);
    const int64_t n = 20 + g.next_below(std::max<int64_t>(1, 2 * o.ratings_per_user - 20));
    std::vector<int64_t> times(static_cast<size_t>(n));
    for (auto& t : times) t = t0 + g.next_below(span);
    std::sort(times.begin(), times.end());
    std::vector<int64_t> history;
    std::vector<char> rated(static_cast<size_t>(o.items), 0);
    for (int64_t k = 0; k < n; ++k) {
      // Draw an unrated item proportional to its weight.
      int64_t item = 0;
      for (int attempt = 0; attempt < 50; ++attempt) {
        double x = g.next_double() * total;
        item = 0;
        while (item + 1 < o.items && x >= weight[static_cast<size_t>(item)]) x -= weight[static_cast<size_t>(item++)];
        if (!rated[static_cast<size_t>(item)]) break;
      }
      if (rated[static_cast<size_t>(item)]) continue;
      rated[static_cast<size_t>(item)] = 1;
      const auto& bi = b[static_cast<size_t>(item)];
      double dot = 0;
      for (int j = 0; j < K; ++j) dot += au[static_cast<size_t>(j)] * bi[static_cast<size_t>(j)];
      double affinity = 0;
      if (!history.empty()) {
        std::array<double, K> mean{};
        const size_t from = history.size() > 5 ? history.size() - 5 : 0;
        for (size_t h = from; h < history.size(); ++h)
          for (int j = 0; j < K; ++j) mean[static_cast<size_t>(j)] += b[static_cast<size_t>(history[h])][static_cast<size_t>(j)];
        double mb = 0, mm = 0, bb = 0;
        for (int j = 0; j < K; ++j)
          mb += mean[static_cast<size_t>(j)] * bi[static_cast<size_t>(j)], mm += mean[static_cast<size_t>(j)] * mean[static_cast<size_t>(j)],
              bb += bi[static_cast<size_t>(j)] * bi[static_cast<size_t>(j)];
        affinity = mb / (std::sqrt(mm * bb) + 1e-9);
      }
      const double three_way = (gender[static_cast<size_t>(u)] == 'F' && genres[static_cast<size_t>(item)][0] == 1 &&
                                age[static_cast<size_t>(u)] < 35) ? 1.0 : 0.0;
      const double z = 2.0 * dot + 1.0 * affinity + 1.0 * three_way - 3.2;
      const double p = 1.0 / (1.0 + std::exp(-z));
      const bool y = g.next_double() < p;
      int rating = y ? 4 + static_cast<int>(g.next_below(2)) : 1 + static_cast<int>(g.next_below(2));
      if (g.next_double() < 0.15) rating = 3;
      out.push_back({times[static_cast<size_t>(k)], u + 1, item + 1, rating, p});
      history.push_back(item);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Out& x, const Out& y) { return x.ts < y.ts; });
  std::string data, teacher = "row\tprobability\n";
  for (size_t r = 0; r < out.size(); ++r) {
    data += fmt::format("{}\t{}\t{}\t{}\n", out[r].user, out[r].item, out[r].rating, out[r].ts);
    teacher += fmt::format("{}\t{:.6f}\n", r, out[r].p);
  }
  write_file_atomically(dir + "/u.user", users);
  write_file_atomically(dir + "/u.item", items);
  write_file_atomically(dir + "/u.data", data);
  write_file_atomically(dir + "/teacher.tsv", teacher);
}

}  // namespace tg::data
