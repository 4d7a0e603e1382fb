#include "data/movielens/movielens100k.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/philox.h"
#include "data/movielens/movielens_sequences.h"

namespace tg::data {

namespace {

const char* zip_field(const MovieLensOptions& o) { return o.zip_prefix > 0 ? "zip3" : "zip"; }

void check_options(const MovieLensOptions& o) {
  check(o.history_length > 0, "MovieLens: history_length must be positive, got {}", o.history_length);
  check(o.genre_width > 0 && o.genre_width <= kMovieLensGenres, "MovieLens: genre_width must be in 1..{}, got {}",
        kMovieLensGenres, o.genre_width);
  check(o.negative_max < o.positive_min, "MovieLens: negative_max {} must be below positive_min {}", o.negative_max,
        o.positive_min);
  check(o.train > 0 && o.valid >= 0 && o.train + o.valid <= 1.0 + 1e-12,
        "MovieLens: split fractions train {} and valid {} must be positive and sum to at most 1", o.train, o.valid);
  check(o.zip_prefix >= 0, "MovieLens: zip_prefix must be >= 0, got {}", o.zip_prefix);
  check(o.min_count >= 1, "MovieLens: min_count must be >= 1, got {}", o.min_count);
}

enum Part : uint8_t { kTrain, kValid, kTest };

// The genre indices of a mask, increasing, at most `width`.
template <class F>
void for_each_genre(uint32_t mask, int64_t width, F&& f) {
  for (int64_t k = 0; mask != 0 && k < width; ++k) {
    f(std::countr_zero(mask));
    mask &= mask - 1;
  }
}

std::string_view zip_key(const MovieLensUser& u, int prefix) {
  std::string_view z = u.zip;
  return prefix > 0 ? z.substr(0, static_cast<size_t>(prefix)) : z;
}

}  // namespace

Schema movielens_schema(const MovieLensOptions& o) {
  const int64_t T = o.history_length;
  Schema s;
  auto add = [&](FieldSpec f) {
    f.min_count = o.min_count;
    s.fields.push_back(std::move(f));
  };
  add({.name = "label", .kind = FieldKind::Label});
  add({.name = "user_id", .group = FieldGroup::User});
  add({.name = "movie_id", .group = FieldGroup::Item});
  add({.name = "gender", .group = FieldGroup::User});
  add({.name = "age", .group = FieldGroup::User});
  add({.name = "occupation", .group = FieldGroup::User});
  add({.name = zip_field(o), .group = FieldGroup::User});
  add({.name = "genres", .kind = FieldKind::MultiValued, .group = FieldGroup::Item, .max_len = o.genre_width});
  add({.name = "year", .group = FieldGroup::Item});
  add({.name = "history", .kind = FieldKind::Sequence, .group = FieldGroup::User, .vocab_from = "movie_id",
       .max_len = T, .item_attributes = {"genres"}, .item_index = "history_item"});
  add({.name = "history_item", .kind = FieldKind::Sequence, .max_len = T});
  if (o.feedback_sequences) {
    for (const char* name : {"unclick", "like", "dislike"}) {
      FieldSpec f{.name = name, .kind = FieldKind::Sequence, .group = FieldGroup::User, .vocab_from = "movie_id",
                  .max_len = T};
      if (o.feedback_item_attributes) {
        f.item_attributes = {"genres"};
        f.item_index = std::string(name) + "_item";
      }
      add(std::move(f));
    }
    if (o.feedback_item_attributes)
      for (const char* name : {"unclick_item", "like_item", "dislike_item"})
        add({.name = name, .kind = FieldKind::Sequence, .max_len = T});
  }
  if (o.meta_columns)
    for (const char* name : {"user", "movie", "timestamp", "row"}) add({.name = name, .kind = FieldKind::Meta});
  return s;
}

MovieLensSplits build_movielens_splits(const MovieLensTables& tables, const MovieLensOptions& o) {
  check_options(o);
  const int64_t T = o.history_length;
  const int64_t G = o.genre_width;
  const auto& ratings = tables.ratings;
  const auto& users = tables.users;
  const auto& movies = tables.movies;
  for (const auto& r : ratings)
    check(r.user >= 1 && static_cast<size_t>(r.user) < users.size() && users[static_cast<size_t>(r.user)].present &&
              r.movie >= 1 && static_cast<size_t>(r.movie) < movies.size() && movies[static_cast<size_t>(r.movie)].present,
          "MovieLens: rating of user {} for movie {}: the user or the movie is not in the tables", r.user, r.movie);

  MovieLensSplits out;
  out.report = tables.report;

  // Samples in (timestamp, row) order, and their split.
  std::vector<int64_t> samples;
  for (size_t i = 0; i < ratings.size(); ++i) {
    const int rating = ratings[i].rating;
    if (rating >= o.positive_min || rating <= o.negative_max) samples.push_back(static_cast<int64_t>(i));
  }
  out.samples = static_cast<int64_t>(samples.size());
  out.not_samples = static_cast<int64_t>(ratings.size()) - out.samples;
  check(!samples.empty(), "MovieLens: no rating is >= {} or <= {}: no samples", o.positive_min, o.negative_max);
  std::stable_sort(samples.begin(), samples.end(), [&](int64_t a, int64_t b) {
    return ratings[static_cast<size_t>(a)].timestamp < ratings[static_cast<size_t>(b)].timestamp;
  });
  const size_t n = samples.size();
  std::vector<uint8_t> part(n);
  if (o.split == MovieLensSplitMode::Time) {
    // floor(0.8 N) exactly: the epsilon absorbs 0.8 * N landing just below an integer.
    const auto n_train = static_cast<size_t>(std::floor(o.train * static_cast<double>(n) + 1e-9));
    const auto n_train_valid = static_cast<size_t>(std::floor((o.train + o.valid) * static_cast<double>(n) + 1e-9));
    for (size_t i = 0; i < n; ++i) part[i] = i < n_train ? kTrain : i < n_train_valid ? kValid : kTest;
  } else {
    for (size_t i = 0; i < n; ++i) {
      const double u = philox::uniform_double(o.split_seed, 0, static_cast<uint64_t>(samples[i]));
      part[i] = u < o.train ? kTrain : u < o.train + o.valid ? kValid : kTest;
    }
  }

  // Vocabularies: count training targets per user and per movie, then each field's keys
  // once per distinct user / movie (no string per row).
  std::vector<int64_t> user_count(users.size(), 0), movie_count(movies.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    if (part[i] != kTrain) continue;
    const auto& r = ratings[static_cast<size_t>(samples[i])];
    ++user_count[static_cast<size_t>(r.user)];
    ++movie_count[static_cast<size_t>(r.movie)];
  }
  const Schema schema = movielens_schema(o);
  Vocabularies vocab;
  for (const auto& f : schema.fields)
    if (f.has_ids() && f.vocab_from.empty() && f.kind != FieldKind::Meta && !f.name.ends_with("_item"))
      vocab.by_field.emplace(f.name, Vocabulary(o.min_count));
  auto& v_user = vocab.by_field.at("user_id");
  auto& v_movie = vocab.by_field.at("movie_id");
  auto& v_gender = vocab.by_field.at("gender");
  auto& v_age = vocab.by_field.at("age");
  auto& v_occupation = vocab.by_field.at("occupation");
  auto& v_zip = vocab.by_field.at(zip_field(o));
  auto& v_genres = vocab.by_field.at("genres");
  auto& v_year = vocab.by_field.at("year");
  for (size_t u = 0; u < users.size(); ++u) {
    const int64_t c = user_count[u];
    if (c == 0) continue;
    v_user.count(std::to_string(u), c);
    v_gender.count(users[u].gender, c);
    v_age.count(std::to_string(users[u].age_code), c);
    v_occupation.count(users[u].occupation, c);
    v_zip.count(zip_key(users[u], o.zip_prefix), c);
  }
  for (size_t m = 0; m < movies.size(); ++m) {
    const int64_t c = movie_count[m];
    if (c == 0) continue;
    v_movie.count(std::to_string(m), c);
    if (movies[m].year > 0) v_year.count(std::to_string(movies[m].year), c);
    for_each_genre(movies[m].genres, G, [&](int g) { v_genres.count(std::to_string(g), c); });
  }
  for (auto& [name, v] : vocab.by_field) v.finalize();

  // Every user's and movie's ids, looked up once.
  constexpr int kUserFields = 5;  // user_id, gender, age, occupation, zip
  std::vector<int32_t> user_ids(users.size() * kUserFields, Vocabulary::kOOV);
  for (size_t u = 0; u < users.size(); ++u) {
    if (!users[u].present) continue;
    int32_t* dst = &user_ids[u * kUserFields];
    dst[0] = v_user.id(std::to_string(u));
    dst[1] = v_gender.id(users[u].gender);
    dst[2] = v_age.id(std::to_string(users[u].age_code));
    dst[3] = v_occupation.id(users[u].occupation);
    dst[4] = v_zip.id(zip_key(users[u], o.zip_prefix));
  }
  std::vector<int32_t> movie_id(movies.size(), Vocabulary::kOOV), year_id(movies.size(), Vocabulary::kOOV);
  Column genres_of{.name = "genres", .kind = FieldKind::MultiValued, .width = G};
  genres_of.ids.assign(movies.size() * static_cast<size_t>(G), 0);
  for (size_t m = 1; m < movies.size(); ++m) {
    if (!movies[m].present) continue;
    movie_id[m] = v_movie.id(std::to_string(m));
    if (movies[m].year > 0) year_id[m] = v_year.id(std::to_string(movies[m].year));
    int64_t k = 0;
    for_each_genre(movies[m].genres, G, [&](int g) {
      genres_of.ids[m * static_cast<size_t>(G) + static_cast<size_t>(k++)] = v_genres.id(std::to_string(g));
    });
  }

  // The item table: genres of every raw movie number (row 0: padding).
  ItemTable items{.key_field = "history_item"};
  items.attributes.emplace("genres", std::move(genres_of));
  const Column& genres_table = items.attributes.at("genres");

  // Output datasets with their columns sized up front.
  size_t rows_of[3] = {0, 0, 0};
  for (size_t i = 0; i < n; ++i) ++rows_of[part[i]];
  Dataset* dst[3] = {&out.train, &out.valid, &out.test};
  for (int p = 0; p < 3; ++p) {
    Dataset& d = *dst[p];
    d.schema = schema;
    d.vocabularies = vocab;
    d.item_tables.emplace("history_item", items);
    if (o.feedback_sequences && o.feedback_item_attributes)
      for (const char* name : {"unclick_item", "like_item", "dislike_item"}) {
        ItemTable t = items;
        t.key_field = name;
        d.item_tables.emplace(name, std::move(t));
      }
    d.allocate_id_columns(rows_of[p]);
  }
  // Column positions (schema order without the label).
  enum : size_t { cUser, cMovie, cGender, cAge, cOccupation, cZip, cGenres, cYear, cHistory, cHistoryItem, cUnclick, cLike, cDislike };
  const bool raw_feedback = o.feedback_sequences && o.feedback_item_attributes;
  const size_t cUnclickItem = cDislike + 1, cLikeItem = cDislike + 2, cDislikeItem = cDislike + 3;
  const size_t cMeta = o.feedback_sequences ? (raw_feedback ? cDislikeItem + 1 : cDislike + 1) : cHistoryItem + 1;

  const RatingLog log(ratings);
  const PopularityOrder popular(movie_count);
  MovieSet rated, drawn;
  std::vector<int32_t> scratch(static_cast<size_t>(T));
  const auto vocab_id = [&](int32_t m) { return movie_id[static_cast<size_t>(m)]; };
  const auto raw_id = [](int32_t m) { return m; };
  const auto any = [](int32_t) { return true; };
  const int like_min = o.like_min, dislike_max = o.dislike_max;
  const auto liked = [like_min](int32_t r) { return r >= like_min; };
  const auto disliked = [dislike_max](int32_t r) { return r <= dislike_max; };
  size_t next_row[3] = {0, 0, 0};
  const auto Tz = static_cast<size_t>(T);
  const auto Gz = static_cast<size_t>(G);

  for (size_t i = 0; i < n; ++i) {
    const auto& s = ratings[static_cast<size_t>(samples[i])];
    Dataset& d = *dst[part[i]];
    const size_t row = next_row[part[i]]++;
    auto seq = [&](size_t c) { return std::span<int32_t>(d.columns[c].ids).subspan(row * Tz, Tz); };
    d.labels.push_back(s.rating >= o.positive_min ? 1.0f : 0.0f);
    const int32_t* u = &user_ids[static_cast<size_t>(s.user) * kUserFields];
    d.columns[cUser].ids[row] = u[0];
    d.columns[cGender].ids[row] = u[1];
    d.columns[cAge].ids[row] = u[2];
    d.columns[cOccupation].ids[row] = u[3];
    d.columns[cZip].ids[row] = u[4];
    d.columns[cMovie].ids[row] = movie_id[static_cast<size_t>(s.movie)];
    d.columns[cYear].ids[row] = year_id[static_cast<size_t>(s.movie)];
    std::copy_n(genres_table.ids.begin() + static_cast<int64_t>(static_cast<size_t>(s.movie) * Gz), Gz,
                d.columns[cGenres].ids.begin() + static_cast<int64_t>(row * Gz));

    const auto earlier = log.before(s.user, s.timestamp);
    write_recent(earlier, any, vocab_id, seq(cHistory));
    write_recent(earlier, any, raw_id, seq(cHistoryItem));
    if (o.meta_columns) {
      check(s.timestamp <= INT32_MAX, "MovieLens: meta column 'timestamp': {} does not fit int32", s.timestamp);
      d.columns[cMeta].ids[row] = s.user;
      d.columns[cMeta + 1].ids[row] = s.movie;
      d.columns[cMeta + 2].ids[row] = static_cast<int32_t>(s.timestamp);
      d.columns[cMeta + 3].ids[row] = static_cast<int32_t>(samples[i]);
    }
    if (!o.feedback_sequences) continue;
    rated.clear();
    rated.insert_all(earlier);
    // unclick: raw movie numbers first (the item twin, or scratch), then vocabulary ids.
    const std::span<int32_t> unclick_raw = raw_feedback ? seq(cUnclickItem) : std::span<int32_t>(scratch);
    if (o.unclick == UnclickMode::Popular)
      write_unclick_popular(popular, rated, raw_id, unclick_raw);
    else
      write_unclick_sampled(popular, rated, o.unclick_seed, static_cast<uint64_t>(samples[i]), drawn, unclick_raw);
    const auto unclick = seq(cUnclick);
    for (size_t k = 0; k < Tz; ++k) unclick[k] = unclick_raw[k] != 0 ? vocab_id(unclick_raw[k]) : 0;
    write_recent(earlier, liked, vocab_id, seq(cLike));
    write_recent(earlier, disliked, vocab_id, seq(cDislike));
    if (raw_feedback) {
      write_recent(earlier, liked, raw_id, seq(cLikeItem));
      write_recent(earlier, disliked, raw_id, seq(cDislikeItem));
    }
  }
  return out;
}

MovieLensSplits load_movielens100k(const std::string& dir, const MovieLensOptions& options) {
  check_options(options);
  return build_movielens_splits(read_movielens100k_tables(dir, {.skip_bad_lines = options.skip_bad_lines}), options);
}

MovieLensSplits load_movielens1m(const std::string& dir, const MovieLensOptions& options) {
  check_options(options);
  return build_movielens_splits(read_movielens1m_tables(dir, {.skip_bad_lines = options.skip_bad_lines}), options);
}

}  // namespace tg::data
