// MovieLens readers on fixture files written in the exact formats (tabs, '|', "::", Latin-1
// titles, missing release dates, CRLF lines, a last line without newline): the protocol's
// fields, vocabularies, split and sequences against hand-computed values; every class of
// bad input; the skip option; the options.
#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "core/error.h"
#include "data/batch.h"
#include "data/movielens/movielens100k.h"
#include "../fixture.h"

using namespace tg;
using namespace tg::data;
using tg::testing::TempDir;

namespace {

const char* kFlags1 = "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";  // Animation, Children's, Comedy
const char* kFlags2 = "|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0";  // Action, Adventure, Thriller
const char* kFlags3 = "|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0";  // Drama
const char* kFlags4 = "|0|1|1|1|1|1|1|1|0|0|0|0|0|0|0|0|0|0|0";  // 7 genres: the first 6 kept

// The hand-made ML-100K folder (see the expected values in the test below).
void write_ml100k(const TempDir& d) {
  d.write("u.user", "1|24|M|technician|85711\r\n2|53|F|other|94043\r\n3|17|M|writer|T8H1N\r\n");
  d.write("u.item", std::string("1|Toy Story (1995)|01-Jan-1995||http://x") + kFlags1 + "\n" +
                        "2|GoldenEye (1995)|01-Jan-1995||http://x" + kFlags2 + "\n" +
                        "3|Caf\xE9 (1996)|||http://x" + kFlags3 + "\n" +  // Latin-1, no release date
                        "4|Many|01-Jan-1990||http://x" + kFlags4 + "\n");
  // rows 0..11: user movie rating ts; the last line has no newline.
  d.write("u.data",
          "1\t1\t5\t100\n1\t2\t3\t200\n2\t1\t1\t150\n1\t3\t4\t200\n2\t2\t4\t300\n3\t4\t2\t400\n"
          "1\t4\t5\t500\n3\t1\t5\t600\n2\t3\t3\t700\n1\t2\t1\t800\n3\t3\t4\t900\n2\t4\t5\t1000");
}

std::vector<int32_t> row_ids(const Dataset& d, const char* column, int64_t row) {
  const Column& c = d.column(column);
  return std::vector<int32_t>(c.ids.begin() + row * c.width, c.ids.begin() + (row + 1) * c.width);
}
int32_t id_at(const Dataset& d, const char* column, int64_t row) { return d.column(column).ids[static_cast<size_t>(row)]; }
using V = std::vector<int32_t>;

}  // namespace

