// The RocksDB MetricStore. Layout (docs/storage-format.md):
//   column family "series": EncodeSeriesKey(key) -> series id (8, BE) | last timestamp (8, BE,
//                           ordered seconds); merge keeps the id and the newest timestamp.
//   column family "points": EncodePointKey(id, unit, bucket) -> Aggregate; merge adds aggregates.
// Ingest never reads: new buckets and updates are merge operands that RocksDB folds on read and
// in compaction.
#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "storage/keys.h"
#include "vigil/common/logging.h"

namespace vigil::storage {
namespace {

constexpr int64_t kLastSeenGranularitySeconds = 60;

ApiError StoreError(const rocksdb::Status& s, std::string_view what) {
  return MakeError(ErrorCode::kInternalFailure, std::string(what) + ": " + s.ToString());
}

class AggregateMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    Aggregate a, b;
    if (!DecodeAggregate(std::string_view(value.data(), value.size()), b)) return false;
    if (existing != nullptr) {
      if (!DecodeAggregate(std::string_view(existing->data(), existing->size()), a)) return false;
      a.Merge(b);
    } else {
      a = b;
    }
    *new_value = EncodeAggregate(a);
    return true;
  }
  const char* Name() const override { return "vigil.AggregateMerge.v1"; }
};

std::string EncodeSeriesValue(uint64_t id, int64_t last_seconds) {
  std::string v;
  v.reserve(16);
  AppendBigEndian64(v, id);
  AppendBigEndian64(v, OrderedSeconds(last_seconds));
  return v;
}

// Keeps the existing id and the larger last-seen time.
class SeriesMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    if (value.size() != 16) return false;
    if (existing == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    if (existing->size() != 16) return false;
    uint64_t id = ReadBigEndian64(existing->data());
    uint64_t last = std::max(ReadBigEndian64(existing->data() + 8), ReadBigEndian64(value.data() + 8));
    new_value->clear();
    AppendBigEndian64(*new_value, id);
    AppendBigEndian64(*new_value, last);
    return true;
  }
  const char* Name() const override { return "vigil.SeriesMerge.v1"; }
};

class RocksMetricStore final : public MetricStore {
 public:
  RocksMetricStore(const RocksOptions& options, const Clock& clock)
      : options_(options), clock_(clock) {}

  ~RocksMetricStore() override { Close(); }

