// The head: buckets written since the last checkpoint, in memory (docs/storage-format.md, "WAL
// and head"). Write() adds each datum to the active generation after its WAL record is written; a
// checkpoint freezes the generation, turns each of its blocks into one merge operand of the
// `blocks` family and truncates the WAL in the same atomic batch, then drops the generation. Reads
// merge the stored blocks with every live generation.
//
// Thread safety: Add and the readers may run concurrently (per-shard mutexes); a frozen
// generation is no longer added to (the store's generation lock guarantees it).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "storage/encoding/block.h"
#include "vigil/storage/metric_store.h"

namespace vigil::storage {

// Where a datum lands: tier, block and bucket index inside the block.
struct Slot {
  uint8_t tier = 0;
  uint8_t unit = 0;
  int64_t block_start = 0;
  uint32_t index = 0;
};

struct HeadBlock {
  uint8_t tier;
  uint8_t unit;
  int64_t block_start;
  std::vector<encoding::BlockBucket> buckets;  // ascending by index
};

class HeadGeneration {
 public:
  void Add(uint64_t series, const Slot& slot, const Aggregate& stats);

  // Calls fn(const HeadBlock&) for each block of `series` (under the shard's lock: fn must not
  // call back into the head).
  template <typename Fn>
  void VisitSeries(uint64_t series, Fn&& fn) const {
    const Shard& shard = shards_[series % kShards];
    std::lock_guard lock(shard.mu);
    size_t slot = series / kShards;
    if (slot >= shard.series.size()) return;
    for (const HeadBlock& b : shard.series[slot]) fn(b);
  }

  // Calls fn(series, const HeadBlock&) for every block. Only on a frozen generation.
  template <typename Fn>
  void ForEachBlock(Fn&& fn) const {
    for (size_t k = 0; k < kShards; ++k) {
      const Shard& shard = shards_[k];
      std::lock_guard lock(shard.mu);
      for (size_t slot = 0; slot < shard.series.size(); ++slot) {
        for (const HeadBlock& b : shard.series[slot]) fn(slot * kShards + k, b);
      }
    }
  }

  size_t bucket_count() const { return buckets_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 16;
  // Series ids are dense (the index hands them out in order): shard by id % kShards, then a
  // plain vector indexed by id / kShards, no hashing.
  struct Shard {
    mutable std::mutex mu;
    std::vector<std::vector<HeadBlock>> series;
  };
  std::array<Shard, kShards> shards_;
  std::atomic<size_t> buckets_{0};
};

}  // namespace vigil::storage