TEST_CASE("MovieLens-100K fixture: the protocol's fields, vocabularies, split and sequences") {
  TempDir dir("ml100k");
  write_ml100k(dir);
  MovieLensOptions o;
  o.history_length = 3;
  o.feedback_item_attributes = true;
  o.meta_columns = true;
  const auto s = load_movielens100k(dir.str(), o);
  // 12 ratings, 2 of them 3s; samples in (ts, row) order r0 r2 r3 r4 r5 r6 r7 r9 | r10 | r11.
  CHECK(s.samples == 10);
  CHECK(s.not_samples == 2);
  CHECK(s.report.user_lines == 3);
  CHECK(s.report.movie_lines == 4);
  CHECK(s.report.rating_lines == 12);
  CHECK(s.report.skipped == 0);
  REQUIRE(s.train.rows() == 8);
  REQUIRE(s.valid.rows() == 1);
  REQUIRE(s.test.rows() == 1);
  CHECK(s.train.labels == std::vector<float>{1, 0, 1, 1, 0, 1, 1, 0});
  CHECK(row_ids(s.train, "row", 0) == V{0});
  CHECK(s.train.column("row").ids == V{0, 2, 3, 4, 5, 6, 7, 9});
  CHECK(s.valid.column("row").ids == V{10});
  CHECK(s.test.column("timestamp").ids == V{1000});

  // Vocabularies: training targets only, sorted keys, pad 0, OOV 1.
  const Vocabularies& v = s.train.vocabularies;
  CHECK(v.at("user_id").size() == 5);
  CHECK(v.at("movie_id").size() == 6);
  CHECK(v.at("gender").id("F") == 2);
  CHECK(v.at("gender").id("M") == 3);
  CHECK(v.at("age").keys() == std::vector<std::string>{"1", "18", "50"});
  CHECK(v.at("occupation").keys() == std::vector<std::string>{"other", "technician", "writer"});
  CHECK(v.at("zip3").keys() == std::vector<std::string>{"857", "940", "T8H"});
  CHECK(v.at("genres").keys() == std::vector<std::string>{"1", "2", "3", "4", "5", "6", "8", "16"});
  CHECK(v.at("year").keys() == std::vector<std::string>{"1990", "1995"});
  CHECK(&s.valid.vocabularies.at("movie_id") != &v.at("movie_id"));
  CHECK(s.valid.vocabularies.at("movie_id").keys() == v.at("movie_id").keys());

  // Schema: groups and kinds.
  const Schema& sc = s.train.schema;
  CHECK(sc.field("user_id").group == FieldGroup::User);
  CHECK(sc.field("zip3").group == FieldGroup::User);
  CHECK(sc.field("movie_id").group == FieldGroup::Item);
  CHECK(sc.field("genres").group == FieldGroup::Item);
  CHECK(sc.field("genres").kind == FieldKind::MultiValued);
  CHECK(sc.field("year").group == FieldGroup::Item);
  CHECK(sc.field("history").kind == FieldKind::Sequence);
  CHECK(sc.field("row").kind == FieldKind::Meta);

  // Train row 0 = r0 (user 1, movie 1, t 100): no earlier rating.
  CHECK(id_at(s.train, "user_id", 0) == 2);
  CHECK(id_at(s.train, "movie_id", 0) == 2);
  CHECK(id_at(s.train, "gender", 0) == 3);
  CHECK(id_at(s.train, "age", 0) == 3);         // 24 -> code 18
  CHECK(id_at(s.train, "occupation", 0) == 3);  // technician
  CHECK(id_at(s.train, "zip3", 0) == 2);        // "857"
  CHECK(row_ids(s.train, "genres", 0) == V{4, 5, 6, 0, 0, 0});
  CHECK(id_at(s.train, "year", 0) == 3);
  CHECK(row_ids(s.train, "history", 0) == V{0, 0, 0});
  CHECK(row_ids(s.train, "unclick", 0) == V{5, 3, 2});  // popularity 1 (3), 2 (2), 4 (2), 3 (1): most popular last
  CHECK(row_ids(s.train, "unclick_item", 0) == V{4, 2, 1});
  // Train row 2 = r3 (user 1, movie 3, t 200): r1 (same second) excluded; movie 3 has no year.
  CHECK(row_ids(s.train, "history", 2) == V{0, 0, 2});
  CHECK(row_ids(s.train, "history_item", 2) == V{0, 0, 1});
  CHECK(row_ids(s.train, "like", 2) == V{0, 0, 2});
  CHECK(row_ids(s.train, "dislike", 2) == V{0, 0, 0});
  CHECK(id_at(s.train, "year", 2) == 1);
  CHECK(row_ids(s.train, "genres", 2) == V{8, 0, 0, 0, 0, 0});
  // Train row 4 = r5 (user 3, movie 4 with 7 genres: the first 6 kept).
  CHECK(row_ids(s.train, "genres", 4) == V{2, 3, 4, 5, 6, 7});
  CHECK(id_at(s.train, "age", 4) == 2);  // 17 -> code 1
  CHECK(id_at(s.train, "zip3", 4) == 4);
  // Train row 7 = r9 (user 1, movie 2, t 800): earlier 1@100, 2@200 (row 1), 3@200 (row 3), 4@500.
  CHECK(row_ids(s.train, "history", 7) == V{3, 4, 5});  // truncated to the last 3
  CHECK(row_ids(s.train, "like", 7) == V{2, 4, 5});
  CHECK(row_ids(s.train, "like_item", 7) == V{1, 3, 4});
  CHECK(row_ids(s.train, "dislike", 7) == V{0, 0, 0});
  CHECK(row_ids(s.train, "unclick", 7) == V{0, 0, 0});  // every popular movie already rated
  // Valid = r10 (user 3, movie 3, t 900): earlier 4 (r2) @400, 1 (r5) @600.
  CHECK(row_ids(s.valid, "history", 0) == V{0, 5, 2});
  CHECK(row_ids(s.valid, "like", 0) == V{0, 0, 2});
  CHECK(row_ids(s.valid, "dislike", 0) == V{0, 0, 5});
  CHECK(row_ids(s.valid, "unclick", 0) == V{0, 4, 3});
  CHECK(id_at(s.valid, "year", 0) == 1);
  // Test = r11 (user 2, movie 4, t 1000): earlier 1 (r1) @150, 2 (r4) @300, 3 (r3) @700.
  CHECK(row_ids(s.test, "history", 0) == V{2, 3, 4});
  CHECK(row_ids(s.test, "like", 0) == V{0, 0, 3});
  CHECK(row_ids(s.test, "dislike", 0) == V{0, 0, 2});
  CHECK(row_ids(s.test, "unclick", 0) == V{0, 0, 5});
  s.train.validate();
  s.valid.validate();
  s.test.validate();

  // Item attributes through the item tables: every element's own genres (right-padded).
  const std::vector<int64_t> rows = {7};
  const Batch b = make_batch(s.train, rows);
  CHECK(b["history.genres"].shape() == Shape{1, 3, 6});
  CHECK(b["like.genres"].shape() == Shape{1, 3, 6});
  const int64_t* g = b["history.genres"].data<int64_t>();
  CHECK(std::vector<int64_t>(g, g + 18) ==
        std::vector<int64_t>{2, 3, 9, 0, 0, 0, 8, 0, 0, 0, 0, 0, 2, 3, 4, 5, 6, 7});  // movies 2, 3, 4
}

