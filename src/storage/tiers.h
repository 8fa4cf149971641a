// The rollup tiers (cloudwatch-semantics.md §3, docs/storage-format.md "Tiers"): bucket width,
// block span (how much time one stored block covers) and how long the tier keeps data before it
// rolls up into the next (the last tier's data is dropped).
//
// Each span is a multiple of the previous tier's span and of the next tier's bucket width, and
// spans are aligned on the epoch, so a block of tier t lies inside one block of tier t+1 and
// rolls up into whole buckets of it.
#pragma once

#include <array>
#include <cstdint>

namespace vigil::storage {

struct TierSpec {
  int64_t bucket_seconds;
  int64_t block_seconds;
  int64_t retention_seconds;
  uint32_t buckets_per_block() const { return static_cast<uint32_t>(block_seconds / bucket_seconds); }
};

inline constexpr int kTierCount = 4;
inline constexpr int64_t kHour = 3600;
inline constexpr int64_t kDay = 86400;
inline constexpr std::array<TierSpec, kTierCount> kTiers = {{
    {1, kHour, 3 * kHour},            // high resolution: 3600 buckets a block, kept 3 h
    {60, 6 * kHour, 15 * kDay},       // one minute: 360 buckets a block, kept 15 days
    {300, 3 * kDay, 63 * kDay},       // five minutes: 864 buckets a block, kept 63 days
    {3600, 30 * kDay, 455 * kDay},    // one hour: 720 buckets a block, kept 455 days
}};
inline constexpr int kHighResolutionTier = 0;
inline constexpr int kStandardTier = 1;

static_assert(kTiers[1].block_seconds % kTiers[0].block_seconds == 0);
static_assert(kTiers[2].block_seconds % kTiers[1].block_seconds == 0);
static_assert(kTiers[3].block_seconds % kTiers[2].block_seconds == 0);
static_assert(kTiers[0].block_seconds % kTiers[1].bucket_seconds == 0);
static_assert(kTiers[1].block_seconds % kTiers[2].bucket_seconds == 0);
static_assert(kTiers[2].block_seconds % kTiers[3].bucket_seconds == 0);

}  // namespace vigil::storage
