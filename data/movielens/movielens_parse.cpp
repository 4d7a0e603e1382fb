#include "data/movielens/movielens_parse.h"

#include <array>

#include "core/error.h"
#include "data/movielens/text_fields.h"

namespace tg::data {

namespace {

// Splits into at most N views (no allocation); returns the true field count, so that a
// line with too many fields is reported with its real count.
template <size_t N>
size_t split_fixed(std::string_view line, std::string_view delimiter, std::array<std::string_view, N>& out) {
  size_t count = 0, start = 0;
  while (true) {
    const size_t d = line.find(delimiter, start);
    const std::string_view piece = line.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start);
    if (count < N) out[count] = piece;
    ++count;
    if (d == std::string_view::npos) return count;
    start = d + delimiter.size();
  }
}

const char* describe(std::string_view delimiter) {
  return delimiter == "\t" ? "tab" : delimiter == "|" ? "'|'" : "'::'";
}

int32_t parse_id(std::string_view text, const char* field) {
  return static_cast<int32_t>(parse_field_int(text, field, 1, kMaxMovieLensId));
}

MovieLensRatingLine parse_rating(std::string_view line, std::string_view delimiter, const char* const names[4]) {
  std::array<std::string_view, 4> f;
  const size_t n = split_fixed(line, delimiter, f);
  check(n == 4, "expected 4 {}-separated fields, got {}", describe(delimiter), n);
  MovieLensRatingLine r;
  r.user = parse_id(f[0], names[0]);
  r.movie = parse_id(f[1], names[1]);
  const int64_t rating = parse_field_int(f[2], names[2], INT64_MIN, INT64_MAX);
  check(rating >= 1 && rating <= 5, "field '{}': {} is not in 1..5", names[2], rating);
  r.rating = static_cast<int32_t>(rating);
  r.timestamp = parse_field_int(f[3], names[3], 0, INT64_MAX);
  return r;
}

std::string_view gender_of(std::string_view text, const char* field) {
  check(text == "F" || text == "M", "field '{}': expected F or M, got '{}'", field, text.substr(0, 40));
  return text;
}

}  // namespace

int movielens_age_code(int age) {
  if (age < 18) return 1;
  if (age <= 24) return 18;
  if (age <= 34) return 25;
  if (age <= 44) return 35;
  if (age <= 49) return 45;
  if (age <= 55) return 50;
  return 56;
}

int movielens_genre_index(std::string_view name) {
  static constexpr std::string_view kNames[] = {"Action",  "Adventure", "Animation", "Children's", "Comedy",
                                                "Crime",   "Documentary", "Drama",   "Fantasy",    "Film-Noir",
                                                "Horror",  "Musical",   "Mystery",   "Romance",    "Sci-Fi",
                                                "Thriller", "War",      "Western"};
  for (int g = 0; g < 18; ++g)
    if (kNames[g] == name) return g + 1;
  return -1;
}

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (unsigned char c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

MovieLensRatingLine parse_ml100k_rating_line(std::string_view line) {
  static const char* const kNames[4] = {"user", "movie", "rating", "timestamp"};
  return parse_rating(line, "\t", kNames);
}

MovieLensRatingLine parse_ml1m_rating_line(std::string_view line) {
  static const char* const kNames[4] = {"UserID", "MovieID", "Rating", "Timestamp"};
  return parse_rating(line, "::", kNames);
}

MovieLensUserLine parse_ml100k_user_line(std::string_view line) {
  std::array<std::string_view, 5> f;
  const size_t n = split_fixed(line, "|", f);
  check(n == 5, "expected 5 '|'-separated fields, got {}", n);
  MovieLensUserLine u;
  u.user = parse_id(f[0], "user");
  u.age_code = movielens_age_code(static_cast<int>(parse_field_int(f[1], "age", 0, 150)));
  u.gender = gender_of(f[2], "gender");
  check(!f[3].empty(), "field 'occupation': empty");
  u.occupation = f[3];
  check(!f[4].empty(), "field 'zip': empty");
  u.zip = f[4];
  return u;
}

MovieLensUserLine parse_ml1m_user_line(std::string_view line) {
  std::array<std::string_view, 5> f;
  const size_t n = split_fixed(line, "::", f);
  check(n == 5, "expected 5 '::'-separated fields, got {}", n);
  MovieLensUserLine u;
  u.user = parse_id(f[0], "UserID");
  u.gender = gender_of(f[1], "Gender");
  const auto age = parse_field_int(f[2], "Age", 0, 150);
  check(age == 1 || age == 18 || age == 25 || age == 35 || age == 45 || age == 50 || age == 56,
        "field 'Age': {} is not an ML-1M age code (1, 18, 25, 35, 45, 50, 56)", age);
  u.age_code = static_cast<int32_t>(age);
  parse_field_int(f[3], "Occupation", 0, 20);
  u.occupation = f[3];
  check(!f[4].empty(), "field 'Zip-code': empty");
  u.zip = f[4];
  return u;
}

MovieLensMovieLine parse_ml100k_item_line(std::string_view line) {
  constexpr size_t kFields = 5 + kMovieLensGenres;
  std::array<std::string_view, kFields> f;
  const size_t n = split_fixed(line, "|", f);
  check(n == kFields, "expected {} '|'-separated fields, got {}", kFields, n);
  MovieLensMovieLine m;
  m.movie = parse_id(f[0], "movie");
  m.title = f[1];
  const std::string_view date = f[2];
  if (!date.empty()) {
    check(date.size() >= 4, "field 'release_date': '{}' has no year", date);
    m.year = static_cast<int32_t>(parse_field_int(date.substr(date.size() - 4), "release_date", 1, 9999));
  }
  for (int g = 0; g < kMovieLensGenres; ++g) {
    const std::string_view flag = f[static_cast<size_t>(5 + g)];
    check(flag == "0" || flag == "1", "field 'genre {}': expected 0 or 1, got '{}'", g, flag.substr(0, 40));
    if (flag == "1") m.genres |= 1u << g;
  }
  return m;
}

MovieLensMovieLine parse_ml1m_movie_line(std::string_view line) {
  std::array<std::string_view, 3> f;
  const size_t n = split_fixed(line, "::", f);
  check(n == 3, "expected 3 '::'-separated fields, got {}", n);
  MovieLensMovieLine m;
  m.movie = parse_id(f[0], "MovieID");
  m.title = f[1];
  // "Title (1995)": the year is the last parenthesised 4 digits, if any.
  std::string_view t = m.title;
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.size() >= 6 && t.back() == ')' && t[t.size() - 6] == '(') {
    const std::string_view y = t.substr(t.size() - 5, 4);
    bool digits = true;
    for (char c : y) digits = digits && c >= '0' && c <= '9';
    if (digits) m.year = static_cast<int32_t>(parse_field_int(y, "Title", 0, 9999));
  }
  check(!f[2].empty(), "field 'Genres': empty");
  size_t start = 0;
  while (true) {
    const size_t bar = f[2].find('|', start);
    const std::string_view name = f[2].substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    const int g = movielens_genre_index(name);
    check(g >= 0, "field 'Genres': unknown genre '{}'", name.substr(0, 40));
    m.genres |= 1u << g;
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return m;
}

}  // namespace tg::data