TEST_CASE("MovieLens options: binarization thresholds, random split, sampled unclick, no feedback") {
  TempDir dir("mlopt");
  write_ml100k(dir);
  MovieLensOptions o;
  o.history_length = 3;
  o.positive_min = 4;
  o.negative_max = 3;  // every rating is a sample: >= 4 positive
  const auto all = load_movielens100k(dir.str(), o);
  CHECK(all.samples == 12);
  CHECK(all.not_samples == 0);
  CHECK(all.train.rows() + all.valid.rows() + all.test.rows() == 12);
  o.positive_min = 5;
  o.negative_max = 1;  // only the extremes
  CHECK(load_movielens100k(dir.str(), o).samples == 6);

  MovieLensOptions r;
  r.history_length = 3;
  r.split = MovieLensSplitMode::Random;
  r.train = 0.5;
  r.valid = 0.25;
  const auto a = load_movielens100k(dir.str(), r), b = load_movielens100k(dir.str(), r);
  CHECK(a.train.rows() + a.valid.rows() + a.test.rows() == 10);
  CHECK(a.train.column("movie_id").ids == b.train.column("movie_id").ids);  // seeded
  CHECK(a.test.column("history").ids == b.test.column("history").ids);

  MovieLensOptions u;
  u.history_length = 3;
  u.unclick = UnclickMode::Sampled;
  u.feedback_item_attributes = true;
  const auto x = load_movielens100k(dir.str(), u), y = load_movielens100k(dir.str(), u);
  CHECK(x.train.column("unclick").ids == y.train.column("unclick").ids);
  // Row 2 = r3 (user 1 rated only movie 1 before t 200): draws from movies 2, 3, 4.
  const auto items = row_ids(x.train, "unclick_item", 2);
  std::vector<int32_t> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == V{2, 3, 4});

  MovieLensOptions n;
  n.feedback_sequences = false;
  const auto plain = load_movielens100k(dir.str(), n);
  CHECK(!plain.train.has_column("unclick"));
  CHECK(plain.train.has_column("history"));

  MovieLensOptions z;
  z.zip_prefix = 0;
  CHECK(load_movielens100k(dir.str(), z).train.vocabularies.at("zip").keys() ==
        std::vector<std::string>{"85711", "94043", "T8H1N"});

  MovieLensOptions bad;
  bad.negative_max = 4;
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.str(), bad), "MovieLens: negative_max 4 must be below positive_min 4", Error);
  bad = {};
  bad.history_length = 0;
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.str(), bad), doctest::Contains("history_length must be positive"), Error);
  bad = {};
  bad.train = 0.9;
  bad.valid = 0.2;
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.str(), bad), doctest::Contains("must be positive and sum to at most 1"),
                       Error);
}

