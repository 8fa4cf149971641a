#include "storage/rocksdb/head.h"

#include <algorithm>

namespace vigil::storage {

void HeadGeneration::Add(uint64_t series, const Slot& slot, const Aggregate& stats) {
  Shard& shard = shards_[series % kShards];
  std::lock_guard lock(shard.mu);
  size_t at = series / kShards;
  if (at >= shard.series.size()) shard.series.resize(std::max(at + 1, shard.series.size() * 2));
  auto& blocks = shard.series[at];
  HeadBlock* block = nullptr;
  // Newest blocks are at the back and take almost every datum.
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    if (it->block_start == slot.block_start && it->tier == slot.tier && it->unit == slot.unit) {
      block = &*it;
      break;
    }
  }
  if (block == nullptr) {
    blocks.push_back(HeadBlock{slot.tier, slot.unit, slot.block_start, {}});
    block = &blocks.back();
  }
  auto& buckets = block->buckets;
  if (!buckets.empty() && buckets.back().index == slot.index) {
    buckets.back().stats.Merge(stats);
    return;
  }
  if (buckets.empty() || buckets.back().index < slot.index) {
    buckets.push_back({slot.index, stats});
  } else {
    auto it = std::lower_bound(buckets.begin(), buckets.end(), slot.index,
                               [](const encoding::BlockBucket& b, uint32_t i) { return b.index < i; });
    if (it != buckets.end() && it->index == slot.index) {
      it->stats.Merge(stats);
      return;
    }
    buckets.insert(it, {slot.index, stats});
  }
  buckets_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace vigil::storage
