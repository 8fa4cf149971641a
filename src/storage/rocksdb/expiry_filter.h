// Expiry in the store: a compaction filter on the `blocks` family that drops every block of a
// tier below that tier's watermark (docs/storage-format.md, "Expiry"). Watermarks only move
// forward, after the data below them has been rolled up into the next tier (or, for the last tier,
// has passed its retention), and reads never look below them, so what the filter drops is already
// invisible. Nothing scans the data to delete it: blocks disappear when compaction rewrites them,
// and maintenance asks RocksDB to compact exactly the expired key range of a tier.
#pragma once

#include <rocksdb/compaction_filter.h>

#include <array>
#include <atomic>
#include <memory>

#include "storage/tiers.h"

namespace vigil::storage {

// Per tier: blocks wholly below this time (seconds) are gone. Shared by the store (which moves
// it) and the filter (which reads it from compaction threads).
struct Watermarks {
  std::array<std::atomic<int64_t>, kTierCount> floor{};
};

std::shared_ptr<rocksdb::CompactionFilterFactory> NewExpiryFilterFactory(
    std::shared_ptr<const Watermarks> watermarks);

}  // namespace vigil::storage
