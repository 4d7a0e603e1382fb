#include "data/iterator.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/rng.h"

namespace tg::data {

namespace {
std::vector<int64_t> all_rows(const Dataset& d) {
  std::vector<int64_t> r(static_cast<size_t>(d.rows()));
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<int64_t>(i);
  return r;
}
constexpr size_t kAhead = 2;
}  // namespace

BatchIterator::BatchIterator(const Dataset& data, BatchIteratorOptions options)
    : BatchIterator(data, options, all_rows(data)) {}

BatchIterator::BatchIterator(const Dataset& data, BatchIteratorOptions options, std::vector<int64_t> rows)
    : data_(data), rows_(std::move(rows)), options_(options) {
  check(options_.batch_size > 0, "BatchIterator: batch_size must be positive, got {}", options_.batch_size);
  for (int64_t r : rows_)
    check(r >= 0 && r < data.rows(), "BatchIterator: row {} out of range ({} rows)", r, data.rows());
}

BatchIterator::~BatchIterator() { stop_worker(); }

int64_t BatchIterator::batches_per_epoch() const {
  const int64_t n = rows(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> BatchIterator::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order = rows_;
  if (!options_.shuffle) return order;
  Generator gen(options_.seed);
  gen.set_offset(static_cast<uint64_t>(epoch) << 40);  // a disjoint Philox stream per epoch
  for (size_t i = order.size(); i > 1; --i) {
    auto j = static_cast<size_t>(gen.next_below(static_cast<int64_t>(i)));
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

void BatchIterator::stop_worker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  ready_.clear();
  stop_ = false;
  error_ = nullptr;
}

Batch BatchIterator::build(int64_t index) const {
  const int64_t begin = index * options_.batch_size;
  const int64_t end = std::min<int64_t>(begin + options_.batch_size, static_cast<int64_t>(order_.size()));
  return make_batch(data_, std::span<const int64_t>(order_.data() + begin, static_cast<size_t>(end - begin)));
}

void BatchIterator::start_epoch(int64_t epoch) {
  stop_worker();
  current_.reset();
  order_ = epoch_order(epoch);
  next_index_ = 0;
  total_ = batches_per_epoch();
  if (!options_.prefetch || total_ == 0) return;
  worker_ = std::thread([this] {
    for (int64_t i = 0; i < total_; ++i) {
      std::optional<Batch> b;
      try {
        b = build(i);
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        cv_.notify_all();
        return;
      }
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || ready_.size() < kAhead; });
      if (stop_) return;
      ready_.push_back(std::move(*b));
      cv_.notify_all();
    }
  });
}

const Batch* BatchIterator::next() {
  if (next_index_ >= total_) {
    current_.reset();
    return nullptr;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto waited = [&] {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stats_.wait_seconds += s;
    stats_.max_wait_seconds = std::max(stats_.max_wait_seconds, s);
    ++stats_.batches;
  };
  if (!options_.prefetch) {
    current_.reset();  // frees the previous batch's tensors before building the next
    current_ = build(next_index_++);
    waited();
    return &*current_;
  }
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !ready_.empty() || error_ != nullptr; });
  if (ready_.empty() && error_) std::rethrow_exception(error_);
  current_ = std::move(ready_.front());
  ready_.pop_front();
  ++next_index_;
  lock.unlock();
  cv_.notify_all();
  waited();
  return &*current_;
}

}  // namespace tg::data
