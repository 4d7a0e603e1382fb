// Every count and checksum of ../shared/data/movielens-100k/PROTOCOL.md §1.4, §1.6 and §1.7,
// reproduced exactly by data::load_movielens100k (skipped when ../shared/data is absent).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include "core/error.h"
#include "data/batch.h"
#include "data/movielens/movielens100k.h"
#include "data/movielens/movielens_sequences.h"
#include "../fixture.h"

using namespace tg;
using namespace tg::data;

namespace {

std::string ml100k_dir() { return tg::testing::shared_data("movielens-100k"); }

// The preset with the raw-number twins of the feedback sequences and the meta columns (the
// checks below need raw movie ids and file rows; the protocol's columns are unchanged).
const MovieLensSplits* splits() {
  static std::unique_ptr<MovieLensSplits> cached;
  if (!cached && std::filesystem::exists(ml100k_dir() + "/u.data")) {
    MovieLensOptions o;
    o.feedback_item_attributes = true;
    o.meta_columns = true;
    cached = std::make_unique<MovieLensSplits>(load_movielens100k(ml100k_dir(), o));
  }
  return cached.get();
}

int64_t sum_ids(const Dataset& d, const char* col) {
  int64_t s = 0;
  for (int32_t v : d.column(col).ids) s += v;
  return s;
}
int64_t count_eq(const Dataset& d, const char* col, int32_t value) {
  int64_t s = 0;
  for (int32_t v : d.column(col).ids) s += v == value;
  return s;
}

struct SeqStats {
  int64_t length = 0, empty = 0, full = 0, oov = 0, ids = 0, weighted = 0;
};
SeqStats seq_stats(const Dataset& d, const char* col) {
  const Column& c = d.column(col);
  SeqStats s;
  for (int64_t r = 0; r < d.rows(); ++r) {
    int64_t len = 0;
    for (int64_t p = 0; p < c.width; ++p) {
      int32_t v = c.ids[static_cast<size_t>(r * c.width + p)];
      if (v == 0) continue;
      ++len;
      s.oov += v == 1;
      s.ids += v;
      s.weighted += static_cast<int64_t>(v) * (p + 1);
    }
    s.length += len;
    s.empty += len == 0;
    s.full += len == c.width;
  }
  return s;
}

}  // namespace

TEST_CASE("MovieLens-100K protocol: vocabularies (§1.4)") {
  const MovieLensSplits* s = splits();
  if (!s) {
    MESSAGE("skipped: " << ml100k_dir() << " is not present");
    return;
  }
  const Vocabularies& v = s->train.vocabularies;
  CHECK(v.at("user_id").size() == 752);
  CHECK(v.at("movie_id").size() == 1581);
  CHECK(v.at("gender").size() == 4);
  CHECK(v.at("age").size() == 9);
  CHECK(v.at("occupation").size() == 23);
  CHECK(v.at("zip3").size() == 345);
  CHECK(v.at("genres").size() == 21);
  CHECK(v.at("year").size() == 73);
  CHECK(v.at("gender").id("F") == 2);
  CHECK(v.at("gender").id("M") == 3);
  CHECK(v.at("age").id("1") == 2);
  CHECK(v.at("age").id("56") == 8);
  CHECK(v.at("occupation").id("administrator") == 2);
  CHECK(v.at("occupation").id("writer") == 22);
  CHECK(v.at("zip3").id("000") == 2);
  CHECK(v.at("zip3").id("998") == 329);
  CHECK(v.at("zip3").id("E2A") == 330);
  CHECK(v.at("zip3").id("Y1A") == 344);
  CHECK(v.at("year").id("1922") == 2);
  for (int g = 0; g < 19; ++g) CHECK(v.at("genres").id(std::to_string(g)) == g + 2);
}

TEST_CASE("MovieLens-100K protocol: split counts and target checksums (§1.6)") {
  const MovieLensSplits* s = splits();
  if (!s) {
    MESSAGE("skipped: ../shared/data is not present");
    return;
  }
  struct Row {
    const Dataset* d;
    int64_t rows, pos, user_oov, movie_oov, zip_oov, year_oov;
    int64_t user, movie, gender, age, occupation, zip3, year, genres_ids, genres_count;
  };
  const Row table[] = {
      {&s->train, 58284, 44101, 0, 0, 0, 6, 21279325, 23814388, 160038, 251614, 759034, 10379796, 3594498, 1328790, 124339},
      {&s->valid, 7285, 5669, 6278, 50, 1395, 0, 309981, 2960280, 19945, 36673, 92902, 1095928, 442788, 167800, 15464},
      {&s->test, 7286, 5605, 6250, 117, 1268, 0, 316888, 3077739, 19626, 34847, 99131, 1093442, 442496, 167627, 15530}};
  for (const auto& r : table) {
    const Dataset& d = *r.d;
    CHECK(d.rows() == r.rows);
    int64_t pos = 0;
    for (float y : d.labels) pos += y == 1.0f;
    CHECK(pos == r.pos);
    CHECK(count_eq(d, "user_id", 1) == r.user_oov);
    CHECK(count_eq(d, "movie_id", 1) == r.movie_oov);
    CHECK(count_eq(d, "zip3", 1) == r.zip_oov);
    CHECK(count_eq(d, "year", 1) == r.year_oov);
    CHECK(sum_ids(d, "user_id") == r.user);
    CHECK(sum_ids(d, "movie_id") == r.movie);
    CHECK(sum_ids(d, "gender") == r.gender);
    CHECK(sum_ids(d, "age") == r.age);
    CHECK(sum_ids(d, "occupation") == r.occupation);
    CHECK(sum_ids(d, "zip3") == r.zip3);
    CHECK(sum_ids(d, "year") == r.year);
    CHECK(sum_ids(d, "genres") == r.genres_ids);
    CHECK(d.column("genres").ids.size() - static_cast<size_t>(count_eq(d, "genres", 0)) == static_cast<size_t>(r.genres_count));
    d.validate();
  }
}

