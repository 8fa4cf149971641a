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

// The prefix shared by every series of (account, region[, namespace[, metric name]]).
std::string EncodeSeriesPrefix(const ListFilter& filter);

void AppendBigEndian64(std::string& out, uint64_t v);
uint64_t ReadBigEndian64(const char* p);
// Signed seconds as order-preserving unsigned (offset binary).
inline uint64_t OrderedSeconds(int64_t s) { return static_cast<uint64_t>(s) ^ (1ULL << 63); }
inline int64_t FromOrderedSeconds(uint64_t u) { return static_cast<int64_t>(u ^ (1ULL << 63)); }

// Points key: series id (8, BE) | unit (1) | bucket start in seconds (8, ordered BE).
std::string EncodePointKey(uint64_t series_id, uint8_t unit, int64_t bucket_seconds);
std::string EncodePointPrefix(uint64_t series_id);

// A bucket value: four little-endian doubles (count, sum, min, max).
std::string EncodeAggregate(const Aggregate& a);
bool DecodeAggregate(std::string_view bytes, Aggregate& out);

// The bucket a datum lands in, in seconds: the second for high resolution, the minute otherwise.
inline int64_t BucketSeconds(const Datum& d) {
  int64_t s = d.timestamp.seconds();
  if (d.high_resolution) return s;
  int64_t m = s >= 0 ? s / 60 : -((-s + 59) / 60);
  return m * 60;
}

// True when `key` matches the dimension filters of `filter` (namespace/name are matched by prefix).
bool MatchesFilter(const SeriesKey& key, const ListFilter& filter);

}  // namespace vigil::storage
