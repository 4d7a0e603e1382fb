#pragma once
// Per-user sequences derived from a ratings log (PROTOCOL.md §1.5 and §1.7), usable on any
// ratings with timestamps (MovieLens 100K / 1M, synthetic data).
//
// For a sample (user u, timestamp t) every sequence is built from u's ratings with
// timestamp STRICTLY less than t (same-second ratings excluded, so the target and anything
// rated with it never leak), ordered by (timestamp, file row), and written into T slots
// left-padded with 0, most recent last:
//   click    every earlier rating (any value)               write_recent(..., keep all)
//   like     earlier ratings >= like_min (4)                write_recent(..., r >= 4)
//   dislike  earlier ratings <= dislike_max (2)             write_recent(..., r <= 2)
//   unclick  a stand-in for shown-but-not-clicked items:
//            popular  walk the popularity order (training-sample count desc, movie id asc),
//                     skip every movie u rated before t, keep the first T; the k-th kept
//                     goes to slot T-k (most popular LAST), so "keep the last T' slots"
//                     keeps the most salient T' as for the other sequences;
//            sampled  draw movies with probability proportional to their training count,
//                     without replacement, skipping movies rated before t, from a Philox
//                     stream keyed by (seed, stream id = the sample's file row): the same
//                     seed gives the same sequences in any order of evaluation. The first
//                     draw goes to the last slot. When draws keep hitting rated movies
//                     (64·T rejections) the rest is filled in popularity order.
// Sequence values are whatever `map(movie)` returns (a vocabulary id, or the raw movie
// number for item-table lookups); no per-element allocation or virtual call.
#include <cstdint>
#include <span>
#include <vector>

#include "data/movielens/movielens_tables.h"

namespace tg::data {

struct RatingEvent {
  int64_t timestamp = 0;
  int32_t movie = 0;
  int32_t rating = 0;
};

// Every user's ratings in (timestamp, file row) order, stored once.
class RatingLog {
 public:
  // ratings in file order; user ids must be >= 1 (they index the log).
  explicit RatingLog(std::span<const MovieLensRating> ratings);
  std::span<const RatingEvent> of(int32_t user) const;
  // u's ratings with timestamp < t.
  std::span<const RatingEvent> before(int32_t user, int64_t t) const;

 private:
  std::vector<int64_t> offsets_;  // user u: events_[offsets_[u], offsets_[u + 1])
  std::vector<RatingEvent> events_;
};

// Writes the most recent out.size() events with keep(rating) as map(movie): oldest first,
// left-padded with 0. Returns the number of elements written. Walks backwards from the
// newest event, so the cost is O(T + skipped events), not O(history).
template <class Keep, class Map>
int64_t write_recent(std::span<const RatingEvent> events, Keep&& keep, Map&& map, std::span<int32_t> out) {
  auto slot = static_cast<int64_t>(out.size());
  for (auto it = events.rbegin(); it != events.rend() && slot > 0; ++it)
    if (keep(it->rating)) out[static_cast<size_t>(--slot)] = map(it->movie);
  for (int64_t k = 0; k < slot; ++k) out[static_cast<size_t>(k)] = 0;
  return static_cast<int64_t>(out.size()) - slot;
}

// The movies with a count >= 1, by count descending then movie id ascending, with the
// cumulative counts for popularity sampling.
class PopularityOrder {
 public:
  // counts[m] = how often movie m is the target of a training sample.
  explicit PopularityOrder(std::span<const int64_t> counts);
  std::span<const int32_t> movies() const { return movies_; }
  std::span<const int64_t> counts() const { return counts_; }  // parallel to movies()
  int64_t total() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  // The index in movies() of the draw u in [0, 1) (probability proportional to count).
  size_t sample(double u) const;

 private:
  std::vector<int32_t> movies_;
  std::vector<int64_t> counts_;
  std::vector<int64_t> cumulative_;
};

// A set of movie ids, cleared in O(1) (generation stamps): the movies a user rated before
// t, rebuilt for every sample without allocation.
class MovieSet {
 public:
  void clear();
  void insert(int32_t movie);
  bool contains(int32_t movie) const {
    return static_cast<size_t>(movie) < stamp_.size() && stamp_[static_cast<size_t>(movie)] == generation_;
  }
  void insert_all(std::span<const RatingEvent> events) {
    for (const auto& e : events) insert(e.movie);
  }

 private:
  std::vector<uint32_t> stamp_;
  uint32_t generation_ = 1;
};

// unclick, popularity order (see the header comment). Returns the number written.
template <class Map>
int64_t write_unclick_popular(const PopularityOrder& order, const MovieSet& rated, Map&& map, std::span<int32_t> out) {
  auto slot = static_cast<int64_t>(out.size());
  for (int32_t movie : order.movies()) {
    if (slot == 0) break;
    if (!rated.contains(movie)) out[static_cast<size_t>(--slot)] = map(movie);
  }
  for (int64_t k = 0; k < slot; ++k) out[static_cast<size_t>(k)] = 0;
  return static_cast<int64_t>(out.size()) - slot;
}

// unclick, sampled by popularity (see the header comment). `drawn` is scratch (a set the
// function clears). Returns the number written.
int64_t write_unclick_sampled(const PopularityOrder& order, const MovieSet& rated, uint64_t seed, uint64_t stream,
                              MovieSet& drawn, std::span<int32_t> raw_movies_out);

}  // namespace tg::data
