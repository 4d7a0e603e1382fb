#pragma once
// BatchIterator: the batches of one epoch over a Dataset (or a subset of its rows).
//
//   data::BatchIterator it(train, {.batch_size = 1024, .seed = 1});
//   for (const data::Batch& b : it.epoch(e)) { ... }   // or:
//   it.start_epoch(e);
//   while (const data::Batch* b = it.next()) { ... }   // b stays valid until the next call
//
// Order: with shuffle, a Fisher-Yates permutation drawn from Philox stream (seed, epoch),
// so the same seed gives the same order on every machine and thread count, and each epoch
// a different one; without shuffle, row order. The last batch may be partial (unless
// drop_last). With prefetch, a background thread builds the next batches (at most two ahead)
// while the current one trains; an error in it is rethrown by next(); destroying the
// iterator mid-epoch stops the thread cleanly. wait_seconds() is the time next() spent
// waiting for that thread (stats() adds the batches and the longest wait): if it grows, the
// data pipeline is the bottleneck. Without prefetch the time next() spends building the
// batch is counted as waiting (the training step waits for it just the same).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "data/batch.h"
#include "data/dataset.h"

namespace tg::data {

struct BatchIteratorOptions {
  int64_t batch_size = 1024;
  bool shuffle = true;
  uint64_t seed = 0;
  bool prefetch = true;
  bool drop_last = false;
};

struct BatchIteratorStats {
  int64_t batches = 0;         // handed out by next(), over all epochs
  double wait_seconds = 0;     // total time next() waited for a batch
  double max_wait_seconds = 0; // the longest single wait
};

class BatchIterator {
 public:
  BatchIterator(const Dataset& data, BatchIteratorOptions options = {});
  BatchIterator(const Dataset& data, BatchIteratorOptions options, std::vector<int64_t> rows);  // a subset
  ~BatchIterator();
  BatchIterator(const BatchIterator&) = delete;
  BatchIterator& operator=(const BatchIterator&) = delete;

  int64_t batches_per_epoch() const;
  int64_t rows() const { return static_cast<int64_t>(rows_.size()); }
  void start_epoch(int64_t epoch);
  const Batch* next();
  double wait_seconds() const { return stats_.wait_seconds; }
  const BatchIteratorStats& stats() const { return stats_; }

  // Range over one epoch: `for (const Batch& b : it.epoch(e))` calls start_epoch(e), then
  // next() until the end. One range at a time per iterator.
  class EpochRange {
   public:
    struct Sentinel {};
    class Iterator {
     public:
      explicit Iterator(BatchIterator* it) : it_(it), batch_(it->next()) {}
      const Batch& operator*() const { return *batch_; }
      const Batch* operator->() const { return batch_; }
      Iterator& operator++() {
        batch_ = it_->next();
        return *this;
      }
      bool operator==(Sentinel) const { return batch_ == nullptr; }

     private:
      BatchIterator* it_;
      const Batch* batch_;
    };
    explicit EpochRange(BatchIterator* it) : it_(it) {}
    Iterator begin() { return Iterator(it_); }
    Sentinel end() const { return {}; }

   private:
    BatchIterator* it_;
  };
  EpochRange epoch(int64_t epoch) {
    start_epoch(epoch);
    return EpochRange(this);
  }
  // The row order of an epoch (what start_epoch uses), for tests and tools.
  std::vector<int64_t> epoch_order(int64_t epoch) const;

 private:
  void stop_worker();
  Batch build(int64_t index) const;

  const Dataset& data_;
  std::vector<int64_t> rows_;
  BatchIteratorOptions options_;
  std::vector<int64_t> order_;
  int64_t next_index_ = 0;  // next batch to hand out
  int64_t total_ = 0;       // batches this epoch
  std::optional<Batch> current_;
  BatchIteratorStats stats_;

  // Prefetching.
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> ready_;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace tg::data