  Status Open() {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    db_options.max_background_jobs = 2;
    db_options.IncreaseParallelism(2);
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"series", SeriesOptions()},
        {"points", PointsOptions()},
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    auto s = rocksdb::DB::Open(db_options, options_.path, families, &handles, &db);
    if (!s.ok()) return StoreError(s, "opening RocksDB at " + options_.path);
    db_.reset(db);
    default_ = handles[0];
    series_ = handles[1];
    points_ = handles[2];
    write_options_.sync = options_.sync == SyncPolicy::kAlways;
    return LoadIndex();
  }

  Status Write(const std::vector<Datum>& data) override {
    std::shared_lock reset_guard(reset_mutex_);
    rocksdb::WriteBatch batch;
    std::vector<std::string> created;
    std::vector<Entry*> touched;
    touched.reserve(data.size());
    std::string key_bytes;
    for (const Datum& d : data) {
      key_bytes = EncodeSeriesKey(d.series);
      Entry* entry = FindOrCreate(key_bytes, created);
      int64_t bucket = BucketSeconds(d);
      int64_t seconds = d.timestamp.seconds();
      if (!entry->persisted.load(std::memory_order_acquire)) {
        batch.Merge(series_, key_bytes, EncodeSeriesValue(entry->id, seconds));
      } else {
        int64_t last = entry->last_seconds.load(std::memory_order_relaxed);
        if (seconds > last + kLastSeenGranularitySeconds) {
          batch.Merge(series_, key_bytes, EncodeSeriesValue(entry->id, seconds));
        }
      }
      AdvanceLast(*entry, seconds);
      batch.Merge(points_, EncodePointKey(entry->id, d.unit, bucket), EncodeAggregate(d.stats));
      touched.push_back(entry);
    }
    auto s = db_->Write(write_options_, &batch);
    if (!s.ok()) {
      Forget(created);
      return StoreError(s, "writing datapoints");
    }
    for (Entry* e : touched) e->persisted.store(true, std::memory_order_release);
    return OkStatus();
  }

  Result<std::vector<UnitBuckets>> Read(const SeriesKey& series, std::optional<uint8_t> unit,
                                        Timestamp start, Timestamp end, int) override {
    std::shared_lock reset_guard(reset_mutex_);
    std::vector<UnitBuckets> out;
    uint64_t id;
    {
      std::shared_lock lock(index_mutex_);
      auto it = index_.find(EncodeSeriesKey(series));
      if (it == index_.end()) return out;
      id = it->second->id;
    }
    int64_t from = start.seconds();
    // End is exclusive; a bucket starting before `end` (in ms) is in range.
    int64_t to = (end.millis + 999) / 1000;
    rocksdb::ReadOptions ro;
    std::string upper = EncodePointPrefix(id + 1);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, points_));
    for (uint8_t u = 0; u <= kUnitNone; ++u) {
      if (unit && *unit != u) continue;
      std::string seek = EncodePointKey(id, u, from);
      UnitBuckets ub{u, {}};
      for (it->Seek(seek); it->Valid(); it->Next()) {
        auto k = it->key();
        if (k.size() != 17 || static_cast<uint8_t>(k[8]) != u) break;
        int64_t secs = FromOrderedSeconds(ReadBigEndian64(k.data() + 9));
        if (secs >= to || secs * 1000 >= end.millis) break;
        Bucket b;
        b.start = Timestamp::FromSeconds(secs);
        if (!DecodeAggregate(std::string_view(it->value().data(), it->value().size()), b.stats)) {
          return MakeError(ErrorCode::kInternalFailure, "corrupt bucket value");
        }
        ub.buckets.push_back(b);
      }
      if (!it->status().ok()) return StoreError(it->status(), "reading datapoints");
      if (!ub.buckets.empty()) out.push_back(std::move(ub));
    }
    return out;
  }

  Result<std::vector<SeriesInfo>> List(const ListFilter& filter,
                                       const std::optional<SeriesKey>& after,
                                       size_t limit) override {
    std::shared_lock reset_guard(reset_mutex_);
    std::vector<SeriesInfo> out;
    std::string prefix = EncodeSeriesPrefix(filter);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), series_));
    std::string start = prefix;
    std::string after_bytes;
    if (after) {
      after_bytes = EncodeSeriesKey(*after);
      if (after_bytes > start) start = after_bytes;
    }
    for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      if (k.substr(0, prefix.size()) != prefix) break;
      if (!after_bytes.empty() && k <= after_bytes) continue;
      auto key = DecodeSeriesKey(k);
      if (!key || !MatchesFilter(*key, filter)) continue;
      int64_t last = FromOrderedSeconds(ReadBigEndian64(it->value().data() + 8));
      {
        std::shared_lock lock(index_mutex_);
        auto e = index_.find(std::string(k));
        if (e != index_.end()) last = std::max(last, e->second->last_seconds.load());
      }
      if (filter.active_since && last < filter.active_since->seconds()) continue;
      out.push_back({std::move(*key), Timestamp::FromSeconds(last)});
    }
    if (!it->status().ok()) return StoreError(it->status(), "listing series");
    return out;
  }

  Status Reset() override {
    std::unique_lock reset_guard(reset_mutex_);
    for (auto** cf : {&series_, &points_}) {
      std::string name = (*cf)->GetName();
      rocksdb::ColumnFamilyOptions cfo = name == "series" ? SeriesOptions() : PointsOptions();
      auto s = db_->DropColumnFamily(*cf);
      if (!s.ok()) return StoreError(s, "dropping " + name);
      db_->DestroyColumnFamilyHandle(*cf);
      s = db_->CreateColumnFamily(cfo, name, cf);
      if (!s.ok()) return StoreError(s, "recreating " + name);
    }
    std::unique_lock lock(index_mutex_);
    index_.clear();
    next_id_ = 1;
    return OkStatus();
  }

  bool Healthy() const override { return db_ != nullptr; }

 private:
  struct Entry {
    uint64_t id = 0;
    std::atomic<int64_t> last_seconds{INT64_MIN};
    std::atomic<bool> persisted{false};
  };

  static rocksdb::ColumnFamilyOptions SeriesOptions() {
    rocksdb::ColumnFamilyOptions o;
    o.merge_operator = std::make_shared<SeriesMergeOperator>();
    return o;
  }
  static rocksdb::ColumnFamilyOptions PointsOptions() {
    rocksdb::ColumnFamilyOptions o;
    o.merge_operator = std::make_shared<AggregateMergeOperator>();
    o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
    return o;
  }

  Status LoadIndex() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), series_));
    std::unique_lock lock(index_mutex_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->value().size() != 16) {
        return MakeError(ErrorCode::kInternalFailure, "corrupt series record");
      }
      auto e = std::make_unique<Entry>();
      e->id = ReadBigEndian64(it->value().data());
      e->last_seconds = FromOrderedSeconds(ReadBigEndian64(it->value().data() + 8));
      e->persisted = true;
      next_id_ = std::max(next_id_, e->id + 1);
      index_.emplace(it->key().ToString(), std::move(e));
    }
    if (!it->status().ok()) return StoreError(it->status(), "loading the series index");
    Logger("store")->info("opened {} with {} series", options_.path, index_.size());
    return OkStatus();
  }

  Entry* FindOrCreate(const std::string& key_bytes, std::vector<std::string>& created) {
    {
      std::shared_lock lock(index_mutex_);
      auto it = index_.find(key_bytes);
      if (it != index_.end()) return it->second.get();
    }
    std::unique_lock lock(index_mutex_);
    auto [it, inserted] = index_.try_emplace(key_bytes);
    if (inserted) {
      it->second = std::make_unique<Entry>();
      it->second->id = next_id_++;
      created.push_back(key_bytes);
    }
    return it->second.get();
  }

  static void AdvanceLast(Entry& e, int64_t seconds) {
    int64_t cur = e.last_seconds.load(std::memory_order_relaxed);
    while (seconds > cur && !e.last_seconds.compare_exchange_weak(cur, seconds)) {
    }
  }

  void Forget(const std::vector<std::string>& created) {
    std::unique_lock lock(index_mutex_);
    for (const auto& k : created) index_.erase(k);
  }

  void Close() {
    if (!db_) return;
    auto flushed = db_->Flush(rocksdb::FlushOptions(), {series_, points_});
    if (!flushed.ok()) Logger("store")->warn("flush on close: {}", flushed.ToString());
    for (auto* h : {default_, series_, points_}) {
      if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
    }
    auto s = db_->Close();
    if (!s.ok()) Logger("store")->warn("close: {}", s.ToString());
    db_.reset();
  }

  RocksOptions options_;
  const Clock& clock_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
  rocksdb::ColumnFamilyHandle* series_ = nullptr;
  rocksdb::ColumnFamilyHandle* points_ = nullptr;
  rocksdb::WriteOptions write_options_;

  std::shared_mutex reset_mutex_;  // Reset() exclusive; everything else shared
  std::shared_mutex index_mutex_;
  std::unordered_map<std::string, std::unique_ptr<Entry>> index_;
  uint64_t next_id_ = 1;
};

}  // namespace

Result<std::unique_ptr<MetricStore>> OpenRocksMetricStore(const RocksOptions& options,
                                                          const Clock& clock) {
  auto store = std::make_unique<RocksMetricStore>(options, clock);
  RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<MetricStore>(std::move(store));
}

}  // namespace vigil::storage
