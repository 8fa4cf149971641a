// Blocks: the buckets of one series, unit and tier within one block span, encoded column by column
// (docs/storage-format.md, "Block format"). A bucket is addressed by its index inside the span
// (bucket start = block start + index × bucket seconds); the tier and block start live in the key.
//
// Encoding is lossless: every double (counts, sums, minimums, maximums, distributions) decodes
// bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/storage/metric_store.h"

namespace vigil::storage::encoding {

struct BlockBucket {
  uint32_t index;
  Aggregate stats;
};

// `buckets` ascending by index, no duplicates, not empty. Appends to `out`.
void EncodeBlock(const std::vector<BlockBucket>& buckets, std::string& out);

// Replaces `out` with the decoded buckets. False on malformed input, or an index >= `max_index`.
bool DecodeBlock(std::string_view in, uint32_t max_index, std::vector<BlockBucket>& out);

// Appends the decoded buckets to `out` as Buckets starting at block_start + index × bucket_seconds
// (the read path: no intermediate copies). On failure `out` is left as it was.
bool DecodeBlockAppend(std::string_view in, uint32_t max_index, int64_t block_start,
                       int64_t bucket_seconds, std::vector<Bucket>& out);

// Merges `from` into `into` (both ascending by index): buckets of the same index merge their
// statistics. The result is ascending.
void MergeBuckets(std::vector<BlockBucket>& into, std::vector<BlockBucket>&& from);

}  // namespace vigil::storage::encoding
