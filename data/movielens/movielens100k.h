#pragma once
// MovieLens into train / valid / test Datasets, with the MovieLens-100K reference protocol
// (../shared/data/movielens-100k/PROTOCOL.md §1) as the default, reproduced to the last id:
//
//   samples    ratings >= positive_min (4) -> label 1, <= negative_max (2) -> 0; ratings in
//              between (3) are no samples but stay in every history.
//   split      Time: samples sorted by (timestamp, file row); the first floor(0.8 N) are
//              train, up to floor(0.9 N) valid, the rest test. Random: each sample by a
//              Philox draw from (split_seed, file row); rows of a split stay in time order.
//   fields     (schema order) label; user_id, movie_id, gender, age (ML-1M age code),
//              occupation, zip3 (first 3 characters of the zip as written), genres
//              (multi-valued, right-padded to 6), year; groups: user_id, gender, age,
//              occupation, zip3 = user; movie_id, genres, year = item.
//   vocabs     from the training samples' target-side values only (history items add no
//              keys), sorted keys (integers numerically, strings bytewise), 0 = padding,
//              1 = OOV; a missing year -> 1.
//   sequences  (T = 50, left-padded, most recent last; movie_id vocabulary ids; all from
//              the user's ratings strictly before the sample's timestamp, data/movielens/
//              movielens_sequences.h):
//                history       every earlier rating (= DUMN's click), with "history.genres"
//                              per element through the item table of "history_item"
//                history_item  the same elements as raw movie numbers (indexes the item
//                              table, so that an OOV movie keeps its own genres)
//                unclick, like, dislike   DUMN's other three feedback sequences
//                              (data/movielens/README.md has the mapping); optionally with
//                              raw-number twins "<seq>_item" and "<seq>.genres"
//   meta       optionally "user", "movie", "timestamp", "row" (raw values, no vocabulary)
// The three Datasets share the same Vocabularies and item table. The same rules apply to
// MovieLens-1M (genres by name, the year from the title, the age already a code).
#include <cstdint>
#include <string>

#include "data/dataset.h"
#include "data/movielens/movielens_tables.h"

namespace tg::data {

enum class MovieLensSplitMode { Time, Random };
enum class UnclickMode { Popular, Sampled };

struct MovieLensOptions {
  int64_t history_length = 50;     // T of every sequence
  int64_t genre_width = 6;         // genres kept per movie (the first ones, increasing index)
  bool feedback_sequences = true;  // unclick / like / dislike (DUMN); history is always built
  // Binarization: rating >= positive_min -> 1, rating <= negative_max -> 0, between: no sample.
  // positive_min = negative_max + 1 keeps every rating (e.g. 4 / 3: "rating >= 4 is positive").
  int positive_min = 4;
  int negative_max = 2;
  int like_min = 4;     // like = earlier ratings >= like_min
  int dislike_max = 2;  // dislike = earlier ratings <= dislike_max
  MovieLensSplitMode split = MovieLensSplitMode::Time;
  double train = 0.8, valid = 0.1;  // test = the rest
  uint64_t split_seed = 2019;       // Random split
  UnclickMode unclick = UnclickMode::Popular;
  uint64_t unclick_seed = 2019;     // UnclickMode::Sampled
  int zip_prefix = 3;               // 3: field "zip3"; 0: the whole zip, field "zip"
  int64_t min_count = 1;            // vocabulary min count of every field
  bool skip_bad_lines = false;      // skip and count malformed lines (MovieLensSplits::report)
  // Also emit unclick_item / like_item / dislike_item (raw movie numbers) and give the three
  // feedback sequences "<seq>.genres" through the item table, as history has.
  bool feedback_item_attributes = false;
  // Also emit Meta columns (not model inputs) "user", "movie" (raw ids), "timestamp" and
  // "row" (the rating's file row): for group AUC by user, and to trace a sample back.
  bool meta_columns = false;
};
using MovieLens100kOptions = MovieLensOptions;

struct MovieLensSplits {
  Dataset train, valid, test;
  MovieLensReport report = {};  // lines read, bad lines skipped
  int64_t samples = 0;          // labelled ratings
  int64_t not_samples = 0;      // ratings between negative_max and positive_min (3s)
};

// dir holds u.data, u.user and u.item (100K) / ratings.dat, users.dat, movies.dat (1M).
MovieLensSplits load_movielens100k(const std::string& dir, const MovieLensOptions& options = {});
MovieLensSplits load_movielens1m(const std::string& dir, const MovieLensOptions& options = {});

// The protocol on tables already read (or built in memory).
MovieLensSplits build_movielens_splits(const MovieLensTables& tables, const MovieLensOptions& options = {});
// The schema build_movielens_splits produces for these options.
Schema movielens_schema(const MovieLensOptions& options = {});

}  // namespace tg::data