TEST_CASE("MovieLens-100K protocol: history and feedback sequences (§1.5, §1.7)") {
  const MovieLensSplits* s = splits();
  if (!s) {
    MESSAGE("skipped: ../shared/data is not present");
    return;
  }
  struct Row {
    const Dataset* d;
    const char* seq;
    int64_t length, empty, full, oov, ids, weighted, raw;
  };
  const Row table[] = {
      {&s->train, "history", 2225186, 1251, 34000, 1165, 921502563, 25602618698, 926265624},
      {&s->train, "like", 1870201, 1703, 23957, 0, 680310494, 19999067601, 681403838},
      {&s->train, "dislike", 766501, 7465, 4215, 0, 395981498, 13901427751, 398414265},
      {&s->train, "unclick", 2914200, 0, 58284, 0, 619148853, 14301272877, 616473650},
      {&s->valid, "history", 259173, 215, 3692, 940, 106865790, 3035338636, 108294056},
      {&s->valid, "like", 210359, 319, 2420, 532, 80096330, 2419728194, 80833536},
      {&s->valid, "dislike", 75084, 945, 289, 309, 35538458, 1323681177, 36128163},
      {&s->valid, "unclick", 364250, 0, 7285, 0, 74485185, 1714118538, 74148744},
      {&s->test, "history", 293978, 128, 4824, 3375, 126022153, 3422900318, 130456258},
      {&s->test, "like", 256804, 238, 3592, 1947, 104213932, 2968583787, 106747567},
      {&s->test, "dislike", 108836, 764, 764, 1310, 52902680, 1827005602, 54796280},
      {&s->test, "unclick", 364300, 0, 7286, 0, 78296719, 1805686956, 77965265}};
  for (const auto& r : table) {
    CAPTURE(r.seq);
    CAPTURE(r.d->rows());
    SeqStats st = seq_stats(*r.d, r.seq);
    CHECK(st.length == r.length);
    CHECK(st.empty == r.empty);
    CHECK(st.full == r.full);
    CHECK(st.oov == r.oov);
    CHECK(st.ids == r.ids);
    CHECK(st.weighted == r.weighted);
    const std::string raw_column = std::string(r.seq) + "_item";
    CHECK(sum_ids(*r.d, raw_column.c_str()) == r.raw);
    // The raw twin holds the same elements: present exactly where the vocabulary ids are.
    CHECK(seq_stats(*r.d, raw_column.c_str()).length == r.length);
  }
  // Rows entering DUMN's triplet loss: both sequences of a pair non-empty.
  auto both = [](const Dataset& d, const char* a, const char* b) {
    const Column &ca = d.column(a), &cb = d.column(b);
    int64_t n = 0;
    for (int64_t r = 0; r < d.rows(); ++r) {
      bool ha = false, hb = false;
      for (int64_t p = 0; p < ca.width; ++p) {
        ha = ha || ca.ids[static_cast<size_t>(r * ca.width + p)] != 0;
        hb = hb || cb.ids[static_cast<size_t>(r * cb.width + p)] != 0;
      }
      n += ha && hb;
    }
    return n;
  };
  CHECK(both(s->train, "history", "unclick") == 57033);
  CHECK(both(s->valid, "history", "unclick") == 7070);
  CHECK(both(s->test, "history", "unclick") == 7158);
  CHECK(both(s->train, "like", "dislike") == 50552);
  CHECK(both(s->valid, "like", "dislike") == 6252);
  CHECK(both(s->test, "like", "dislike") == 6431);
  // The target movie can appear in unclick (train 15,721 rows, valid 1,845, test 1,780).
  auto target_in_unclick = [](const Dataset& d) {
    const Column &m = d.column("movie_id"), &u = d.column("unclick");
    int64_t n = 0;
    for (int64_t r = 0; r < d.rows(); ++r)
      for (int64_t p = 0; p < u.width; ++p)
        if (u.ids[static_cast<size_t>(r * u.width + p)] == m.ids[static_cast<size_t>(r)]) {
          ++n;
          break;
        }
    return n;
  };
  CHECK(target_in_unclick(s->train) == 15721);
  CHECK(target_in_unclick(s->valid) == 1845);
  CHECK(target_in_unclick(s->test) == 1780);
  // History elements carry their own movie's genres, OOV movies included.
  std::vector<int64_t> rows = {0, 100, 7000};
  Batch b = make_batch(s->test, rows);
  CHECK(b["history.genres"].shape() == Shape{3, 50, 6});
}

