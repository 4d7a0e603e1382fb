#include "data/movielens/movielens_tables.h"

#include "core/error.h"
#include "data/movielens/text_fields.h"

namespace tg::data {

namespace {

struct FileNames {
  const char* users;
  const char* movies;
  const char* ratings;
  const char* user_field;   // names in messages, as the format's README calls them
  const char* movie_field;
};

template <class T>
T& slot(std::vector<T>& table, int32_t id) {
  if (table.size() <= static_cast<size_t>(id)) table.resize(static_cast<size_t>(id) + 1);
  return table[static_cast<size_t>(id)];
}

template <class ParseUser, class ParseMovie, class ParseRating>
MovieLensTables read_tables(const std::string& dir, const FileNames& names, const MovieLensReadOptions& options,
                            ParseUser parse_user, ParseMovie parse_movie, ParseRating parse_rating) {
  MovieLensTables t;
  BadLines bad{.skip = options.skip_bad_lines};
  const std::string user_path = dir + "/" + names.users;
  const std::string movie_path = dir + "/" + names.movies;
  const std::string rating_path = dir + "/" + names.ratings;

  t.users.resize(1);
  t.report.user_lines = for_each_data_line(user_path, 0, bad, [&](int64_t, std::string_view line) {
    const MovieLensUserLine u = parse_user(line);
    MovieLensUser& dst = slot(t.users, u.user);
    check(!dst.present, "field '{}': user {} is defined twice", names.user_field, u.user);
    dst = MovieLensUser{.present = true, .age_code = u.age_code, .gender = std::string(u.gender),
                        .occupation = std::string(u.occupation), .zip = std::string(u.zip)};
  });

  t.movies.resize(1);
  t.report.movie_lines = for_each_data_line(movie_path, 0, bad, [&](int64_t, std::string_view line) {
    const MovieLensMovieLine m = parse_movie(line);
    MovieLensMovie& dst = slot(t.movies, m.movie);
    check(!dst.present, "field '{}': movie {} is defined twice", names.movie_field, m.movie);
    dst = MovieLensMovie{.present = true, .year = m.year, .genres = m.genres, .title = latin1_to_utf8(m.title)};
  });

  t.report.rating_lines = for_each_data_line(rating_path, 0, bad, [&](int64_t, std::string_view line) {
    const MovieLensRatingLine r = parse_rating(line);
    check(static_cast<size_t>(r.user) < t.users.size() && t.users[static_cast<size_t>(r.user)].present,
          "field '{}': {} is not in {}", names.user_field, r.user, names.users);
    check(static_cast<size_t>(r.movie) < t.movies.size() && t.movies[static_cast<size_t>(r.movie)].present,
          "field '{}': {} is not in {}", names.movie_field, r.movie, names.movies);
    t.ratings.push_back(r);
  });
  check(!t.ratings.empty(), "{}: every line was bad ({} skipped)", rating_path, bad.skipped);
  t.report.skipped = bad.skipped;
  t.report.skipped_examples = std::move(bad.examples);
  return t;
}

}  // namespace

MovieLensTables read_movielens100k_tables(const std::string& dir, const MovieLensReadOptions& options) {
  return read_tables(dir, {"u.user", "u.item", "u.data", "user", "movie"}, options, parse_ml100k_user_line,
                     parse_ml100k_item_line, parse_ml100k_rating_line);
}

MovieLensTables read_movielens1m_tables(const std::string& dir, const MovieLensReadOptions& options) {
  return read_tables(dir, {"users.dat", "movies.dat", "ratings.dat", "UserID", "MovieID"}, options,
                     parse_ml1m_user_line, parse_ml1m_movie_line, parse_ml1m_rating_line);
}

}  // namespace tg::data
