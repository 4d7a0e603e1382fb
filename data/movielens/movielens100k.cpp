#include "data/movielens/movielens100k.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <unordered_map>

#include "core/error.h"
#include "data/readers/table_reader.h"

namespace tg::data {

int movielens_age_code(int age) {
  if (age < 18) return 1;
  if (age <= 24) return 18;
  if (age <= 34) return 25;
  if (age <= 44) return 35;
  if (age <= 49) return 45;
  if (age <= 55) return 50;
  return 56;
}

namespace {

constexpr int kGenres = 19;
constexpr int64_t kGenreWidth = 6;

struct Rating {
  int32_t user, movie, rating;
  int64_t ts;
  int64_t row;  // 0-based line index in u.data: the tie-breaker
};
struct User {
  std::string age, gender, occupation, zip3;
  bool present = false;
};
struct Movie {
  std::vector<int> genres;  // genre indices with flag 1, increasing
  std::string year;         // "" when the release date is empty
  bool present = false;
};

int64_t parse_int(std::string_view text, const std::string& where, const char* field) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  check(ec == std::errc() && p == text.data() + text.size() && !text.empty(), "{}: field '{}': expected an integer, got '{}'",
        where, field, text);
  return v;
}

template <class F>
void for_lines(const std::string& path, F&& f) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "cannot open '{}'", path);
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    f(number, std::string_view(line));
  }
  check(number > 0, "{}: empty file", path);
}

bool before(const Rating& a, const Rating& b) { return a.ts != b.ts ? a.ts < b.ts : a.row < b.row; }

}  // namespace

MovieLensSplits build_movielens(const std::vector<User>& users, const std::vector<Movie>& movies,
                                const std::vector<Rating>& ratings, const MovieLens100kOptions& options);

MovieLensSplits load_movielens100k(const std::string& dir, const MovieLens100kOptions& options) {
  check(options.history_length > 0, "load_movielens100k: history_length must be positive");
  std::vector<std::string_view> f;

  // u.user: user|age|gender|occupation|zip
  std::vector<User> users(1);
  for_lines(dir + "/u.user", [&](int64_t n, std::string_view line) {
    const std::string where = fmt::format("{}/u.user:{}", dir, n);
    split_plain(line, '|', f);
    check(f.size() == 5, "{}: expected 5 '|'-separated fields, got {}", where, f.size());
    const auto id = parse_int(f[0], where, "user");
    check(id >= 1 && id < 1000000, "{}: field 'user': id {} out of range", where, id);
    if (users.size() <= static_cast<size_t>(id)) users.resize(static_cast<size_t>(id) + 1);
    User& u = users[static_cast<size_t>(id)];
    u.age = std::to_string(movielens_age_code(static_cast<int>(parse_int(f[1], where, "age"))));
    check(f[2] == "F" || f[2] == "M", "{}: field 'gender': expected F or M, got '{}'", where, f[2]);
    u.gender = std::string(f[2]);
    u.occupation = std::string(f[3]);
    u.zip3 = std::string(f[4].substr(0, 3));
    u.present = true;
  });

  // u.item (Latin-1; only ASCII fields are used): movie|title|release|video|url|19 flags
  std::vector<Movie> movies(1);
  for_lines(dir + "/u.item", [&](int64_t n, std::string_view line) {
    const std::string where = fmt::format("{}/u.item:{}", dir, n);
    split_plain(line, '|', f);
    check(f.size() == 5 + kGenres, "{}: expected {} '|'-separated fields, got {}", where, 5 + kGenres, f.size());
    const auto id = parse_int(f[0], where, "movie");
    check(id >= 1 && id < 10000000, "{}: field 'movie': id {} out of range", where, id);
    if (movies.size() <= static_cast<size_t>(id)) movies.resize(static_cast<size_t>(id) + 1);
    Movie& m = movies[static_cast<size_t>(id)];
    std::string_view date = f[2];
    if (!date.empty()) {
      check(date.size() >= 4, "{}: field 'release_date': '{}' has no year", where, date);
      m.year = std::to_string(parse_int(date.substr(date.size() - 4), where, "release_date"));
    }
    for (int g = 0; g < kGenres; ++g) {
      std::string_view flag = f[static_cast<size_t>(5 + g)];
      check(flag == "0" || flag == "1", "{}: genre flag {} must be 0 or 1, got '{}'", where, g, flag);
      if (flag == "1") m.genres.push_back(g);
    }
    check(static_cast<int64_t>(m.genres.size()) <= kGenreWidth, "{}: {} genres, at most {} expected", where,
          m.genres.size(), kGenreWidth);
    m.present = true;
  });

  // u.data: user \t movie \t rating \t timestamp
  std::vector<Rating> ratings;
  for_lines(dir + "/u.data", [&](int64_t n, std::string_view line) {
    const std::string where = fmt::format("{}/u.data:{}", dir, n);
    split_plain(line, '\t', f);
    check(f.size() == 4, "{}: expected 4 tab-separated fields, got {}", where, f.size());
    Rating r{static_cast<int32_t>(parse_int(f[0], where, "user")), static_cast<int32_t>(parse_int(f[1], where, "movie")),
             static_cast<int32_t>(parse_int(f[2], where, "rating")), parse_int(f[3], where, "timestamp"),
             static_cast<int64_t>(ratings.size())};
    check(r.rating >= 1 && r.rating <= 5, "{}: field 'rating': {} is not in 1..5", where, r.rating);
    check(r.user >= 1 && static_cast<size_t>(r.user) < users.size() && users[static_cast<size_t>(r.user)].present,
          "{}: field 'user': {} is not in u.user", where, r.user);
    check(r.movie >= 1 && static_cast<size_t>(r.movie) < movies.size() && movies[static_cast<size_t>(r.movie)].present,
          "{}: field 'movie': {} is not in u.item", where, r.movie);
    ratings.push_back(r);
  });

  return build_movielens(users, movies, ratings, options);
}

