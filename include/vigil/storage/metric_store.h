// MetricStore: where datapoints live.
//
// A series is (account, region, namespace, metric name, exact dimension set); within a series,
// data with different units is kept apart (cloudwatch-semantics.md §2). Each datum lands in the
// bucket of its storage resolution: high-resolution data (StorageResolution 1) in 1-second buckets,
// standard data in 1-minute buckets stamped with the minute's start. A bucket holds the merged
// statistic set (SampleCount, Sum, Minimum, Maximum).
//
// Implementations: RocksDB (storage/rocksdb) for the server, memory (storage/memory) for tests.
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/clock.h"
#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/storage/distribution.h"

namespace vigil::storage {

struct Dimension {
  std::string name;
  std::string value;
  auto operator<=>(const Dimension&) const = default;
};

// Identity of one series. `dimensions` is kept sorted by (name, value), which makes identity
// order-free: Canonicalize() before using a key you built by hand.
struct SeriesKey {
  std::string account;
  std::string region;
  std::string namespace_;
  std::string metric_name;
  std::vector<Dimension> dimensions;

  void Canonicalize();
  auto operator<=>(const SeriesKey&) const = default;
};

// An order-preserving byte encoding of a key (account, region, namespace, name, dimensions);
// also the opaque position inside ListMetrics NextTokens.
std::string EncodeSeriesKey(const SeriesKey& key);
std::optional<SeriesKey> DecodeSeriesKey(std::string_view bytes);
// DecodeSeriesKey into `out`, reusing its strings' storage (no allocation once they are large
// enough): the form for loops over many keys. False on malformed input (`out` is then unspecified).
bool DecodeSeriesKeyInto(std::string_view bytes, SeriesKey& out);

// The 27 CloudWatch units; absent means None. Stored as a one-byte code.
std::optional<uint8_t> UnitCode(std::string_view unit);
std::string_view UnitName(uint8_t code);
inline constexpr uint8_t kUnitNone = 26;  // index of "None" in the StandardUnit enum

// A merged statistic set plus the values behind it. Merging is associative and commutative, so
// buckets can be merged in any order (RocksDB merge operands, periods built from buckets, rollups).
//
// `values` holds what the percentile-family statistics need. It is complete (`values_complete`)
// unless a statistic set that cannot be expanded into values was merged in: CloudWatch can only
// use a statistic set for percentiles when SampleCount is 1 with Min = Max = Sum, or when
// Min = Max and Sum = Min × SampleCount (cloudwatch-semantics.md §2).
struct Aggregate {
  double sample_count = 0;
  double sum = 0;
  double minimum = std::numeric_limits<double>::infinity();
  double maximum = -std::numeric_limits<double>::infinity();
  Distribution values;
  bool values_complete = true;

  bool empty() const { return sample_count <= 0; }

  // `count` occurrences of one value (a Value, or one Values/Counts pair).
  void Add(double value, double count) {
    sample_count += count;
    sum += value * count;
    if (value < minimum) minimum = value;
    if (value > maximum) maximum = value;
    values.Add(value, count);
  }

  // A statistic set (StatisticValues), expanded into values when CloudWatch's rule allows.
  void AddStatisticSet(double count, double total, double min, double max) {
    sample_count += count;
    sum += total;
    if (min < minimum) minimum = min;
    if (max > maximum) maximum = max;
    if (min == max && total == min * count) {
      values.Add(min, count);
    } else {
      values_complete = false;
    }
  }

  void Merge(const Aggregate& o) {
    sample_count += o.sample_count;
    sum += o.sum;
    if (o.minimum < minimum) minimum = o.minimum;
    if (o.maximum > maximum) maximum = o.maximum;
    values.Merge(o.values);
    values_complete = values_complete && o.values_complete;
  }
};

// One datum as PutMetricData delivers it, already validated.
struct Datum {
  SeriesKey series;  // canonical
  uint8_t unit = kUnitNone;
  bool high_resolution = false;
  Timestamp timestamp;
  Aggregate stats;
};

// A bucket read back: its start time and its merged statistics.
struct Bucket {
  Timestamp start;
  Aggregate stats;
};

struct UnitBuckets {
  uint8_t unit;
  std::vector<Bucket> buckets;  // ascending by start
};

struct SeriesInfo {
  SeriesKey key;
  Timestamp last_timestamp;  // newest datapoint timestamp seen
};

// What one maintenance pass did (RunMaintenance).
struct MaintenanceReport {
  int64_t checkpointed_buckets = 0;  // head buckets written out as blocks
  int64_t rolled_up_blocks = 0;      // blocks merged into the next tier
  int64_t advanced_tiers = 0;        // watermark moves
  bool compacted = false;
};

struct MaintenanceOptions {
  // Also compact the whole database (tests, benchmarks, an operator's request): afterwards what
  // expired is physically gone and the data files hold one merged block per key.
  bool compact = false;
};

// A snapshot of the store's state, for /_vigil/health-style reporting, tests and benchmarks.
struct StoreStats {
  uint64_t series = 0;
  uint64_t head_buckets = 0;       // buckets in memory not yet checkpointed
  uint64_t wal_bytes = 0;          // WAL bytes written since the last checkpoint
  uint64_t sst_bytes = 0;          // rocksdb.total-sst-files-size over all families
  uint64_t block_sst_bytes = 0;    // the same for the `blocks` family alone
  // Per tier (1 s, 60 s, 300 s, 3600 s): the time below which the tier holds nothing (epoch
  // seconds), and the approximate bytes its blocks occupy on disk.
  int64_t watermark_seconds[4] = {0, 0, 0, 0};
  uint64_t tier_bytes[4] = {0, 0, 0, 0};
};

struct ListFilter {
  std::string account;
  std::string region;
  std::optional<std::string> namespace_;
  std::optional<std::string> metric_name;
  struct DimensionFilter {
    std::string name;
    std::optional<std::string> value;
  };
  std::vector<DimensionFilter> dimensions;  // every one must match
  std::optional<Timestamp> active_since;    // only series with data at or after this time
};

class MetricStore {
 public:
  virtual ~MetricStore() = default;