TEST_CASE("MovieLens-100K reader: every bad input names the file, line and field") {
  TempDir dir("mlbad");
  write_ml100k(dir);
  auto load = [&] { return load_movielens100k(dir.str()); };
  const std::string good_data = "1\t1\t5\t100\n2\t1\t1\t150\n";
  dir.write("u.data", "1\t1\t5\t100\n1\t1\t7\t200\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:2: field 'rating': 7 is not in 1..5"), Error);
  dir.write("u.data", "1\t1\t5\t100\n9\t1\t4\t200\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:2: field 'user': 9 is not in u.user"), Error);
  dir.write("u.data", "1\t1\t5\t100\n1\t99\t4\t200\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:2: field 'movie': 99 is not in u.item"), Error);
  dir.write("u.data", "1\t1\t5\t100\n\n1\t1\t5\n");  // blank lines are skipped but counted
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:3: expected 4 tab-separated fields, got 3"), Error);
  dir.write("u.data", "1\tx\t5\t100\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:1: field 'movie': expected an integer, got 'x'"), Error);
  dir.write("u.data", "1\t1\t5\t100\n1\t1\t5\t1");  // not a truncated line: a complete last line
  CHECK(load().samples == 2);
  dir.write("u.data", "1\t1\t5\t100\n1\t1\t");  // truncated last line
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:2: expected 4 tab-separated fields, got 3"), Error);
  dir.write("u.data", "1\t1\t5\t100\n1\t1\t5\t");  // truncated inside the last field
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data:2: field 'timestamp': expected an integer, got ''"), Error);
  dir.write("u.data", "");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data: empty file"), Error);
  dir.write("u.data", "\n\r\n\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.data: no data lines"), Error);
  dir.write("u.data", "1\t1\t3\t100\n");  // no rating is a sample
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("no samples"), Error);
  std::filesystem::remove(dir.file("u.data"));
  const std::string cannot_open = "cannot open '" + dir.file("u.data") + "'";
  CHECK_THROWS_WITH_AS(load(), doctest::Contains(cannot_open.c_str()), Error);
  std::filesystem::create_directory(dir.file("u.data"));  // unreadable: a folder
  CHECK_THROWS_WITH_AS(load(), doctest::Contains(dir.file("u.data").c_str()), Error);
  std::filesystem::remove(dir.file("u.data"));
  dir.write("u.data", good_data);
  dir.write("u.user", "1|24|M|technician|85711\n1|30|F|other|00000\n2|53|F|other|94043\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.user:2: field 'user': user 1 is defined twice"), Error);
  dir.write("u.user", "1|24|X|technician|85711\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.user:1: field 'gender': expected F or M, got 'X'"), Error);
  dir.write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n");
  dir.write("u.item", std::string("1|T|01-Jan-1995||u") + kFlags1 + "\n1|T|01-Jan-1995||u" + kFlags1 + "\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.item:2: field 'movie': movie 1 is defined twice"), Error);
  dir.write("u.item", "1|T|01-Jan-1995||u|0|1\n");
  CHECK_THROWS_WITH_AS(load(), doctest::Contains("u.item:1: expected 24 '|'-separated fields, got 7"), Error);
}

