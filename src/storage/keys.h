// Byte encodings of storage keys and values (docs/storage-format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/storage/metric_store.h"

namespace vigil::storage {

// Order-preserving encoding of a string component: every 0x00 becomes 0x00 0xFF and the component
// ends with 0x00 0x01, so encoded keys sort like their component tuples.
void AppendComponent(std::string& out, std::string_view s);
// Reads one component from `in` (advancing it); nullopt on malformed input.
std::optional<std::string> ReadComponent(std::string_view& in);

// EncodeSeriesKey into a reused buffer (no allocation once it is large enough).
void EncodeSeriesKeyInto(const SeriesKey& key, std::string& out);

// The prefix shared by every series of (account, region[, namespace[, metric name]]).
std::string EncodeSeriesPrefix(const ListFilter& filter);

void AppendBigEndian64(std::string& out, uint64_t v);
uint64_t ReadBigEndian64(const char* p);
void AppendBigEndian32(std::string& out, uint32_t v);
uint32_t ReadBigEndian32(const char* p);
// Signed seconds as order-preserving unsigned (offset binary).
inline uint64_t OrderedSeconds(int64_t s) { return static_cast<uint64_t>(s) ^ (1ULL << 63); }
inline int64_t FromOrderedSeconds(uint64_t u) { return static_cast<int64_t>(u ^ (1ULL << 63)); }

// Blocks key: tier (1) | block start (8, ordered BE seconds) | series id (8, BE) | unit (1).
// Time first: a block span of a tier is one contiguous key range for every series, so rollups and
// expiry work on ranges and new data lands at the end of the key space.
inline constexpr size_t kBlockKeySize = 18;
inline constexpr size_t kBlockPrefixSize = 9;  // tier and block start
struct BlockKey {
  uint8_t tier = 0;
  int64_t block_start = 0;
  uint64_t series = 0;
  uint8_t unit = 0;
};
std::string EncodeBlockKey(const BlockKey& key);
std::string EncodeBlockPrefix(uint8_t tier, int64_t block_start);
bool DecodeBlockKey(std::string_view bytes, BlockKey& out);

// Series record value: id (8, BE) | newest datapoint (8, ordered BE seconds) | oldest datapoint
// (8, ordered BE seconds) | unit mask (4, BE; bit u = unit code u seen).
inline constexpr size_t kSeriesValueSize = 28;
struct SeriesRecord {
  uint64_t id = 0;
  int64_t last_seconds = INT64_MIN;
  int64_t first_seconds = INT64_MAX;
  uint32_t units = 0;
};
std::string EncodeSeriesRecord(const SeriesRecord& r);
bool DecodeSeriesRecord(std::string_view bytes, SeriesRecord& out);

// Floor of s to a multiple of `unit` (> 0), also for negative s.
inline int64_t FloorTo(int64_t s, int64_t unit) {
  int64_t q = s / unit;
  if (s % unit != 0 && s < 0) --q;
  return q * unit;
}

// The bucket a datum lands in, in seconds: the second for high resolution, the minute otherwise.
inline int64_t BucketSeconds(const Datum& d) {
  int64_t s = d.timestamp.seconds();
  return d.high_resolution ? s : FloorTo(s, 60);
}

// True when `key` matches the dimension filters of `filter` (namespace/name are matched by prefix).
bool MatchesFilter(const SeriesKey& key, const ListFilter& filter);

}  // namespace vigil::storage