  // Stores the data atomically. When this returns OK, the data survives a crash of the process
  // (and, with SyncPolicy::kAlways, of the machine).
  virtual Status Write(const std::vector<Datum>& data) = 0;

  // Buckets of one series in [start, end), per unit (ascending by unit code), each ascending by
  // start with one bucket per start. With `unit`, only that unit. A bucket is in range when its
  // start second is >= start.seconds() and its start (in ms) is < end.
  // `period_seconds` is the period the caller will aggregate into. Each part of the range is
  // answered from the finest tier that still holds it: buckets are never coarser than the
  // period unless only a coarser tier still holds that part (data older than 15 days exists only
  // as 5-minute buckets, older than 63 days only as 1-hour buckets); the caller then places each
  // bucket in the period its start falls in.
  virtual Result<std::vector<UnitBuckets>> Read(const SeriesKey& series,
                                                std::optional<uint8_t> unit, Timestamp start,
                                                Timestamp end, int period_seconds) = 0;

  // Series matching the filter, in the order of (namespace, metric name, dimensions), starting
  // strictly after `after` when given (paging). At most `limit`.
  virtual Result<std::vector<SeriesInfo>> List(const ListFilter& filter,
                                               const std::optional<SeriesKey>& after,
                                               size_t limit) = 0;

  // Calls visit(encoded key, newest datapoint time) for every series List would return for
  // `filter` without its `dimensions` (account, region, namespace and metric name prefixes,
  // active_since), in no particular order, until visit returns false. Nothing is decoded or
  // copied: the path for scans that test every series (SEARCH, Metrics Insights;
  // docs/search-and-insights.md). `key` is valid during the call only (DecodeSeriesKeyInto reads
  // it); visit must not call the store. The default implementation pages through List.
  virtual Status ScanSeries(const ListFilter& filter,
                            const std::function<bool(std::string_view key, Timestamp last)>& visit);

  // Deletes everything (every account and region).
  virtual Status Reset() = 0;

  // Health check used by /_vigil/health.
  virtual bool Healthy() const = 0;

  // One maintenance pass, driven by the Clock the store was opened with: writes the in-memory
  // head out, rolls data that left a tier into the next one and lets expired blocks go. The
  // server runs it periodically; tests call it after moving a ManualClock. Safe to call at any
  // time, concurrently with everything else (passes are serialised). The memory twin does nothing.
  virtual Result<MaintenanceReport> RunMaintenance(const MaintenanceOptions& options) {
    (void)options;
    return MaintenanceReport{};
  }

  virtual StoreStats Stats() const { return StoreStats{}; }
};

enum class SyncPolicy {
  kProcess,  // WAL written to the OS before acknowledging: survives kill -9, not power loss
  kAlways,   // WAL fsynced before acknowledging: survives power loss; slower
};

struct RocksOptions {
  std::string path;
  SyncPolicy sync = SyncPolicy::kProcess;
  // The head is checkpointed (and the WAL truncated) by a background thread once the WAL holds
  // this many bytes, and by every maintenance pass; bounds memory, WAL size and replay time.
  uint64_t checkpoint_wal_bytes = 32ull << 20;
  // RocksDB's block cache (uncompressed data blocks of every family). Blocks cost ~1.4 bytes a
  // datapoint, so the default holds ~180 M datapoints' worth.
  uint64_t block_cache_bytes = 256ull << 20;
  // Tests and benchmarks only: false leaves the head in the WAL on close, as a crash would, so
  // the next open replays it.
  bool checkpoint_on_close = true;
  // Tests only: called at named points inside maintenance ("checkpoint-written": a checkpoint's
  // batch is durable but its head generation is still live; "rollup-written": a rollup's batch
  // is durable but reads still use the old watermark), from the maintaining thread, with no
  // store lock held that Read or Write take.
  std::function<void(std::string_view point)> test_hook;
};

Result<std::unique_ptr<MetricStore>> OpenRocksMetricStore(const RocksOptions& options,
                                                          const Clock& clock);
std::unique_ptr<MetricStore> NewMemoryMetricStore();

}  // namespace vigil::storage
