// History and feedback sequences on a hand-made ratings log: the strictly-before rule,
// same-second exclusion, ties by file row, left padding, most recent last, truncation to T,
// like/dislike filters, and both unclick modes.
#include <doctest/doctest.h>

#include <vector>

#include "core/error.h"
#include "data/movielens/movielens_sequences.h"

using namespace tg;
using namespace tg::data;

namespace {

// User 1 rated (in file order; timestamps out of order on purpose):
//   row 0: movie 10 r5 t=100   row 1: movie 11 r1 t=300   row 2: movie 12 r3 t=200
//   row 3: movie 13 r4 t=300   row 4: movie 14 r2 t=400   row 5: movie 15 r5 t=200
// so in (timestamp, row) order: 10@100, 12@200, 15@200, 11@300, 13@300, 14@400.
// User 2 rated movie 10 at t=50 and movie 16 at t=60.
std::vector<MovieLensRating> log_rows() {
  return {{1, 10, 5, 100}, {1, 11, 1, 300}, {1, 12, 3, 200}, {1, 13, 4, 300},
          {1, 14, 2, 400}, {1, 15, 5, 200}, {2, 10, 4, 50},  {2, 16, 1, 60}};
}

std::vector<int32_t> recent(const RatingLog& log, int32_t user, int64_t t, size_t T, int keep_min = 1,
                            int keep_max = 5) {
  std::vector<int32_t> out(T, -7);
  write_recent(
      log.before(user, t), [&](int32_t r) { return r >= keep_min && r <= keep_max; }, [](int32_t m) { return m; }, out);
  return out;
}

}  // namespace

TEST_CASE("RatingLog: (timestamp, row) order per user; strictly before t") {
  const auto rows = log_rows();
  const RatingLog log(rows);
  std::vector<int32_t> order;
  for (const auto& e : log.of(1)) order.push_back(e.movie);
  CHECK(order == std::vector<int32_t>{10, 12, 15, 11, 13, 14});
  CHECK(log.before(1, 100).empty());        // the first rating itself is not before its own time
  CHECK(log.before(1, 101).size() == 1);
  CHECK(log.before(1, 300).size() == 3);    // same-second ratings (11, 13 at 300) excluded
  CHECK(log.before(1, 301).size() == 5);
  CHECK(log.before(1, 10000).size() == 6);
  CHECK(log.of(3).empty());                 // unknown user: no history
  CHECK(log.before(99, 1000).empty());
  std::vector<MovieLensRating> bad = {{0, 1, 5, 1}};
  CHECK_THROWS_WITH_AS(RatingLog{bad}, "RatingLog: user id 0 must be >= 1", Error);
}

TEST_CASE("write_recent: left padding, most recent last, truncation to T, filters") {
  const auto rows = log_rows();
  const RatingLog log(rows);
  // Sample (user 1, t = 300): earlier = 10@100, 12@200, 15@200.
  CHECK(recent(log, 1, 300, 5) == std::vector<int32_t>{0, 0, 10, 12, 15});
  // Truncation keeps the most recent T.
  CHECK(recent(log, 1, 10000, 4) == std::vector<int32_t>{15, 11, 13, 14});
  CHECK(recent(log, 1, 10000, 6) == std::vector<int32_t>{10, 12, 15, 11, 13, 14});
  CHECK(recent(log, 1, 100, 3) == std::vector<int32_t>{0, 0, 0});  // empty history
  // like (>= 4) and dislike (<= 2); the rating-3 movie 12 is in neither.
  CHECK(recent(log, 1, 10000, 4, 4, 5) == std::vector<int32_t>{0, 10, 15, 13});
  CHECK(recent(log, 1, 10000, 4, 1, 2) == std::vector<int32_t>{0, 0, 11, 14});
  CHECK(recent(log, 1, 10000, 2, 4, 5) == std::vector<int32_t>{15, 13});
  // The map is applied per element (e.g. vocabulary ids).
  std::vector<int32_t> out(3);
  const int64_t n = write_recent(log.before(2, 61), [](int32_t) { return true; }, [](int32_t m) { return m * 10; }, out);
  CHECK(n == 2);
  CHECK(out == std::vector<int32_t>{0, 100, 160});
}

TEST_CASE("unclick by popularity: order, skipping rated movies, most popular last") {
  // counts: movie 3 -> 5, movie 1 -> 2, movie 2 -> 2, movie 4 -> 1, movie 5 -> 0 (absent).
  const std::vector<int64_t> counts = {0, 2, 2, 5, 1, 0};
  const PopularityOrder order(counts);
  CHECK(std::vector<int32_t>(order.movies().begin(), order.movies().end()) == std::vector<int32_t>{3, 1, 2, 4});
  CHECK(order.total() == 10);
  CHECK(order.sample(0.0) == 0);   // cumulative 5, 7, 9, 10
  CHECK(order.sample(0.49) == 0);
  CHECK(order.sample(0.5) == 1);
  CHECK(order.sample(0.95) == 3);
  MovieSet rated;
  rated.clear();
  rated.insert(1);
  std::vector<int32_t> out(3, -7);
  CHECK(write_unclick_popular(order, rated, [](int32_t m) { return m; }, out) == 3);
  CHECK(out == std::vector<int32_t>{4, 2, 3});  // kept 3, 2, 4: the k-th at slot T-k
  std::vector<int32_t> wide(5, -7);
  CHECK(write_unclick_popular(order, rated, [](int32_t m) { return m; }, wide) == 3);
  CHECK(wide == std::vector<int32_t>{0, 0, 4, 2, 3});
  rated.clear();  // O(1) clear: nothing rated any more
  CHECK(!rated.contains(1));
  CHECK(write_unclick_popular(order, rated, [](int32_t m) { return m; }, out) == 3);
  CHECK(out == std::vector<int32_t>{2, 1, 3});
}

TEST_CASE("unclick sampled by popularity: seeded, without replacement, never a rated movie") {
  std::vector<int64_t> counts(40, 0);
  for (int m = 1; m < 40; ++m) counts[static_cast<size_t>(m)] = 40 - m;  // movie 1 most popular
  const PopularityOrder order(counts);
  MovieSet rated, drawn;
  rated.clear();
  for (int m : {1, 2, 3}) rated.insert(m);
  std::vector<int32_t> a(10), b(10), c(10);
  CHECK(write_unclick_sampled(order, rated, 7, 100, drawn, a) == 10);
  CHECK(write_unclick_sampled(order, rated, 7, 100, drawn, b) == 10);
  CHECK(write_unclick_sampled(order, rated, 7, 101, drawn, c) == 10);
  CHECK(a == b);  // same seed and stream: same draws
  CHECK(a != c);  // another sample's stream
  std::vector<int> seen(40, 0);
  for (int32_t m : a) {
    CHECK(m >= 4);
    CHECK(m < 40);
    ++seen[static_cast<size_t>(m)];
  }
  for (int n : seen) CHECK(n <= 1);
  // Fewer candidates than slots: all of them, then padding.
  const std::vector<int64_t> few = {0, 3, 1, 1};
  const PopularityOrder small(few);
  rated.clear();
  rated.insert(2);
  std::vector<int32_t> d(4, -7);
  CHECK(write_unclick_sampled(small, rated, 7, 1, drawn, d) == 2);
  CHECK(d[0] == 0);
  CHECK(d[1] == 0);
  CHECK(((d[2] == 1 && d[3] == 3) || (d[2] == 3 && d[3] == 1)));
}