TEST_CASE("MovieLens-100K reader: bad files name the file, line and field") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tapegrad-ml-{}", ::getpid());
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) { std::ofstream((dir / name).string()) << text; };
  write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n");
  std::string flags = "|0|0|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
  write("u.item", "1|Toy Story (1995)|01-Jan-1995||http://x" + flags + "\n2|GoldenEye (1995)|||x" + flags + "\n");
  write("u.data", "1\t1\t5\t100\n2\t2\t1\t200\n1\t2\t4\t300\n2\t1\t2\t400\n1\t1\t5\t500\n");
  auto s = load_movielens100k(dir.string());
  CHECK(s.train.rows() + s.valid.rows() + s.test.rows() == 5);
  write("u.data", "1\t1\t5\t100\n1\t1\t7\t200\n");
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.string()), doctest::Contains("u.data:2: field 'rating': 7 is not in 1..5"), Error);
  write("u.data", "1\t1\t5\t100\n9\t1\t4\t200\n");
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.string()), doctest::Contains("u.data:2: field 'user': 9 is not in u.user"), Error);
  write("u.data", "1\t1\t5\n");
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.string()), doctest::Contains("u.data:1: expected 4 tab-separated fields"), Error);
  write("u.data", "1\tx\t5\t100\n");
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.string()), doctest::Contains("u.data:1: field 'movie': expected an integer, got 'x'"), Error);
  write("u.user", "1|24|X|technician|85711\n");
  CHECK_THROWS_WITH_AS(load_movielens100k(dir.string()), doctest::Contains("u.user:1: field 'gender'"), Error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("MovieLens-1M reader: '::' files, genres by name, the real users/movies and the ratings excerpt") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tapegrad-ml1m-{}", ::getpid());
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) { std::ofstream((dir / name).string()) << text; };
  write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n");
  write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Caf\xe9 (1999)::Drama\n");
  write("ratings.dat", "1::1::5::978300760\n2::2::1::978300761\n1::2::4::978300762\n2::1::3::978300763\n1::1::2::978300764\n");
  auto s = load_movielens1m(dir.string());
  CHECK(s.train.rows() + s.valid.rows() + s.test.rows() == 4);  // the rating-3 row is no sample
  const auto& g = s.train.vocabularies.at("genres");
  // ML-1M names map to 100K's u.genre indices (0 = unknown, 1 = Action, ...), so a genre key
  // means the same in both formats: Animation is "3", not its position 2 in the 1M README.
  CHECK(movielens_genre_index("Animation") == 3);
  CHECK(g.id("3") >= 2);
  CHECK(g.id("4") >= 2);  // Children's
  CHECK(g.id("0") == 1);  // "unknown" never occurs in movies.dat: OOV
  CHECK(s.train.vocabularies.at("year").id("1995") >= 2);
  write("movies.dat", "1::Toy Story (1995)::Animation|Cartoon\n");
  CHECK_THROWS_WITH_AS(load_movielens1m(dir.string()), doctest::Contains("movies.dat:1: field 'Genres': unknown genre 'Cartoon'"),
                       Error);
  std::filesystem::remove_all(dir);

  const std::string real = tg::testing::shared_data("movielens-1m-partial");
  if (!std::filesystem::exists(real + "/users.dat")) {
    MESSAGE("skipped: " << real << " is not present");
    return;
  }
  // users.dat and movies.dat are complete (6,040 users, 3,883 movies: README); ratings.dat is
  // the 19-line excerpt.
  auto joined = std::filesystem::temp_directory_path() / fmt::format("tapegrad-ml1m-real-{}", ::getpid());
  std::filesystem::create_directories(joined);
  std::filesystem::create_symlink(real + "/users.dat", joined / "users.dat");
  std::filesystem::create_symlink(real + "/movies.dat", joined / "movies.dat");
  std::filesystem::create_symlink(real + "/ratings_excerpt/ratings.dat", joined / "ratings.dat");
  auto r = load_movielens1m(joined.string());
  int64_t lines = 0, threes = 0;
  std::ifstream in(real + "/ratings_excerpt/ratings.dat");
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    threes += line.find("::3::") != std::string::npos;
  }
  CHECK(lines == 19);
  CHECK(r.train.rows() + r.valid.rows() + r.test.rows() == lines - threes);
  std::filesystem::remove_all(joined);
}
