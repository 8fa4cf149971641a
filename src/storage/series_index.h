// The in-memory series index (docs/storage-format.md, "Series index"): every series' id, its
// newest and oldest datapoint times and the units it has data in, by encoded series key. An
// open-addressing hash table serves ingest (one probe usually lands on the entry, whose key bytes
// sit right behind it: two cache misses a lookup); an ordered map over the same entries serves
// ListMetrics (prefix, paging and filters) without touching datapoints or the disk. The store
// persists each entry in the `series` family and loads them all on open.
//
// Thread safety: all methods may be called concurrently. Entries live until Clear(); callers
// that keep an entry pointer must exclude Clear() (the store's generation lock does).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/keys.h"
#include "vigil/storage/metric_store.h"

namespace vigil::storage {

// Bit of SeriesEntry::units (and the record's unit mask) set once the series has had
// high-resolution data: reads only look at the 1-second tier for such series.
inline constexpr uint32_t kHighResolutionBit = 1u << 31;

struct SeriesEntry {
  uint64_t id = 0;
  std::string_view key;  // EncodeSeriesKey; the bytes live right after the entry
  std::atomic<int64_t> last_seconds{INT64_MIN};
  std::atomic<int64_t> first_seconds{INT64_MAX};
  std::atomic<uint32_t> units{0};
  // What the `series` family holds (so Write knows when to rewrite the record).
  std::atomic<bool> persisted{false};
  std::atomic<int64_t> persisted_last{INT64_MIN};
  std::atomic<int64_t> persisted_first{INT64_MAX};
  std::atomic<uint32_t> persisted_units{0};
  // On the store's list of records to rewrite at the next checkpoint.
  std::atomic<bool> dirty{false};

  // Records a datum at `seconds` in `unit` (lock-free).
  void Observe(int64_t seconds, uint8_t unit, bool high_resolution);
  SeriesRecord Record() const;
  // True when the record has moved enough to be rewritten: the newest datapoint by more than
  // `granularity` seconds, an older oldest datapoint, or a new unit.
  bool Stale(int64_t granularity) const;
  // The record `r` is now durable.
  void Persisted(const SeriesRecord& r);

  struct Deleter {
    void operator()(SeriesEntry* e) const;
  };
  using Ptr = std::unique_ptr<SeriesEntry, Deleter>;
  // One allocation holding the entry and a copy of `key`.
  static Ptr Create(std::string_view key, uint64_t id);
};

class SeriesIndex {
 public:
  SeriesEntry* Find(std::string_view key) const;
  // The entry of `key`, created with the next id when absent.
  SeriesEntry* FindOrCreate(std::string_view key);
  // An entry read back from the `series` family.
  void Load(std::string_view key, const SeriesRecord& record);

  std::vector<SeriesInfo> List(const ListFilter& filter, const std::optional<SeriesKey>& after,
                               size_t limit) const;
  // MetricStore::ScanSeries over the ordered map, under the index's read lock.
  void Scan(const ListFilter& filter,
            const std::function<bool(std::string_view key, Timestamp last)>& visit) const;

  // Calls fn(SeriesEntry*) for every entry (under the index's lock).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::shared_lock lock(mu_);
    for (const auto& entry : entries_) fn(entry.get());
  }

  void Clear();
  size_t size() const;

 private:
  struct Slot {
    uint64_t hash = 0;
    SeriesEntry* entry = nullptr;  // null: free
  };
  static uint64_t Hash(std::string_view key);
  SeriesEntry* FindLocked(std::string_view key, uint64_t hash) const;
  SeriesEntry* InsertLocked(std::string_view key, uint64_t hash, uint64_t id);
  void Grow();

  mutable std::shared_mutex mu_;
  std::vector<Slot> slots_;  // power-of-two size, at most half full; linear probing
  std::vector<SeriesEntry::Ptr> entries_;
  std::map<std::string_view, SeriesEntry*> ordered_;  // views into SeriesEntry::key
  uint64_t next_id_ = 1;
};

}  // namespace vigil::storage
