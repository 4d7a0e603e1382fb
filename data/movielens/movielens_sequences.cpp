#include "data/movielens/movielens_sequences.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/philox.h"

namespace tg::data {

RatingLog::RatingLog(std::span<const MovieLensRating> ratings) {
  int32_t max_user = 0;
  for (const auto& r : ratings) {
    check(r.user >= 1, "RatingLog: user id {} must be >= 1", r.user);
    max_user = std::max(max_user, r.user);
  }
  // Counting sort by user (keeps file order inside a user), then a stable sort by time:
  // ties keep the file row order, the protocol's tie-breaker.
  offsets_.assign(static_cast<size_t>(max_user) + 2, 0);
  for (const auto& r : ratings) ++offsets_[static_cast<size_t>(r.user) + 1];
  std::partial_sum(offsets_.begin(), offsets_.end(), offsets_.begin());
  events_.resize(ratings.size());
  std::vector<int64_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (const auto& r : ratings)
    events_[static_cast<size_t>(fill[static_cast<size_t>(r.user)]++)] = {r.timestamp, r.movie, r.rating};
  for (size_t u = 1; u + 1 < offsets_.size(); ++u)
    std::stable_sort(events_.begin() + offsets_[u], events_.begin() + offsets_[u + 1],
                     [](const RatingEvent& a, const RatingEvent& b) { return a.timestamp < b.timestamp; });
}

std::span<const RatingEvent> RatingLog::of(int32_t user) const {
  if (user < 1 || static_cast<size_t>(user) + 1 >= offsets_.size()) return {};
  const auto u = static_cast<size_t>(user);
  return std::span<const RatingEvent>(events_).subspan(static_cast<size_t>(offsets_[u]),
                                                       static_cast<size_t>(offsets_[u + 1] - offsets_[u]));
}

std::span<const RatingEvent> RatingLog::before(int32_t user, int64_t t) const {
  const auto all = of(user);
  const auto end = std::lower_bound(all.begin(), all.end(), t,
                                    [](const RatingEvent& e, int64_t time) { return e.timestamp < time; });
  return all.first(static_cast<size_t>(end - all.begin()));
}

PopularityOrder::PopularityOrder(std::span<const int64_t> counts) {
  for (size_t m = 0; m < counts.size(); ++m)
    if (counts[m] > 0) movies_.push_back(static_cast<int32_t>(m));
  std::stable_sort(movies_.begin(), movies_.end(), [&](int32_t a, int32_t b) {
    return counts[static_cast<size_t>(a)] > counts[static_cast<size_t>(b)];  // ids ascend within a count
  });
  int64_t running = 0;
  for (int32_t m : movies_) {
    counts_.push_back(counts[static_cast<size_t>(m)]);
    running += counts[static_cast<size_t>(m)];
    cumulative_.push_back(running);
  }
}

size_t PopularityOrder::sample(double u) const {
  const auto target = static_cast<int64_t>(u * static_cast<double>(total()));  // in [0, total)
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
  return std::min(static_cast<size_t>(it - cumulative_.begin()), movies_.size() - 1);
}

void MovieSet::clear() {
  if (++generation_ == 0) {  // wrapped: old stamps could collide
    std::fill(stamp_.begin(), stamp_.end(), 0u);
    generation_ = 1;
  }
}

void MovieSet::insert(int32_t movie) {
  const auto m = static_cast<size_t>(movie);
  if (m >= stamp_.size()) stamp_.resize(std::max(m + 1, stamp_.size() * 2), 0u);
  stamp_[m] = generation_;
}

int64_t write_unclick_sampled(const PopularityOrder& order, const MovieSet& rated, uint64_t seed, uint64_t stream,
                              MovieSet& drawn, std::span<int32_t> out) {
  drawn.clear();
  auto slot = static_cast<int64_t>(out.size());
  if (order.movies().empty()) {
    std::fill(out.begin(), out.end(), 0);
    return 0;
  }
  const int64_t max_draws = 64 * static_cast<int64_t>(out.size()) + 64;
  for (int64_t i = 0; i < max_draws && slot > 0; ++i) {
    const philox::Block b = philox::generate(seed, static_cast<uint64_t>(i), stream);
    const int32_t movie = order.movies()[order.sample(philox::to_unit_double(b.v[0], b.v[1]))];
    if (rated.contains(movie) || drawn.contains(movie)) continue;
    drawn.insert(movie);
    out[static_cast<size_t>(--slot)] = movie;
  }
  for (int32_t movie : order.movies()) {  // rare: too many rejections
    if (slot == 0) break;
    if (rated.contains(movie) || drawn.contains(movie)) continue;
    drawn.insert(movie);
    out[static_cast<size_t>(--slot)] = movie;
  }
  for (int64_t k = 0; k < slot; ++k) out[static_cast<size_t>(k)] = 0;
  return static_cast<int64_t>(out.size()) - slot;
}

}  // namespace tg::data
