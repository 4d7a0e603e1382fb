#pragma once
// Line parsers of the MovieLens files, one line (no '\n') in, its fields out. Plain
// functions of a string_view so that they can be fuzzed: on bad input they throw tg::Error
// naming the field ("field 'rating': 7 is not in 1..5"); the readers prefix the file and
// line. String fields are views into the line.
//
// MovieLens-100K (GroupLens ml-100k):
//   u.data   user \t movie \t rating \t timestamp
//   u.user   user|age|gender|occupation|zip                      (age in years)
//   u.item   movie|title|release_date|video_release_date|url|f0|...|f18
//            19 genre flags 0/1 in u.genre order (0 = unknown, 1 = Action, ..., 18 =
//            Western); release_date "01-Jan-1995" (year = its last 4 characters) or empty;
//            the title is Latin-1.
// MovieLens-1M (GroupLens ml-1m), fields separated by "::":
//   ratings.dat  UserID::MovieID::Rating::Timestamp
//   users.dat    UserID::Gender::Age::Occupation::Zip-code   (Age already a code:
//                1, 18, 25, 35, 45, 50, 56; Occupation 0..20)
//   movies.dat   MovieID::Title (Year)::Genre|Genre|...      (Latin-1 title; genres by name)
//
// Genres of both formats are one bit mask over the 100K indices: ML-1M's 18 names are
// 100K's genres 1..18 in the same order, so a genre key means the same in both.
// Ids are 1..kMaxMovieLensId (the readers index tables by id).
#include <cstdint>
#include <string>
#include <string_view>

namespace tg::data {

inline constexpr int64_t kMaxMovieLensId = 10'000'000;
inline constexpr int kMovieLensGenres = 19;  // 100K's u.genre; ML-1M uses 1..18

struct MovieLensRatingLine {
  int32_t user = 0, movie = 0, rating = 0;  // rating 1..5
  int64_t timestamp = 0;                    // unix seconds, >= 0
};

struct MovieLensUserLine {
  int32_t user = 0;
  int32_t age_code = 0;             // ML-1M age code (100K: movielens_age_code(raw age))
  std::string_view gender = {};     // "F" or "M"
  std::string_view occupation = {}; // 100K: a name ("writer"); 1M: the code as written ("0".."20")
  std::string_view zip = {};        // as written (not empty)
};

struct MovieLensMovieLine {
  int32_t movie = 0;
  std::string_view title = {};  // raw bytes (Latin-1); latin1_to_utf8 to display
  int32_t year = 0;             // 0 = unknown (empty release date / no "(YYYY)" in the title)
  uint32_t genres = 0;          // bit g = genre g (100K indices)
};

MovieLensRatingLine parse_ml100k_rating_line(std::string_view line);  // u.data
MovieLensUserLine parse_ml100k_user_line(std::string_view line);      // u.user
MovieLensMovieLine parse_ml100k_item_line(std::string_view line);     // u.item
MovieLensRatingLine parse_ml1m_rating_line(std::string_view line);    // ratings.dat
MovieLensUserLine parse_ml1m_user_line(std::string_view line);        // users.dat
MovieLensMovieLine parse_ml1m_movie_line(std::string_view line);      // movies.dat

// ML-1M age codes of a raw age: <18 -> 1, 18-24 -> 18, 25-34 -> 25, 35-44 -> 35,
// 45-49 -> 45, 50-55 -> 50, >= 56 -> 56 (PROTOCOL.md §1.4).
int movielens_age_code(int age);
// The genre index (1..18) of an ML-1M genre name, or -1.
int movielens_genre_index(std::string_view name);
// ISO-8859-1 bytes to UTF-8 (every byte is a code point; never fails).
std::string latin1_to_utf8(std::string_view text);

}  // namespace tg::data
