// The first N series keys in key order among keys offered in any order (MetricStore::ScanSeries
// visits in no particular order): a bounded max-heap. Private to src/query.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "vigil/storage/metric_store.h"

namespace vigil::query::internal {

class SmallestKeys {
 public:
  explicit SmallestKeys(size_t limit) : limit_(limit) {}

  void Offer(const storage::SeriesKey& key) {
    ++offered_;
    if (heap_.size() < limit_) {
      heap_.push_back(key);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (limit_ > 0 && key < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = key;
      std::push_heap(heap_.begin(), heap_.end());
    }
  }

  size_t offered() const { return offered_; }
  bool truncated() const { return offered_ > limit_; }

  // The kept keys, ascending. Leaves the object empty.
  std::vector<storage::SeriesKey> Take() {
    std::sort_heap(heap_.begin(), heap_.end());
    return std::move(heap_);
  }

 private:
  size_t limit_;
  size_t offered_ = 0;
  std::vector<storage::SeriesKey> heap_;
};

}  // namespace vigil::query::internal