TEST_CASE("MovieLens-100K reader: skip_bad_lines skips, counts and reports") {
  TempDir dir("mlskip");
  write_ml100k(dir);
  dir.write("u.data",
            "1\t1\t5\t100\n1\t1\t7\t200\n2\t1\t1\t150\n9\t1\t4\t160\ngarbage\n1\t3\t4\t200\n2\t2\t4\t300\n"
            "3\t4\t2\t400\n1\t4\t5\t500\n3\t1\t5\t600\n1\t2\t1\t800\n3\t3\t4\t900\n2\t4\t5\t1000\n");
  dir.write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|17|M|writer|T8H1N\n4|x|M|writer|T8H1N\n");
  MovieLensOptions o;
  o.skip_bad_lines = true;
  const auto s = load_movielens100k(dir.str(), o);
  CHECK(s.report.skipped == 4);
  CHECK(s.report.user_lines == 4);
  CHECK(s.report.rating_lines == 13);
  REQUIRE(s.report.skipped_examples.size() == 4);
  CHECK(s.report.skipped_examples[0].find("u.user:4: field 'age'") != std::string::npos);
  CHECK(s.report.skipped_examples[1].find("u.data:2: field 'rating': 7 is not in 1..5") != std::string::npos);
  CHECK(s.report.skipped_examples[2].find("u.data:4: field 'user': 9 is not in u.user") != std::string::npos);
  CHECK(s.report.skipped_examples[3].find("u.data:5: expected 4 tab-separated fields, got 1") != std::string::npos);
  CHECK(s.samples == 10);  // the fixture's 10 samples (its two 3s are not in this u.data)
  CHECK(s.train.rows() == 8);
  // Without the option the first bad line stops reading.
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.str()), doctest::Contains("u.user:4: field 'age'"), Error);
}

