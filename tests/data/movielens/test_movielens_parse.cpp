// MovieLens line parsers: every field of a good line, every class of bad line (the message
// names the field), Latin-1 titles, missing release dates.
#include <doctest/doctest.h>

#include "core/error.h"
#include "data/movielens/movielens_parse.h"
#include "data/movielens/text_fields.h"

using namespace tg;
using namespace tg::data;

TEST_CASE("MovieLens parse: u.data lines") {
  const auto r = parse_ml100k_rating_line("196\t242\t3\t881250949");
  CHECK(r.user == 196);
  CHECK(r.movie == 242);
  CHECK(r.rating == 3);
  CHECK(r.timestamp == 881250949);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("196\t242\t3"), "expected 4 tab-separated fields, got 3", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("196\t242\t3\t1\t5"), "expected 4 tab-separated fields, got 5", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("196\tx\t3\t1"), "field 'movie': expected an integer, got 'x'", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("196\t242\t3.5\t1"), "field 'rating': expected an integer, got '3.5'",
                       Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("196\t242\t6\t1"), "field 'rating': 6 is not in 1..5", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("196\t242\t0\t1"), "field 'rating': 0 is not in 1..5", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("0\t242\t1\t1"), "field 'user': 0 is out of range [1, 10000000]", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("1\t242\t1\t-5"),
                       doctest::Contains("field 'timestamp': -5 is out of range"), Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("1\t242\t1\t99999999999999999999999"),
                       doctest::Contains("field 'timestamp': 99999999999999999999999 is out of range"), Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line("1 \t242\t1\t5"), "field 'user': expected an integer, got '1 '", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line(""), "expected 4 tab-separated fields, got 1", Error);
  // A long garbage field is shown cut to 40 bytes.
  CHECK_THROWS_WITH_AS(parse_ml100k_rating_line(std::string(100, 'z') + "\t1\t1\t1"),
                       ("field 'user': expected an integer, got '" + std::string(40, 'z') + "...'").c_str(), Error);
}

TEST_CASE("MovieLens parse: u.user lines, ages mapped to ML-1M codes") {
  const auto u = parse_ml100k_user_line("1|24|M|technician|85711");
  CHECK(u.user == 1);
  CHECK(u.age_code == 18);
  CHECK(u.gender == "M");
  CHECK(u.occupation == "technician");
  CHECK(u.zip == "85711");
  CHECK(parse_ml100k_user_line("2|53|F|other|T8H1N").zip == "T8H1N");
  const int ages[] = {7, 17, 18, 24, 25, 34, 35, 44, 45, 49, 50, 55, 56, 73};
  const int codes[] = {1, 1, 18, 18, 25, 25, 35, 35, 45, 45, 50, 50, 56, 56};
  for (int i = 0; i < 14; ++i) CHECK(movielens_age_code(ages[i]) == codes[i]);
  CHECK_THROWS_WITH_AS(parse_ml100k_user_line("1|24|X|technician|85711"), "field 'gender': expected F or M, got 'X'",
                       Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_user_line("1|old|M|technician|85711"), "field 'age': expected an integer, got 'old'",
                       Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_user_line("1|24|M|technician"), "expected 5 '|'-separated fields, got 4", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_user_line("1|24|M||85711"), "field 'occupation': empty", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_user_line("1|24|M|writer|"), "field 'zip': empty", Error);
}

TEST_CASE("MovieLens parse: u.item lines (Latin-1 title, 19 flags, missing date)") {
  const std::string flags = "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";
  // The title is a view into the line: the line must outlive it.
  const std::string line = "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)" + flags;
  const auto m = parse_ml100k_item_line(line);
  CHECK(m.movie == 1);
  CHECK(m.title == "Toy Story (1995)");
  CHECK(m.year == 1995);
  CHECK(m.genres == ((1u << 3) | (1u << 4) | (1u << 5)));  // Animation, Children's, Comedy
  // Latin-1 byte 0xE9 in the title; no release date (movie 267 of the real file).
  const auto c = parse_ml100k_item_line("267|unknown \xE9t\xE9||||1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0");
  CHECK(c.year == 0);
  CHECK(c.genres == 1u);
  CHECK(c.title == "unknown \xE9t\xE9");
  CHECK(latin1_to_utf8(c.title) == "unknown \xC3\xA9t\xC3\xA9");
  CHECK_THROWS_WITH_AS(parse_ml100k_item_line("1|T|01-Jan-1995||u|0|0"), "expected 24 '|'-separated fields, got 7", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_item_line("1|T|01-Jan-1995||u|0|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0"),
                       "field 'genre 2': expected 0 or 1, got '2'", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_item_line("1|T|Jan||u" + flags), "field 'release_date': 'Jan' has no year", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_item_line("1|T|01-Jan-19x5||u" + flags),
                       "field 'release_date': expected an integer, got '19x5'", Error);
  CHECK_THROWS_WITH_AS(parse_ml100k_item_line("m|T|01-Jan-1995||u" + flags),
                       "field 'movie': expected an integer, got 'm'", Error);
}

