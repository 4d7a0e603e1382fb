#pragma once
// The three MovieLens files read into memory as typed tables (the step before any protocol).
//
//   read_movielens100k_tables(dir)  u.user, u.item, u.data
//   read_movielens1m_tables(dir)    users.dat, movies.dat, ratings.dat
//
// Users and movies are read first; a rating whose user or movie was not defined is a bad
// line like any other ("u.data:17: field 'user': 9 is not in u.user"), as is a user or
// movie defined twice. Bad lines stop reading with an error naming file, line and field,
// or with skip_bad_lines are skipped, counted and reported (MovieLensReport). A missing,
// unreadable or empty file is always an error.
// `row` of a rating is its index among the kept ratings, i.e. the file order: the
// tie-breaker of every time order (PROTOCOL.md §1.1).
#include <cstdint>
#include <string>
#include <vector>

#include "data/movielens/movielens_parse.h"

namespace tg::data {

struct MovieLensUser {
  bool present = false;
  int32_t age_code = 0;
  std::string gender = {}, occupation = {}, zip = {};
};

struct MovieLensMovie {
  bool present = false;
  int32_t year = 0;       // 0 = unknown
  uint32_t genres = 0;    // bit g = genre g (movielens_parse.h)
  std::string title = {}; // UTF-8 (converted from Latin-1)
};

using MovieLensRating = MovieLensRatingLine;

struct MovieLensReadOptions {
  bool skip_bad_lines = false;
};

struct MovieLensReport {
  int64_t user_lines = 0, movie_lines = 0, rating_lines = 0;  // data lines read per file
  int64_t skipped = 0;                                        // bad lines skipped (all files)
  std::vector<std::string> skipped_examples = {};             // the first few messages
};

struct MovieLensTables {
  std::vector<MovieLensUser> users;     // by user id (row 0 and gaps: present = false)
  std::vector<MovieLensMovie> movies;   // by movie id
  std::vector<MovieLensRating> ratings; // file order
  MovieLensReport report;
};

MovieLensTables read_movielens100k_tables(const std::string& dir, const MovieLensReadOptions& options = {});
MovieLensTables read_movielens1m_tables(const std::string& dir, const MovieLensReadOptions& options = {});

}  // namespace tg::data
