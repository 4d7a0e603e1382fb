#pragma once
// The MovieLens-100K reference protocol (../shared/data/movielens-100k/PROTOCOL.md §1), to
// the last id: samples = ratings other than 3 (4-5 -> 1, 1-2 -> 0); a temporal split by
// (timestamp, file row), 80/10/10; fields user_id, movie_id, gender, age (ML-1M age code),
// occupation, zip3, genres (multi-valued, right-padded to 6), year, with vocabularies from
// the training samples only (sorted keys, pad 0, OOV 1); and per sample the user's ratings
// strictly before its timestamp as sequences of movie vocabulary ids, left-padded to T = 50,
// most recent last:
//   history (= click)  every earlier rating (any value, 3 included), with each element's
//                      genres via "history.genres" (history_item holds raw movie numbers so
//                      that OOV movies keep their own genres)
//   like / dislike     the same list restricted to ratings >= 4 / <= 2
//   unclick            the most popular training movies the user had not rated before t
//                      (popularity = count among training samples, ties by movie id), the
//                      first 50 of that order stored most popular LAST
// See data/movielens/README.md for the mapping of DUMN's four feedback types.
#include <string>

#include "data/dataset.h"

namespace tg::data {

struct MovieLensSplits {
  Dataset train, valid, test;
};

struct MovieLens100kOptions {
  int64_t history_length = 50;
  bool feedback_sequences = true;  // unclick/like/dislike (DUMN)
};

// dir holds u.data, u.user and u.item. Errors name the file, line and field.
MovieLensSplits load_movielens100k(const std::string& dir, const MovieLens100kOptions& options = {});

// The same protocol on the MovieLens-1M files (users.dat, movies.dat, ratings.dat with "::"):
// genres by name (the 18 of ML-1M), the year from the title, the age already a code.
MovieLensSplits load_movielens1m(const std::string& dir, const MovieLens100kOptions& options = {});

// ML-1M age codes from a raw age: <18 -> 1, 18-24 -> 18, 25-34 -> 25, 35-44 -> 35,
// 45-49 -> 45, 50-55 -> 50, >= 56 -> 56.
int movielens_age_code(int age);

}  // namespace tg::data
