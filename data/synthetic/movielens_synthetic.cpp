#include "data/synthetic/movielens_synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"
#include "data/synthetic/synthetic_common.h"

namespace tg::data {

namespace {

using synth::Rng;

constexpr int K = 4;
constexpr int kTastes = 2 * K;
constexpr int kGenres = 18;
constexpr int kBands = 7;
constexpr int kDecades = 5;
constexpr int kOccupations = 21;
constexpr double kNoiseDraw = 0.25;   // share of popularity (taste-free) item draws
constexpr double kThreeRate = 0.15;   // ratings overwritten with 3
constexpr double kChoiceScale = 1.0;  // item choice ~ exp(kChoiceScale <a_u, b_i>)
// Item vectors as wide as the users': with b_i ~ N(0, 0.25 I) the interest term was too weak
// for a model to find it in ~60 ratings per user (the README model reached test AUC 0.61).
constexpr double kItemScale = 1.0;
constexpr double kTypicalUser = 0.7;  // users whose fields follow their taste
constexpr int kLikedWindow = 5;

const char* const kOccupationNames[kOccupations] = {
    "administrator", "artist", "doctor", "educator", "engineer", "entertainment", "executive",
    "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none", "other", "programmer",
    "retired", "salesman", "scientist", "student", "technician", "writer"};
// ML-1M genres in their canonical order; u.item's flags are "unknown" then these.
const char* const kGenreNames[kGenres] = {"Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                          "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical",
                                          "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};
// ML-1M's age bands (shares of users), and each band's raw ages for u.user.
constexpr std::array<double, kBands> kBandShare = {0.04, 0.18, 0.35, 0.20, 0.08, 0.08, 0.07};
constexpr int kBandLow[kBands] = {7, 18, 25, 35, 45, 50, 56}, kBandHigh[kBands] = {17, 24, 34, 44, 49, 55, 73};
const char* const kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int decade_of(int year) { return year < 1970 ? 0 : year < 1980 ? 1 : year < 1990 ? 2 : year < 1995 ? 3 : 4; }

struct World {
  int64_t users, items;
  std::vector<double> a, b, quality;
  std::vector<uint8_t> female, band, occupation, first_genre, decade;
  std::vector<int32_t> zip, year, count;
  std::vector<uint32_t> genres;  // bit g: genre g
  synth::Alias popular;
  std::vector<double> pair, t_gender, t_band, t_decade;
};

World make_world(const SyntheticOptions& o) {
  World w;
  w.users = o.users, w.items = o.items;
  Rng rng(o.seed, synth::kWorldStream);
  w.a.resize(static_cast<size_t>(w.users * K));
  w.b.resize(static_cast<size_t>(w.items * K));
  for (double& x : w.a) x = rng.normal();
  for (double& x : w.b) x = kItemScale * rng.normal();
  const synth::Alias band_pick(kBandShare);
  for (int64_t u = 0; u < w.users; ++u) {
    const int t = synth::taste_of(&w.a[static_cast<size_t>(u * K)], K);
    const bool typical = rng.coin(kTypicalUser);
    w.female.push_back(typical ? t % 2 == 0 : rng.coin(0.28));
    w.band.push_back(static_cast<uint8_t>(typical ? kTasteAge[t] : band_pick.sample(rng)));
    w.occupation.push_back(static_cast<uint8_t>(typical ? (3 * t + rng.below(3)) % kOccupations : rng.below(kOccupations)));
    w.zip.push_back(static_cast<int32_t>(rng.below(100000)));
  }
  for (int64_t i = 0; i < w.items; ++i) {
    w.quality.push_back(0.4 * rng.normal());
    const int g1 = rng.coin(0.8) ? 2 * synth::taste_of(&w.b[static_cast<size_t>(i * K)], K) + static_cast<int>(rng.below(2))
                                 : static_cast<int>(rng.below(kGenres));
    uint32_t set = 1u << g1;
    const double c = rng.uniform();
    const int more = c < 0.4 ? 0 : c < 0.8 ? 1 : 2;
    for (int m = 0; m < more && g1 + 1 < kGenres; ++m) set |= 1u << (g1 + 1 + rng.below(kGenres - 1 - g1));
    w.first_genre.push_back(static_cast<uint8_t>(g1));
    w.genres.push_back(set);
    const int year = std::max(1919, 1998 - static_cast<int>(std::abs(rng.normal()) * 12));
    w.year.push_back(year);
    w.decade.push_back(static_cast<uint8_t>(decade_of(year)));
  }
  synth::center(w.quality, std::vector<double>(static_cast<size_t>(w.items), 1.0));
  w.popular = synth::Alias(synth::zipf_weights(w.items, 0.8));
  // Ratings per user: proportional to 0.3 + uniform, summing to rows, at most items / 2.
  w.count = synth::rows_per_user(rng, o.rows, w.users, 0.3);
  for (auto& c : w.count) c = std::min<int32_t>(c, static_cast<int32_t>(w.items / 2));
  // Interaction tables, centred under the fields' empirical marginals.
  std::vector<double> gender_w(2, 1e-9), band_w(kBands, 1e-9), genre_w(kGenres, 1e-9), decade_w(kDecades, 1e-9);
  for (int64_t u = 0; u < w.users; ++u) {
    gender_w[w.female[static_cast<size_t>(u)]] += w.count[static_cast<size_t>(u)];
    band_w[w.band[static_cast<size_t>(u)]] += w.count[static_cast<size_t>(u)];
  }
  for (int64_t i = 0; i < w.items; ++i) genre_w[w.first_genre[static_cast<size_t>(i)]] += 1, decade_w[w.decade[static_cast<size_t>(i)]] += 1;
  w.pair = synth::centered_pair(rng, band_w, genre_w);
  w.t_gender = synth::centered_factor(rng, gender_w);
  w.t_band = synth::centered_factor(rng, band_w);
  w.t_decade = synth::centered_factor(rng, decade_w);
  return w;
}

struct Rating {
  int64_t ts;
  int32_t user, item;
  int8_t rating, label;
  float p;
};

// One user's ratings in time order (its own random stream).
void rate(const World& w, const SyntheticOptions& o, int64_t u, int64_t t0, int64_t span, std::vector<char>& rated,
          std::vector<double>& weight, std::vector<Rating>& out) {
  Rng rng(o.seed, synth::kUserStream + static_cast<uint64_t>(u));
  const double* au = &w.a[static_cast<size_t>(u * K)];
  for (int64_t i = 0; i < w.items; ++i)
    weight[static_cast<size_t>(i)] = std::exp(kChoiceScale * std::clamp(synth::dot(au, &w.b[static_cast<size_t>(i * K)], K), -6.0, 6.0));
  const synth::Alias interest(weight);
  const int64_t n = w.count[static_cast<size_t>(u)];
  std::vector<int64_t> times(static_cast<size_t>(n));
  for (auto& t : times) t = t0 + rng.below(span);
  std::sort(times.begin(), times.end());
  std::vector<int32_t> liked;
  for (int64_t k = 0; k < n; ++k) {
    int64_t item = -1;
    for (int attempt = 0; attempt < 64 && item < 0; ++attempt) {
      const int64_t c = rng.coin(kNoiseDraw) ? w.popular.sample(rng) : interest.sample(rng);
      if (!rated[static_cast<size_t>(c)]) item = c;
    }
    if (item < 0) {  // a user with most items rated: the next unrated one from a random start
      item = rng.below(w.items);
      while (rated[static_cast<size_t>(item)]) item = (item + 1) % w.items;
    }
    rated[static_cast<size_t>(item)] = 1;
    const double* bi = &w.b[static_cast<size_t>(item * K)];
    double affinity = 0;
    if (!liked.empty()) {
      double mean[K] = {};
      const size_t from = liked.size() > kLikedWindow ? liked.size() - kLikedWindow : 0;
      for (size_t h = from; h < liked.size(); ++h)
        for (int j = 0; j < K; ++j) mean[j] += w.b[static_cast<size_t>(liked[h]) * K + static_cast<size_t>(j)];
      affinity = synth::dot(mean, bi, K) / (std::sqrt(synth::dot(mean, mean, K) * synth::dot(bi, bi, K)) + 1e-12);
    }
    const size_t su = static_cast<size_t>(u), si = static_cast<size_t>(item);
    const int band = w.band[su];
    double z = kMovieLensBias + w.quality[si] + kMovieLensInterest * synth::dot(au, bi, K) + kMovieLensHistory * affinity;
    z += kMovieLensPair * w.pair[static_cast<size_t>(band * kGenres + w.first_genre[si])];
    z += kMovieLensTriple * w.t_gender[w.female[su]] * w.t_band[static_cast<size_t>(band)] * w.t_decade[w.decade[si]];
    const double p = synth::sigmoid(z);
    const bool y = rng.coin(p);
    int rating = y ? 4 + static_cast<int>(rng.below(2)) : 1 + static_cast<int>(rng.below(2));
    if (rng.coin(kThreeRate)) rating = 3;
    if (rating >= 4) liked.push_back(static_cast<int32_t>(item));
    out.push_back({times[static_cast<size_t>(k)], static_cast<int32_t>(u), static_cast<int32_t>(item),
                   static_cast<int8_t>(rating), static_cast<int8_t>(rating == 3 ? -1 : y ? 1 : 0), static_cast<float>(p)});
  }
  for (const Rating& r : out) rated[static_cast<size_t>(r.item)] = 0;
}

std::string users_file(const World& w, MovieLensFormat format, uint64_t seed) {
  std::string text;
  for (int64_t u = 0; u < w.users; ++u) {
    const size_t su = static_cast<size_t>(u);
    const int band = w.band[su];
    const char gender = w.female[su] ? 'F' : 'M';
    const int zip = w.zip[su];
    if (format == MovieLensFormat::M1) {
      text += fmt::format("{}::{}::{}::{}::{:05d}\n", u + 1, gender, kMovieLensAgeCodes[band], w.occupation[su], zip);
    } else {
      // The raw age inside the band: a fixed function of (seed, user), no extra random draws.
      const uint32_t h = synth::mix32(static_cast<uint32_t>(u) ^ static_cast<uint32_t>(seed * 0x9E3779B9u));
      const int age = kBandLow[band] + static_cast<int>(h % static_cast<uint32_t>(kBandHigh[band] - kBandLow[band] + 1));
      text += fmt::format("{}|{}|{}|{}|{:05d}\n", u + 1, age, gender, kOccupationNames[w.occupation[su]], zip);
    }
  }
  return text;
}

std::string items_file(const World& w, MovieLensFormat format) {
  std::string text;
  for (int64_t i = 0; i < w.items; ++i) {
    const size_t si = static_cast<size_t>(i);
    const int year = w.year[si];
    if (format == MovieLensFormat::M1) {
      text += fmt::format("{}::Synthetic Movie {} ({})::", i + 1, i + 1, year);
      bool first = true;
      for (int g = 0; g < kGenres; ++g)
        if (w.genres[si] >> g & 1u) {
          if (!first) text += '|';
          text += kGenreNames[g];
          first = false;
        }
      text += '\n';
    } else {
      text += fmt::format("{}|Synthetic Movie {} ({})|01-{}-{}||http://us.imdb.com/M/title-exact?Synthetic%20Movie%20{}%20({})|0",
                          i + 1, i + 1, year, kMonths[i % 12], year, i + 1, year);
      for (int g = 0; g < kGenres; ++g) text += (w.genres[si] >> g & 1u) ? "|1" : "|0";
      text += '\n';
    }
  }
  return text;
}

}  // namespace

SyntheticReport write_synthetic_movielens(const std::string& dir, const SyntheticOptions& options,
                                          MovieLensFormat format) {
  synth::prepare(dir, options, "write_synthetic_movielens");
  SyntheticOptions o = options;
  if (o.users == 0) o.users = 600;
  if (o.items == 0) o.items = 800;
  if (o.rows == 0) o.rows = 36'000;
  check(o.users >= 2 && o.items >= 20, "write_synthetic_movielens: need at least 2 users and 20 movies, got {} and {}",
        o.users, o.items);
  check(o.users < (int64_t{1} << 31) && o.items < (int64_t{1} << 31), "write_synthetic_movielens: too many users or movies");
  check(o.rows <= o.users * (o.items / 2),
        "write_synthetic_movielens: {} ratings do not fit {} users rating at most half of {} movies", o.rows, o.users,
        o.items);
  const World w = make_world(o);
  const bool m1 = format == MovieLensFormat::M1;
  const int64_t t0 = m1 ? 956703932 : 874724710, span = m1 ? 89750000 : 18560000;

  // Users in parallel, each from its own stream; every worker reuses its scratch buffers.
  std::vector<std::vector<Rating>> by_user(static_cast<size_t>(w.users));
  parallel_for(w.users, 1, [&](int64_t begin, int64_t end) {
    std::vector<char> rated(static_cast<size_t>(w.items), 0);
    std::vector<double> weight(static_cast<size_t>(w.items));
    for (int64_t u = begin; u < end; ++u) rate(w, o, u, t0, span, rated, weight, by_user[static_cast<size_t>(u)]);
  });
  std::vector<Rating> all;
  for (auto& v : by_user) all.insert(all.end(), v.begin(), v.end());
  by_user.clear();
  // u.data is in time order (ties by user); ratings.dat grouped by user, as collected.
  if (!m1) std::stable_sort(all.begin(), all.end(), [](const Rating& x, const Rating& y) { return x.ts < y.ts; });

  SyntheticReport report;
  std::string text;
  text.reserve(all.size() * 24);
  synth::TeacherRows teacher;
  for (const Rating& r : all) {
    synth::append_int(text, r.user + 1);
    text += m1 ? "::" : "\t";
    synth::append_int(text, r.item + 1);
    text += m1 ? "::" : "\t";
    text += static_cast<char>('0' + r.rating);
    text += m1 ? "::" : "\t";
    synth::append_int(text, r.ts);
    text += '\n';
    teacher.probability.push_back(r.p);
    teacher.label.push_back(r.label);
  }
  auto put = [&](const std::string& name, const std::string& contents) {
    synth::write_small_file(dir + "/" + name, contents, report);
  };
  if (m1) {
    put("ratings.dat", text);
    put("users.dat", users_file(w, format, o.seed));
    put("movies.dat", items_file(w, format));
  } else {
    put("u.data", text);
    put("u.user", users_file(w, format, o.seed));
    put("u.item", items_file(w, format));
    std::string genre = "unknown|0\n", occupation;
    for (int g = 0; g < kGenres; ++g) genre += fmt::format("{}|{}\n", kGenreNames[g], g + 1);
    genre += '\n';
    for (const char* name : kOccupationNames) occupation += fmt::format("{}\n", name);
    put("u.genre", genre);
    put("u.occupation", occupation);
    put("u.info", fmt::format("{} users\n{} items\n{} ratings\n", w.users, w.items, all.size()));
  }
  synth::finish_report(dir, o, teacher, report);
  return report;
}

}  // namespace tg::data