TEST_CASE("MovieLens parse: ML-1M '::' lines (genres by name, year from the title)") {
  const auto r = parse_ml1m_rating_line("1::1193::5::978300760");
  CHECK(r.user == 1);
  CHECK(r.movie == 1193);
  CHECK(r.rating == 5);
  CHECK(r.timestamp == 978300760);
  CHECK_THROWS_WITH_AS(parse_ml1m_rating_line("1::1193::5"), "expected 4 '::'-separated fields, got 3", Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_rating_line("1:1193:5:978300760"), "expected 4 '::'-separated fields, got 1", Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_rating_line("1::1193::9::978300760"), "field 'Rating': 9 is not in 1..5", Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_rating_line("1::abc::5::978300760"), "field 'MovieID': expected an integer, got 'abc'",
                       Error);

  const auto u = parse_ml1m_user_line("2::M::56::16::70072");
  CHECK(u.user == 2);
  CHECK(u.gender == "M");
  CHECK(u.age_code == 56);
  CHECK(u.occupation == "16");
  CHECK(u.zip == "70072");
  CHECK_THROWS_WITH_AS(parse_ml1m_user_line("2::M::57::16::70072"),
                       "field 'Age': 57 is not an ML-1M age code (1, 18, 25, 35, 45, 50, 56)", Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_user_line("2::M::56::21::70072"), "field 'Occupation': 21 is out of range [0, 20]",
                       Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_user_line("2::m::56::16::70072"), "field 'Gender': expected F or M, got 'm'", Error);

  const auto m = parse_ml1m_movie_line("2::Jumanji (1995)::Adventure|Children's|Fantasy");
  CHECK(m.movie == 2);
  CHECK(m.year == 1995);
  CHECK(m.genres == ((1u << 2) | (1u << 4) | (1u << 9)));  // the 100K indices
  CHECK(parse_ml1m_movie_line("73::Mis\xE9rables, Les (1995)::Drama|Musical").year == 1995);
  CHECK(parse_ml1m_movie_line("9::No year here::Drama").year == 0);
  CHECK(movielens_genre_index("Western") == 18);
  CHECK(movielens_genre_index("western") == -1);
  CHECK_THROWS_WITH_AS(parse_ml1m_movie_line("1::Toy Story (1995)::Animation|Cartoon"),
                       "field 'Genres': unknown genre 'Cartoon'", Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_movie_line("1::Toy Story (1995)::"), "field 'Genres': empty", Error);
  CHECK_THROWS_WITH_AS(parse_ml1m_movie_line("1::Toy Story (1995)"), "expected 3 '::'-separated fields, got 2", Error);
}

TEST_CASE("text fields: strict numbers") {
  CHECK(parse_field_int("42", "f", 0, 100) == 42);
  CHECK_THROWS_WITH_AS(parse_field_int("+4", "f", 0, 100), "field 'f': expected an integer, got '+4'", Error);
  CHECK_THROWS_WITH_AS(parse_field_int("", "f", 0, 100), "field 'f': expected an integer, got ''", Error);
  CHECK_THROWS_WITH_AS(parse_field_int("101", "f", 0, 100), "field 'f': 101 is out of range [0, 100]", Error);
  CHECK(parse_field_double("3.5", "p") == 3.5);
  CHECK_THROWS_WITH_AS(parse_field_double("nan", "p"), "field 'p': expected a number, got 'nan'", Error);
  CHECK_THROWS_WITH_AS(parse_field_double("1e999", "p"), "field 'p': expected a number, got '1e999'", Error);
}