TEST_CASE("MovieLens-1M reader: '::' files, Latin-1 titles, genres by name, years from titles") {
  TempDir dir("ml1m");
  dir.write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n");
  dir.write("movies.dat",
            "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Caf\xE9 Society (1999)::Drama\n"
            "3::Untitled::Western\n");
  dir.write("ratings.dat",
            "1::1::5::978300760\n2::2::1::978300761\n1::2::4::978300762\n2::1::3::978300763\n3::3::5::978300764\n"
            "3::1::2::978300765\n1::3::4::978300766\n2::3::5::978300767\n2::2::4::978300768\n3::2::1::978300769\n"
            "1::3::2::978300770\n");
  MovieLensOptions o;
  o.history_length = 4;
  const auto s = load_movielens1m(dir.str(), o);
  CHECK(s.samples == 10);
  CHECK(s.train.rows() == 8);
  CHECK(s.valid.rows() == 1);
  CHECK(s.test.rows() == 1);
  const Vocabularies& v = s.train.vocabularies;
  CHECK(v.at("age").keys() == std::vector<std::string>{"1", "25", "56"});        // already codes
  CHECK(v.at("occupation").keys() == std::vector<std::string>{"10", "15", "16"});  // codes, numerically
  CHECK(v.at("genres").keys() == std::vector<std::string>{"3", "4", "5", "8", "18"});
  CHECK(v.at("year").keys() == std::vector<std::string>{"1995", "1999"});
  // Train row 0: user 1, movie 1; row 3 (user 3, movie 3 "Untitled": no year -> OOV).
  CHECK(row_ids(s.train, "genres", 0) == V{2, 3, 4, 0, 0, 0});
  CHECK(id_at(s.train, "year", 3) == 1);
  // The last train row (user 2, movie 2 at ...768): earlier 2 (r1), 1 (r3 the 3), 3 (r7).
  CHECK(row_ids(s.train, "history", 7) == V{0, 3, 2, 4});
  CHECK(row_ids(s.train, "like", 7) == V{0, 0, 0, 4});
  CHECK(row_ids(s.train, "dislike", 7) == V{0, 0, 0, 3});
  const auto tables = read_movielens1m_tables(dir.str());
  CHECK(tables.movies[2].title == "Caf\xC3\xA9 Society (1999)");  // UTF-8
  CHECK(tables.users[3].zip == "55117");

  dir.write("movies.dat", "1::Toy Story (1995)::Animation|Cartoon\n");
  CHECK_THROWS_WITH_AS(load_movielens1m(dir.str()),
                       doctest::Contains("movies.dat:1: field 'Genres': unknown genre 'Cartoon'"), Error);
  dir.write("movies.dat", "1::Toy Story (1995)::Animation\n");
  dir.write("ratings.dat", "1::1::5::978300760\n4::1::5::978300761\n");
  CHECK_THROWS_WITH_AS(load_movielens1m(dir.str()), doctest::Contains("ratings.dat:2: field 'UserID': 4 is not in users.dat"),
                       Error);
  dir.write("ratings.dat", "1::1::5::978300760\n1::1::0::978300761\n");
  CHECK_THROWS_WITH_AS(load_movielens1m(dir.str()), doctest::Contains("ratings.dat:2: field 'Rating': 0 is not in 1..5"),
                       Error);
  dir.write("users.dat", "1::F::1::10\n");
  CHECK_THROWS_WITH_AS(load_movielens1m(dir.str()), doctest::Contains("users.dat:1: expected 5 '::'-separated fields, got 4"),
                       Error);
}

TEST_CASE("MovieLens-1M partial (real users.dat / movies.dat, the ratings excerpt)") {
  const std::string real = tg::testing::shared_data("movielens-1m-partial");
  if (!std::filesystem::exists(real + "/users.dat")) {
    MESSAGE("skipped: " << real << " is not present");
    return;
  }
  TempDir joined("ml1m-real");
  std::filesystem::create_symlink(real + "/users.dat", joined.file("users.dat"));
  std::filesystem::create_symlink(real + "/movies.dat", joined.file("movies.dat"));
  std::filesystem::create_symlink(real + "/ratings_excerpt/ratings.dat", joined.file("ratings.dat"));
  const auto t = read_movielens1m_tables(joined.str());
  // README: users.dat 6,040 rows, movies.dat 3,883 rows, the excerpt 19 rows.
  CHECK(t.report.user_lines == 6040);
  CHECK(t.report.movie_lines == 3883);
  CHECK(t.report.rating_lines == 19);
  CHECK(std::count_if(t.users.begin(), t.users.end(), [](const MovieLensUser& u) { return u.present; }) == 6040);
  CHECK(std::count_if(t.movies.begin(), t.movies.end(), [](const MovieLensMovie& m) { return m.present; }) == 3883);
  // Known rows (README formats): user 1 "1::F::1::10::48067"; movie 1 Toy Story (1995).
  CHECK(t.users[1].gender == "F");
  CHECK(t.users[1].age_code == 1);
  CHECK(t.users[1].occupation == "10");
  CHECK(t.users[1].zip == "48067");
  CHECK(t.movies[1].title == "Toy Story (1995)");
  CHECK(t.movies[1].year == 1995);
  CHECK(t.movies[1].genres == ((1u << 3) | (1u << 4) | (1u << 5)));
  CHECK(t.movies.size() == 3953);  // MovieIDs up to 3952
  int64_t threes = 0;
  for (const auto& r : t.ratings) threes += r.rating == 3;
  const auto s = build_movielens_splits(t);
  CHECK(s.samples == 19 - threes);
}
