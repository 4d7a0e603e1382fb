// Synthetic MovieLens: the 100K and 1M file formats read back by a small parser, both formats
// holding the same ratings, determinism, and the planted structure (teacher AUC; LR vs LR +
// the planted crosses; the clean like history predicts better than the noisy click history).
#include <doctest/doctest.h>

#include <map>
#include <tuple>

#include "data/synthetic/movielens_synthetic.h"
#include "tests/data/synthetic/synthetic_test_util.h"

using namespace tg;
using namespace tg::testing;

namespace {

const std::vector<std::string> kGenres = {"Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                          "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical",
                                          "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};
const std::vector<std::string> kOccupations = {
    "administrator", "artist", "doctor", "educator", "engineer", "entertainment", "executive",
    "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none", "other", "programmer",
    "retired", "salesman", "scientist", "student", "technician", "writer"};

struct MlUser {
  int age_code;  // ML-1M code
  std::string gender, occupation, zip;
};
struct MlMovie {
  int year;
  std::vector<int> genres;  // indices into kGenres, ascending
};
struct MlRating {
  int64_t user, item, rating, ts;
};
struct Ml {
  std::vector<MlUser> users;    // index = id - 1
  std::vector<MlMovie> movies;  // index = id - 1
  std::vector<MlRating> ratings;
};

int age_code(int64_t age) {
  return age < 18 ? 1 : age < 25 ? 18 : age < 35 ? 25 : age < 45 ? 35 : age < 50 ? 45 : age < 56 ? 50 : 56;
}

// "Title (1995)" -> 1995.
int year_of_title(std::string_view title) {
  REQUIRE(title.size() > 7);
  REQUIRE(title.substr(title.size() - 7, 2) == " (");
  REQUIRE(title.back() == ')');
  auto y = title.substr(title.size() - 5, 4);
  REQUIRE(is_int(y));
  return static_cast<int>(to_int(y));
}

std::vector<std::string_view> checked_lines(const std::string& text) {
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  CHECK(text.find('\r') == std::string::npos);
  return lines_of(text);
}

Ml parse_100k(const TempDir& dir) {
  Ml ml;
  const std::string users = slurp(dir / "u.user"), items = slurp(dir / "u.item"), data = slurp(dir / "u.data");
  for (auto line : checked_lines(users)) {
    auto f = split(line, "|");
    REQUIRE(f.size() == 5);
    REQUIRE(to_int(f[0]) == static_cast<int64_t>(ml.users.size()) + 1);
    REQUIRE(is_int(f[1]));
    const int64_t age = to_int(f[1]);
    REQUIRE((age >= 7 && age <= 73));
    REQUIRE((f[2] == "M" || f[2] == "F"));
    REQUIRE(std::count(kOccupations.begin(), kOccupations.end(), std::string(f[3])) == 1);
    REQUIRE(f[4].size() == 5);
    REQUIRE(std::all_of(f[4].begin(), f[4].end(), [](char c) { return c >= '0' && c <= '9'; }));
    ml.users.push_back({age_code(age), std::string(f[2]), std::string(f[3]), std::string(f[4])});
  }
  for (auto line : checked_lines(items)) {
    auto f = split(line, "|");
    REQUIRE(f.size() == 24);
    REQUIRE(to_int(f[0]) == static_cast<int64_t>(ml.movies.size()) + 1);
    const int year = year_of_title(f[1]);
    // release date dd-Mon-yyyy of the same year, empty video release date, a URL
    REQUIRE(f[2].size() == 11);
    REQUIRE(f[2].substr(7) == std::to_string(year));
    REQUIRE(f[3].empty());
    REQUIRE(f[4].substr(0, 7) == "http://");
    REQUIRE(f[5] == "0");  // "unknown"
    MlMovie m{year, {}};
    for (int g = 0; g < 18; ++g) {
      REQUIRE((f[static_cast<size_t>(6 + g)] == "0" || f[static_cast<size_t>(6 + g)] == "1"));
      if (f[static_cast<size_t>(6 + g)] == "1") m.genres.push_back(g);
    }
    REQUIRE(!m.genres.empty());
    ml.movies.push_back(m);
  }
  int64_t last_ts = 0;
  for (auto line : checked_lines(data)) {
    auto f = split(line, "\t");
    REQUIRE(f.size() == 4);
    for (auto& x : f) REQUIRE(is_int(x));
    MlRating r{to_int(f[0]), to_int(f[1]), to_int(f[2]), to_int(f[3])};
    REQUIRE((r.user >= 1 && r.user <= static_cast<int64_t>(ml.users.size())));
    REQUIRE((r.item >= 1 && r.item <= static_cast<int64_t>(ml.movies.size())));
    REQUIRE((r.rating >= 1 && r.rating <= 5));
    REQUIRE(r.ts >= last_ts);  // u.data in time order
    last_ts = r.ts;
    ml.ratings.push_back(r);
  }
  return ml;
}

Ml parse_1m(const TempDir& dir) {
  Ml ml;
  const std::string users = slurp(dir / "users.dat"), movies = slurp(dir / "movies.dat"),
                    ratings = slurp(dir / "ratings.dat");
  for (auto line : checked_lines(users)) {
    auto f = split(line, "::");
    REQUIRE(f.size() == 5);
    REQUIRE(to_int(f[0]) == static_cast<int64_t>(ml.users.size()) + 1);
    REQUIRE((f[1] == "M" || f[1] == "F"));
    const int64_t code = to_int(f[2]);
    REQUIRE(std::set<int64_t>{1, 18, 25, 35, 45, 50, 56}.count(code) == 1);
    const int64_t occ = to_int(f[3]);
    REQUIRE((occ >= 0 && occ <= 20));
    REQUIRE(f[4].size() == 5);
    ml.users.push_back({static_cast<int>(code), std::string(f[1]), kOccupations[static_cast<size_t>(occ)], std::string(f[4])});
  }
  for (auto line : checked_lines(movies)) {
    auto f = split(line, "::");
    REQUIRE(f.size() == 3);
    REQUIRE(to_int(f[0]) == static_cast<int64_t>(ml.movies.size()) + 1);
    MlMovie m{year_of_title(f[1]), {}};
    for (auto g : split(f[2], "|")) {
      auto it = std::find(kGenres.begin(), kGenres.end(), std::string(g));
      REQUIRE(it != kGenres.end());
      const int index = static_cast<int>(it - kGenres.begin());
      REQUIRE((m.genres.empty() || index > m.genres.back()));  // canonical order, no repeats
      m.genres.push_back(index);
    }
    ml.movies.push_back(m);
  }
  MlRating last{0, 0, 0, 0};
  for (auto line : checked_lines(ratings)) {
    auto f = split(line, "::");
    REQUIRE(f.size() == 4);
    for (auto& x : f) REQUIRE(is_int(x));
    MlRating r{to_int(f[0]), to_int(f[1]), to_int(f[2]), to_int(f[3])};
    REQUIRE((r.rating >= 1 && r.rating <= 5));
    REQUIRE((r.user > last.user || (r.user == last.user && r.ts >= last.ts)));  // grouped by user, in time order
    last = r;
    ml.ratings.push_back(r);
  }
  return ml;
}

int decade_of(int year) { return year < 1970 ? 0 : year < 1980 ? 1 : year < 1990 ? 2 : year < 1995 ? 3 : 4; }

}  // namespace

TEST_CASE("synthetic movielens 100K: u.data, u.user, u.item, u.genre, u.occupation, u.info") {
  TempDir dir;
  auto report = data::write_synthetic_movielens(dir.str(), {.seed = 4, .rows = 3000, .users = 100, .items = 150});
  CHECK(report.files == std::vector<std::string>{dir / "u.data", dir / "u.user", dir / "u.item", dir / "u.genre",
                                                 dir / "u.occupation", dir / "u.info", dir / "teacher.tsv"});
  Ml ml = parse_100k(dir);
  CHECK(ml.users.size() == 100);
  CHECK(ml.movies.size() == 150);
  CHECK(ml.ratings.size() == 3000);
  CHECK(report.rows == 3000);
  CHECK(slurp(dir / "u.info") == "100 users\n150 items\n3000 ratings\n");
  const std::string genre = slurp(dir / "u.genre");
  CHECK(genre.substr(0, 19) == "unknown|0\nAction|1\n");
  CHECK(genre.substr(genre.size() - 12) == "Western|18\n\n");
  CHECK(lines_of(slurp(dir / "u.occupation")).size() == 21);
  // Each user rates a movie at most once; every rating value occurs, 3s at about 15%.
  std::set<std::pair<int64_t, int64_t>> pairs;
  std::map<int64_t, int64_t> values;
  for (const auto& r : ml.ratings) pairs.insert({r.user, r.item}), ++values[r.rating];
  CHECK(pairs.size() == ml.ratings.size());
  CHECK(values.size() == 5);
  CHECK(static_cast<double>(values[3]) / 3000 == doctest::Approx(0.15).epsilon(0.2));
  auto t = read_teacher(dir / "teacher.tsv");
  REQUIRE(t.label.size() == ml.ratings.size());
  for (size_t r = 0; r < ml.ratings.size(); ++r) {
    const int64_t v = ml.ratings[r].rating;
    REQUIRE(t.label[r] == (v == 3 ? -1 : v >= 4 ? 1 : 0));
  }
}

TEST_CASE("synthetic movielens 1M: users.dat, movies.dat, ratings.dat hold the 100K data") {
  TempDir k100, m1;
  const data::SyntheticOptions o{.seed = 4, .rows = 3000, .users = 100, .items = 150};
  data::write_synthetic_movielens(k100.str(), o, data::MovieLensFormat::K100);
  auto report = data::write_synthetic_movielens(m1.str(), o, data::MovieLensFormat::M1);
  CHECK(report.files == std::vector<std::string>{m1 / "ratings.dat", m1 / "users.dat", m1 / "movies.dat", m1 / "teacher.tsv"});
  Ml a = parse_100k(k100), b = parse_1m(m1);
  REQUIRE(a.users.size() == b.users.size());
  for (size_t u = 0; u < a.users.size(); ++u) {
    CHECK(a.users[u].age_code == b.users[u].age_code);
    CHECK(a.users[u].gender == b.users[u].gender);
    CHECK(a.users[u].occupation == b.users[u].occupation);
    CHECK(a.users[u].zip == b.users[u].zip);
  }
  REQUIRE(a.movies.size() == b.movies.size());
  for (size_t i = 0; i < a.movies.size(); ++i) {
    CHECK(a.movies[i].year == b.movies[i].year);
    CHECK(a.movies[i].genres == b.movies[i].genres);
  }
  // The same (user, movie, rating) triples; the 1M files use the 1M time range.
  std::multiset<std::tuple<int64_t, int64_t, int64_t>> ra, rb;
  for (const auto& r : a.ratings) ra.insert({r.user, r.item, r.rating});
  bool m1_times = true;
  for (const auto& r : b.ratings) rb.insert({r.user, r.item, r.rating}), m1_times = m1_times && r.ts > 956000000;
  CHECK(m1_times);
  CHECK(ra == rb);
}

TEST_CASE("synthetic movielens: same seed gives identical bytes, another seed other bytes") {
  TempDir a, b, c;
  data::SyntheticOptions o{.seed = 21, .rows = 2000, .users = 50, .items = 100};
  data::write_synthetic_movielens(a.str(), o);
  data::write_synthetic_movielens(b.str(), o);
  o.seed = 22;
  data::write_synthetic_movielens(c.str(), o);
  for (const char* f : {"u.data", "u.user", "u.item", "teacher.tsv"}) CHECK(slurp(a / f) == slurp(b / f));
  CHECK(slurp(a / "u.data") != slurp(c / "u.data"));
  CHECK(slurp(a / "u.user") != slurp(c / "u.user"));
  CHECK_THROWS_WITH_AS(data::write_synthetic_movielens(a.str(), {.rows = 1000, .users = 2, .items = 100}),
                       doctest::Contains("1000 ratings do not fit 2 users"), Error);
}

TEST_CASE("synthetic movielens: planted interactions, and likes predict better than clicks") {
  TempDir dir;
  auto report = data::write_synthetic_movielens(dir.str(), {.seed = 1, .rows = 6000, .users = 200, .items = 300});
  Ml ml = parse_100k(dir);
  auto t = read_teacher(dir / "teacher.tsv");
  // Samples: ratings other than 3, label rating >= 4. History proxies, per sample, from the
  // user's earlier ratings (u.data is in time order): the share of the user's earlier LIKED
  // movies (>= 4) whose first genre is the target's, and the same over every earlier rating.
  std::map<int64_t, std::vector<int64_t>> liked, clicked;
  Design lr, cross;
  std::vector<float> teacher_p, like_score, click_score, labels;
  auto share = [&](const std::vector<int64_t>& hist, int g1) {
    if (hist.empty()) return 0.5f;
    size_t from = hist.size() > 5 ? hist.size() - 5 : 0, same = 0;
    for (size_t h = from; h < hist.size(); ++h) same += ml.movies[static_cast<size_t>(hist[h] - 1)].genres[0] / 2 == g1 / 2;
    return static_cast<float>(same) / static_cast<float>(hist.size() - from);
  };
  for (size_t r = 0; r < ml.ratings.size(); ++r) {
    const auto& x = ml.ratings[r];
    const auto& user = ml.users[static_cast<size_t>(x.user - 1)];
    const auto& movie = ml.movies[static_cast<size_t>(x.item - 1)];
    if (x.rating != 3) {
      std::vector<std::string> f = {fmt::format("u={}", x.user), fmt::format("i={}", x.item), "g=" + user.gender,
                                    fmt::format("a={}", user.age_code), "o=" + user.occupation,
                                    "z=" + user.zip.substr(0, 3), fmt::format("y={}", decade_of(movie.year))};
      for (int g : movie.genres) f.push_back(fmt::format("genre={}", g));
      lr.rows.push_back(f);
      f.push_back(fmt::format("P={}|{}", user.age_code, movie.genres[0]));
      f.push_back(fmt::format("T={}|{}|{}", user.gender, user.age_code, decade_of(movie.year)));
      cross.rows.push_back(f);
      labels.push_back(x.rating >= 4 ? 1.0f : 0.0f);
      teacher_p.push_back(t.probability[r]);
      like_score.push_back(share(liked[x.user], movie.genres[0]));
      click_score.push_back(share(clicked[x.user], movie.genres[0]));
    }
    clicked[x.user].push_back(x.item);
    if (x.rating >= 4) liked[x.user].push_back(x.item);
  }
  // A seeded shuffle of the samples, 2/3 train and 1/3 test.
  Generator gen(6);
  const size_t n = labels.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n - 1; i > 0; --i) std::swap(order[i], order[static_cast<size_t>(gen.next_below(static_cast<int64_t>(i) + 1))]);
  Design lr_s, cross_s;
  std::vector<float> p_test, y_test;
  for (size_t k = 0; k < n; ++k) {
    lr_s.rows.push_back(lr.rows[order[k]]), cross_s.rows.push_back(cross.rows[order[k]]);
    lr_s.labels.push_back(labels[order[k]]), cross_s.labels.push_back(labels[order[k]]);
    if (k >= 2 * n / 3) p_test.push_back(teacher_p[order[k]]), y_test.push_back(labels[order[k]]);
  }
  const int64_t n_train = static_cast<int64_t>(2 * n / 3);
  const double teacher = data::auc(p_test, y_test);
  const double auc_lr = one_hot_lr_auc(lr_s, n_train), auc_cross = one_hot_lr_auc(cross_s, n_train);
  const double auc_like = data::auc(like_score, labels), auc_click = data::auc(click_score, labels);
  MESSAGE(fmt::format("movielens: {} samples, positive rate {:.3f}, teacher AUC {:.4f} (all {:.4f}), LR {:.4f}, "
                      "LR + crosses {:.4f}; taste match with the liked history {:.4f}, with the click history {:.4f}",
                      n, report.positive_rate, teacher, report.teacher_auc, auc_lr, auc_cross, auc_like, auc_click));
  CHECK(teacher > 0.8);
  CHECK(auc_cross > auc_lr + 0.03);
  CHECK(teacher > auc_cross);
  CHECK(auc_like > 0.55);
  CHECK(auc_like > auc_click + 0.01);
}