// ML-1M: users.dat (UserID::Gender::Age::Occupation::Zip, the age already an ML-1M code),
// movies.dat (MovieID::Title (Year)::Genre|Genre, Latin-1), ratings.dat
// (UserID::MovieID::Rating::Timestamp). Genre names map to the 18 ML-1M genres in README order.
MovieLensSplits load_movielens1m(const std::string& dir, const MovieLens100kOptions& options) {
  check(options.history_length > 0, "load_movielens1m: history_length must be positive");
  static const char* const kNames[] = {"Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                       "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical",
                                       "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};
  std::vector<std::string_view> f;
  auto split_colons = [&](std::string_view line) {
    f.clear();
    size_t start = 0;
    while (true) {
      size_t at = line.find("::", start);
      f.push_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
      if (at == std::string_view::npos) return;
      start = at + 2;
    }
  };
  std::vector<User> users(1);
  for_lines(dir + "/users.dat", [&](int64_t n, std::string_view line) {
    const std::string where = fmt::format("{}/users.dat:{}", dir, n);
    split_colons(line);
    check(f.size() == 5, "{}: expected 5 '::'-separated fields, got {}", where, f.size());
    const auto id = parse_int(f[0], where, "UserID");
    check(id >= 1 && id < 10000000, "{}: field 'UserID': {} out of range", where, id);
    if (users.size() <= static_cast<size_t>(id)) users.resize(static_cast<size_t>(id) + 1);
    User& u = users[static_cast<size_t>(id)];
    check(f[1] == "F" || f[1] == "M", "{}: field 'Gender': expected F or M, got '{}'", where, f[1]);
    u.gender = std::string(f[1]);
    u.age = std::to_string(parse_int(f[2], where, "Age"));
    u.occupation = std::to_string(parse_int(f[3], where, "Occupation"));
    u.zip3 = std::string(f[4].substr(0, 3));
    u.present = true;
  });
  std::vector<Movie> movies(1);
  for_lines(dir + "/movies.dat", [&](int64_t n, std::string_view line) {
    const std::string where = fmt::format("{}/movies.dat:{}", dir, n);
    split_colons(line);
    check(f.size() == 3, "{}: expected 3 '::'-separated fields, got {}", where, f.size());
    const auto id = parse_int(f[0], where, "MovieID");
    check(id >= 1 && id < 10000000, "{}: field 'MovieID': {} out of range", where, id);
    if (movies.size() <= static_cast<size_t>(id)) movies.resize(static_cast<size_t>(id) + 1);
    Movie& m = movies[static_cast<size_t>(id)];
    std::string_view title = f[1];
    auto open = title.rfind('(');
    if (open != std::string_view::npos && title.size() >= open + 6 && title[open + 5] == ')')
      m.year = std::to_string(parse_int(title.substr(open + 1, 4), where, "Title (year)"));
    size_t start = 0;
    while (start <= f[2].size()) {
      size_t bar = f[2].find('|', start);
      std::string_view name = f[2].substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
      int g = -1;
      for (int k = 0; k < 18; ++k)
        if (name == kNames[k]) g = k;
      check(g >= 0, "{}: field 'Genres': unknown genre '{}'", where, name);
      m.genres.push_back(g);
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    std::sort(m.genres.begin(), m.genres.end());
    check(static_cast<int64_t>(m.genres.size()) <= kGenreWidth, "{}: {} genres, at most {} expected", where,
          m.genres.size(), kGenreWidth);
    m.present = true;
  });
  std::vector<Rating> ratings;
  for_lines(dir + "/ratings.dat", [&](int64_t n, std::string_view line) {
    const std::string where = fmt::format("{}/ratings.dat:{}", dir, n);
    split_colons(line);
    check(f.size() == 4, "{}: expected 4 '::'-separated fields, got {}", where, f.size());
    Rating r{static_cast<int32_t>(parse_int(f[0], where, "UserID")), static_cast<int32_t>(parse_int(f[1], where, "MovieID")),
             static_cast<int32_t>(parse_int(f[2], where, "Rating")), parse_int(f[3], where, "Timestamp"),
             static_cast<int64_t>(ratings.size())};
    check(r.rating >= 1 && r.rating <= 5, "{}: field 'Rating': {} is not in 1..5", where, r.rating);
    check(r.user >= 1 && static_cast<size_t>(r.user) < users.size() && users[static_cast<size_t>(r.user)].present,
          "{}: field 'UserID': {} is not in users.dat", where, r.user);
    check(r.movie >= 1 && static_cast<size_t>(r.movie) < movies.size() && movies[static_cast<size_t>(r.movie)].present,
          "{}: field 'MovieID': {} is not in movies.dat", where, r.movie);
    ratings.push_back(r);
  });
  return build_movielens(users, movies, ratings, options);
}

MovieLensSplits build_movielens(const std::vector<User>& users, const std::vector<Movie>& movies,
                                const std::vector<Rating>& ratings, const MovieLens100kOptions& options) {
  const int64_t T = options.history_length;
  check(!ratings.empty(), "MovieLens: no ratings");
  // Samples (rating != 3), sorted by (timestamp, row); the temporal split.
  std::vector<Rating> samples;
  for (const auto& r : ratings)
    if (r.rating != 3) samples.push_back(r);
  std::stable_sort(samples.begin(), samples.end(), before);
  const size_t n = samples.size(), n_train = n * 8 / 10, n_train_valid = n * 9 / 10;

  // Vocabularies from the training samples' target-side values.
  const char* const kFields[] = {"user_id", "movie_id", "gender", "age", "occupation", "zip3", "genres", "year"};
  Vocabularies vocab;
  for (const char* name : kFields) vocab.by_field.emplace(name, Vocabulary());
  auto key_of = [&](const Rating& r, int field) -> std::string {
    const User& u = users[static_cast<size_t>(r.user)];
    const Movie& m = movies[static_cast<size_t>(r.movie)];
    switch (field) {
      case 0: return std::to_string(r.user);
      case 1: return std::to_string(r.movie);
      case 2: return u.gender;
      case 3: return u.age;
      case 4: return u.occupation;
      case 5: return u.zip3;
      default: return m.year;
    }
  };
  for (size_t i = 0; i < n_train; ++i) {
    for (int field : {0, 1, 2, 3, 4, 5, 7}) vocab.by_field.at(kFields[field]).count(key_of(samples[i], field));
    for (int g : movies[static_cast<size_t>(samples[i].movie)].genres) vocab.by_field.at("genres").count(std::to_string(g));
  }
  for (auto& [name, v] : vocab.by_field) v.finalize();
  const Vocabulary& movie_vocab = vocab.at("movie_id");
  const Vocabulary& genre_vocab = vocab.at("genres");

  // Per-user ratings in (timestamp, row) order, and the feedback lists.
  std::unordered_map<int32_t, std::vector<Rating>> by_user;
  for (const auto& r : ratings) by_user[r.user].push_back(r);
  for (auto& [u, list] : by_user) std::stable_sort(list.begin(), list.end(), before);
  // Popularity order: training-sample count desc, then movie id asc; counts >= 1 only.
  std::map<int32_t, int64_t> popularity;
  for (size_t i = 0; i < n_train; ++i) ++popularity[samples[i].movie];
  std::vector<std::pair<int64_t, int32_t>> popular;
  for (auto& [movie, count] : popularity) popular.push_back({-count, movie});
  std::sort(popular.begin(), popular.end());

  // Schema.
  Schema schema;
  schema.fields.push_back({.name = "label", .kind = FieldKind::Label});
  const FieldGroup groups[] = {FieldGroup::User, FieldGroup::Item, FieldGroup::User, FieldGroup::User,
                               FieldGroup::User, FieldGroup::User, FieldGroup::Item, FieldGroup::Item};
  for (int i = 0; i < 8; ++i)
    schema.fields.push_back({.name = kFields[i],
                             .kind = i == 6 ? FieldKind::MultiValued : FieldKind::Categorical,
                             .group = groups[i],
                             .max_len = i == 6 ? kGenreWidth : 0});
  schema.fields.push_back({.name = "history", .kind = FieldKind::Sequence, .group = FieldGroup::User,
                           .vocab_from = "movie_id", .max_len = T, .item_attributes = {"genres"},
                           .item_index = "history_item"});
  schema.fields.push_back({.name = "history_item", .kind = FieldKind::Sequence, .max_len = T});
  const char* const kFeedback[] = {"unclick", "like", "dislike"};
  if (options.feedback_sequences)
    for (const char* name : kFeedback)
      schema.fields.push_back({.name = name, .kind = FieldKind::Sequence, .group = FieldGroup::User,
                               .vocab_from = "movie_id", .max_len = T});

  // The item table: genres of every raw movie number (row 0: padding).
  ItemTable items{.key_field = "history_item"};
  Column genres_of{.name = "genres", .kind = FieldKind::MultiValued, .width = kGenreWidth};
  genres_of.ids.assign(movies.size() * kGenreWidth, 0);
  for (size_t m = 1; m < movies.size(); ++m)
    for (size_t k = 0; k < movies[m].genres.size(); ++k)
      genres_of.ids[m * kGenreWidth + k] = genre_vocab.id(std::to_string(movies[m].genres[k]));
  items.attributes.emplace("genres", genres_of);

  auto empty_dataset = [&] {
    Dataset d;
    d.schema = schema;
    d.vocabularies = vocab;
    for (const auto& fs : schema.fields)
      if (fs.kind != FieldKind::Label) d.columns.push_back(Column{.name = fs.name, .kind = fs.kind, .width = fs.width()});
    d.item_tables.emplace("history_item", items);
    return d;
  };
  MovieLensSplits out{empty_dataset(), empty_dataset(), empty_dataset()};

  std::vector<int32_t> seq;
  for (size_t i = 0; i < n; ++i) {
    const Rating& s = samples[i];
    Dataset& d = i < n_train ? out.train : i < n_train_valid ? out.valid : out.test;
    d.labels.push_back(s.rating >= 4 ? 1.0f : 0.0f);
    size_t c = 0;
    for (int field : {0, 1, 2, 3, 4, 5}) d.columns[c++].ids.push_back(vocab.at(kFields[field]).id(key_of(s, field)));
    {
      Column& g = d.columns[c++];
      const auto& mg = movies[static_cast<size_t>(s.movie)].genres;
      for (int64_t k = 0; k < kGenreWidth; ++k)
        g.ids.push_back(k < static_cast<int64_t>(mg.size()) ? genre_vocab.id(std::to_string(mg[static_cast<size_t>(k)])) : 0);
    }
    d.columns[c++].ids.push_back(vocab.at("year").id(key_of(s, 7)));  // "" (no date) -> OOV

    // Earlier ratings of the user: strictly before t.
    const auto& list = by_user[s.user];
    const auto end = std::lower_bound(list.begin(), list.end(), s.ts, [](const Rating& r, int64_t t) { return r.ts < t; });
    auto left_pad = [&](Column& col, const std::vector<int32_t>& values) {
      const size_t keep = std::min(values.size(), static_cast<size_t>(T));
      col.ids.insert(col.ids.end(), static_cast<size_t>(T) - keep, 0);
      col.ids.insert(col.ids.end(), values.end() - static_cast<int64_t>(keep), values.end());
    };
    auto filtered = [&](auto keep_rating, bool raw) {
      seq.clear();
      for (auto it = list.begin(); it != end; ++it)
        if (keep_rating(it->rating)) seq.push_back(raw ? it->movie : movie_vocab.id(std::to_string(it->movie)));
      return seq;
    };
    left_pad(d.columns[c++], filtered([](int) { return true; }, false));  // history
    left_pad(d.columns[c++], filtered([](int) { return true; }, true));   // history_item
    if (options.feedback_sequences) {
      // unclick: popular movies not rated before t, most popular last.
      std::vector<int32_t> kept;
      std::unordered_map<int32_t, bool> rated;
      for (auto it = list.begin(); it != end; ++it) rated[it->movie] = true;
      for (const auto& [neg_count, movie] : popular) {
        if (static_cast<int64_t>(kept.size()) == T) break;
        if (!rated.count(movie)) kept.push_back(movie_vocab.id(std::to_string(movie)));
      }
      std::reverse(kept.begin(), kept.end());
      left_pad(d.columns[c++], kept);
      left_pad(d.columns[c++], filtered([](int r) { return r >= 4; }, false));
      left_pad(d.columns[c++], filtered([](int r) { return r <= 2; }, false));
    }
  }
  return out;
}

}  // namespace tg::data
