// The RocksDB MetricStore: open, write, read, list, reset (maintenance.cc has checkpoints,
// rollups and expiry). Layout and protocols: rocks_metric_store.h, docs/storage-format.md.
#include "storage/rocksdb/rocks_metric_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>

#include <algorithm>
#include <unordered_map>

#include "storage/keys.h"
#include "storage/rocksdb/merge_operators.h"
#include "storage/rocksdb/wal_record.h"
#include "vigil/common/logging.h"

namespace vigil::storage {
namespace {

constexpr const char* kFamilyNames[] = {"series", "blocks", "wal", "meta"};
constexpr const char* kFormatKey = "format";
constexpr const char* kFormatVersion = "vigil-blocks-1";
// A series record is rewritten (at the next checkpoint) when its newest datapoint moves by more
// than this: exact, since the rewrite costs one merge per active series per checkpoint, off the
// ingest path.
constexpr int64_t kLastSeenGranularitySeconds = 0;
// Before any maintenance, tiers hold everything: their floor is far in the past (and far enough
// from INT64_MIN that milliseconds of it do not overflow).
constexpr int64_t kNoFloor = -(int64_t{1} << 40);

ApiError StoreError(const rocksdb::Status& s, std::string_view what) {
  return MakeError(ErrorCode::kInternalFailure, std::string(what) + ": " + s.ToString());
}

std::string SeqKey(uint64_t seq) {
  std::string k;
  AppendBigEndian64(k, seq);
  return k;
}

}  // namespace

std::string WatermarkKey(int tier) { return "wm/" + std::to_string(tier); }

RocksMetricStore::RocksMetricStore(const RocksOptions& options, const Clock& clock)
    : options_(options),
      clock_(clock),
      block_cache_(rocksdb::NewLRUCache(options.block_cache_bytes)),
      active_(std::make_shared<HeadGeneration>()),
      watermarks_(std::make_shared<Watermarks>()) {
  for (int t = 0; t < kTierCount; ++t) {
    watermarks_->floor[t] = kNoFloor;
    route_floor_[t] = kNoFloor;
    compacted_below_[t] = kNoFloor;
  }
}

RocksMetricStore::~RocksMetricStore() { Close(); }

rocksdb::ColumnFamilyOptions RocksMetricStore::FamilyOptions(Family f) const {
  rocksdb::ColumnFamilyOptions o;
  o.level_compaction_dynamic_level_bytes = true;
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 * 1024;
  table.block_cache = block_cache_;
  switch (f) {
    case kSeries:
      o.merge_operator = NewSeriesMergeOperator();
      break;
    case kBlocks:
      // Values are entropy-coded already: LZ4/ZSTD saved 0.3% on the NAB replay (and RocksDB
      // keeps a block uncompressed when compression saves under 12.5% anyway).
      o.compression = rocksdb::kNoCompression;
      o.bottommost_compression = rocksdb::kNoCompression;
      o.merge_operator = NewBlockMergeOperator();
      o.compaction_filter_factory = NewExpiryFilterFactory(watermarks_);
      // Bounds the operands a read of a recent block folds: every 32nd checkpoint of a block
      // stores it merged.
      o.max_successive_merges = 32;
      // Reads look blocks up by exact key: a whole-key bloom filter skips files without them.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.cache_index_and_filter_blocks = false;
      break;
    case kWal:
      // Records live until the next checkpoint (normally long before a flush).
      o.write_buffer_size = 128 << 20;
      o.compression = rocksdb::kNoCompression;
      o.bottommost_compression = rocksdb::kNoCompression;
      break;
    default:
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return o;
}

Status RocksMetricStore::Open() {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  // Bounds RocksDB's own log (and so its replay time after a crash): past this, the families
  // holding the oldest log are flushed. vigil's `wal` family is truncated at every checkpoint.
  db_options.max_total_wal_size = 256 << 20;

  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options_.path, &existing).ok() &&
      std::find(existing.begin(), existing.end(), "points") != existing.end()) {
    return MakeError(ErrorCode::kInternalFailure,
                     options_.path + " holds data in vigil's earlier (pre-block) format, which this "
                                     "version does not read; move it away to start afresh");
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  for (int f = 0; f < kFamilies; ++f) {
    families.push_back({kFamilyNames[f], FamilyOptions(static_cast<Family>(f))});
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(db_options, options_.path, families, &handles, &db);
  if (!s.ok()) return StoreError(s, "opening RocksDB at " + options_.path);
  db_.reset(db);
  default_cf_ = handles[0];
  for (int f = 0; f < kFamilies; ++f) cf_[f] = handles[f + 1];
  write_options_.sync = options_.sync == SyncPolicy::kAlways;

  RETURN_IF_ERROR(LoadState());
  RETURN_IF_ERROR(ReplayWal());
  bg_thread_ = std::thread([this] { CheckpointLoop(); });
  Logger("store")->info("opened {} with {} series, watermarks {} {} {} {}", options_.path,
                        index_.size(), watermarks_->floor[0].load(), watermarks_->floor[1].load(),
                        watermarks_->floor[2].load(), watermarks_->floor[3].load());
  return OkStatus();
}

Status RocksMetricStore::LoadState() {
  std::string format;
  auto s = db_->Get(rocksdb::ReadOptions(), cf_[kMeta], kFormatKey, &format);
  if (s.IsNotFound()) {
    s = db_->Put(write_options_, cf_[kMeta], kFormatKey, kFormatVersion);
    if (!s.ok()) return StoreError(s, "writing the format version");
  } else if (!s.ok()) {
    return StoreError(s, "reading the format version");
  } else if (format != kFormatVersion) {
    return MakeError(ErrorCode::kInternalFailure,
                     options_.path + " holds data in format '" + format + "', not " + kFormatVersion);
  }
  for (int t = 0; t < kTierCount; ++t) {
    std::string v;
    s = db_->Get(rocksdb::ReadOptions(), cf_[kMeta], WatermarkKey(t), &v);
    if (s.IsNotFound()) continue;
    if (!s.ok() || v.size() != 8) return StoreError(s, "reading the watermarks");
    int64_t w = FromOrderedSeconds(ReadBigEndian64(v.data()));
    watermarks_->floor[t] = w;
    route_floor_[t] = w;
    compacted_below_[t] = kNoFloor;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kSeries]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    SeriesRecord r;
    if (!DecodeSeriesRecord(std::string_view(it->value().data(), it->value().size()), r)) {
      return MakeError(ErrorCode::kInternalFailure, "corrupt series record");
    }
    index_.Load(std::string_view(it->key().data(), it->key().size()), r);
  }
  if (!it->status().ok()) return StoreError(it->status(), "loading the series index");
  return OkStatus();
}

Status RocksMetricStore::ReplayWal() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kWal]));
  std::vector<WalDatum> data;
  std::unordered_map<uint64_t, SeriesEntry*> by_id;
  uint64_t records = 0, datums = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8 ||
        !DecodeWalRecord(std::string_view(it->value().data(), it->value().size()), data)) {
      return MakeError(ErrorCode::kInternalFailure, "corrupt WAL record");
    }
    next_seq_ = ReadBigEndian64(it->key().data()) + 1;
    wal_bytes_ += it->value().size();
    ++records;
    for (const WalDatum& d : data) {
      Slot slot;
      if (Route(d.seconds, d.high_resolution, d.unit, slot)) active_->Add(d.series, slot, d.stats);
      ++datums;
    }
    // The records of these series may not have caught up with their datapoints: the next
    // checkpoint rewrites them (by_id is built once, lazily).
    if (by_id.empty()) {
      index_.ForEach([&](SeriesEntry* e) { by_id.emplace(e->id, e); });
    }
    for (const WalDatum& d : data) {
      auto found = by_id.find(d.series);
      if (found == by_id.end()) return MakeError(ErrorCode::kInternalFailure, "WAL names an unknown series");
      found->second->Observe(d.seconds, d.unit, d.high_resolution);
      NoteChange(found->second);
    }
  }
  if (!it->status().ok()) return StoreError(it->status(), "replaying the WAL");
  if (records > 0) {
    Logger("store")->info("replayed {} WAL records ({} datapoints)", records, datums);
  }
  return OkStatus();
}

bool RocksMetricStore::Route(int64_t seconds, bool high_resolution, uint8_t unit,
                             Slot& slot) const {
  for (int t = high_resolution ? kHighResolutionTier : kStandardTier; t < kTierCount; ++t) {
    const TierSpec& spec = kTiers[t];
    int64_t bucket = FloorTo(seconds, spec.bucket_seconds);
    if (bucket < route_floor_[t].load(std::memory_order_acquire)) continue;
    slot.tier = static_cast<uint8_t>(t);
    slot.unit = unit;
    slot.block_start = FloorTo(bucket, spec.block_seconds);
    slot.index = static_cast<uint32_t>((bucket - slot.block_start) / spec.bucket_seconds);
    return true;
  }
  return false;
}

void RocksMetricStore::NoteChange(SeriesEntry* e) {
  if (!e->persisted.load(std::memory_order_acquire) || e->dirty.load(std::memory_order_relaxed) ||
      !e->Stale(kLastSeenGranularitySeconds) || e->dirty.exchange(true)) {
    return;
  }
  std::lock_guard lock(dirty_mu_);
  dirty_.push_back(e);
}

Status RocksMetricStore::Write(const std::vector<Datum>& data) {
  if (data.empty()) return OkStatus();
  std::shared_lock gen(gen_mu_);
  std::vector<uint64_t> ids(data.size());
  std::vector<SeriesEntry*> entries(data.size());
  std::vector<Slot> slots(data.size());
  std::vector<bool> routed(data.size());
  std::vector<SeriesEntry*> created;  // not yet durable: their records go into this batch
  thread_local std::string key;
  SeriesEntry* e = nullptr;
  for (size_t i = 0; i < data.size(); ++i) {
    const Datum& d = data[i];
    EncodeSeriesKeyInto(d.series, key);
    // Batches often carry runs of one series.
    if (e == nullptr || key != e->key) {
      e = index_.FindOrCreate(key);
      if (!e->persisted.load(std::memory_order_acquire)) created.push_back(e);
    }
    int64_t seconds = d.timestamp.seconds();
    e->Observe(seconds, d.unit, d.high_resolution);
    ids[i] = e->id;
    entries[i] = e;
    routed[i] = Route(seconds, d.high_resolution, d.unit, slots[i]);
  }
  rocksdb::WriteBatch batch;
  std::sort(created.begin(), created.end());
  created.erase(std::unique(created.begin(), created.end()), created.end());
  std::vector<SeriesRecord> records;
  records.reserve(created.size());
  for (SeriesEntry* r : created) {
    records.push_back(r->Record());
    batch.Merge(cf_[kSeries], r->key, EncodeSeriesRecord(records.back()));
  }
  std::string wal;
  wal.reserve(data.size() * 24);
  EncodeWalRecord(data, ids, wal);
  batch.Put(cf_[kWal], SeqKey(next_seq_.fetch_add(1)), wal);
  auto s = db_->Write(write_options_, &batch);
  if (!s.ok()) return StoreError(s, "writing datapoints");

  for (size_t k = 0; k < created.size(); ++k) created[k]->Persisted(records[k]);
  for (size_t i = 0; i < data.size(); ++i) {
    if (routed[i]) active_->Add(ids[i], slots[i], data[i].stats);
    // Entries stay valid: Reset() cannot run while this call holds gen_mu_.
    if (i == 0 || entries[i] != entries[i - 1]) NoteChange(entries[i]);
  }
  if (wal_bytes_.fetch_add(wal.size()) + wal.size() >= options_.checkpoint_wal_bytes) {
    RequestCheckpoint();
  }
  return OkStatus();
}

Result<std::vector<UnitBuckets>> RocksMetricStore::Read(const SeriesKey& series,
                                                        std::optional<uint8_t> unit,
                                                        Timestamp start, Timestamp end, int) {
  std::vector<UnitBuckets> out;
  std::shared_lock gen(gen_mu_);
  SeriesEntry* e = index_.Find(EncodeSeriesKey(series));
  if (e == nullptr || !e->persisted.load(std::memory_order_acquire)) return out;
  const uint32_t mask = e->units.load();
  uint32_t units = mask & ~kHighResolutionBit;
  if (unit) units &= 1u << (*unit & 31);
  if (units == 0 || end.millis <= start.millis) return out;
  const uint64_t id = e->id;
  const int64_t first = e->first_seconds.load();
  const int64_t last = e->last_seconds.load();

  // Each tier answers [lo, hi): native tiers (1 s, 60 s) from their watermark on, rollup tiers
  // (300 s, 3600 s) from their watermark up to the previous tier's.
  struct Range {
    int64_t lo_seconds;  // bucket start >= this
    int64_t hi_millis;   // bucket start (ms) < this
  };
  std::array<Range, kTierCount> ranges;
  for (int t = 0; t < kTierCount; ++t) {
    int64_t lo = std::max(start.seconds(), watermarks_->floor[t].load(std::memory_order_acquire));
    int64_t hi = end.millis;
    if (t >= 2) hi = std::min(hi, watermarks_->floor[t - 1].load(std::memory_order_acquire) * 1000);
    ranges[t] = {lo, hi};
  }
  auto in_range = [&](int t, int64_t s) { return s >= ranges[t].lo_seconds && s * 1000 < ranges[t].hi_millis; };

  std::vector<std::string> keys;
  std::vector<BlockKey> block_keys;
  for (int t = (mask & kHighResolutionBit) ? 0 : 1; t < kTierCount; ++t) {
    const TierSpec& spec = kTiers[t];
    int64_t from = std::max(ranges[t].lo_seconds, FloorTo(first, spec.bucket_seconds));
    for (int64_t b = FloorTo(from, spec.block_seconds); b * 1000 < ranges[t].hi_millis && b <= last;
         b += spec.block_seconds) {
      for (uint8_t u = 0; u < 31; ++u) {
        if (!(units & (1u << u))) continue;
        block_keys.push_back({static_cast<uint8_t>(t), b, id, u});
        keys.push_back(EncodeBlockKey(block_keys.back()));
      }
    }
  }

  std::vector<UnitBuckets> found;
  // Blocks of one tier arrive in order; buckets from a second tier or the head need sorting.
  int tiers_seen = 0;
  int last_tier = -1;
  bool from_head = false;
  auto bucket_list = [&](uint8_t u) -> std::vector<Bucket>& {
    for (auto& ub : found) {
      if (ub.unit == u) return ub.buckets;
    }
    found.push_back({u, {}});
    return found.back().buckets;
  };
  if (!keys.empty()) {
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    rocksdb::ReadOptions ro;
    ro.snapshot = read_snapshot_;
    db_->MultiGet(ro, cf_[kBlocks], keys.size(), slices.data(), values.data(), statuses.data(),
                  /*sorted_input=*/true);
    for (size_t k = 0; k < keys.size(); ++k) {
      if (statuses[k].IsNotFound()) continue;
      if (!statuses[k].ok()) return StoreError(statuses[k], "reading datapoints");
      const BlockKey& bk = block_keys[k];
      const TierSpec& spec = kTiers[bk.tier];
      if (bk.tier != last_tier) {
        ++tiers_seen;
        last_tier = bk.tier;
      }
      auto& list = bucket_list(bk.unit);
      if (list.capacity() == 0) list.reserve(std::min<size_t>(keys.size(), 64) * 360);
      size_t before = list.size();
      if (!encoding::DecodeBlockAppend(std::string_view(values[k].data(), values[k].size()),
                                       spec.buckets_per_block(), bk.block_start,
                                       spec.bucket_seconds, list)) {
        return MakeError(ErrorCode::kInternalFailure, "corrupt block");
      }
      // Only the blocks at the ends of the range hold buckets outside it.
      auto out_of_range = [&](const Bucket& b) { return !in_range(bk.tier, b.start.seconds()); };
      if (out_of_range(list[before]) || out_of_range(list.back())) {
        list.erase(std::remove_if(list.begin() + static_cast<ptrdiff_t>(before), list.end(), out_of_range),
                   list.end());
      }
    }
  }
  std::vector<std::shared_ptr<HeadGeneration>> gens = frozen_;
  gens.push_back(active_);
  for (const auto& g : gens) {
    g->VisitSeries(id, [&](const HeadBlock& hb) {
      if (!(units & (1u << (hb.unit & 31)))) return;
      const TierSpec& spec = kTiers[hb.tier];
      for (const auto& b : hb.buckets) {
        int64_t s = hb.block_start + int64_t{b.index} * spec.bucket_seconds;
        if (in_range(hb.tier, s)) {
          bucket_list(hb.unit).push_back({Timestamp::FromSeconds(s), b.stats});
          from_head = true;
        }
      }
    });
  }
  gen.unlock();

  std::sort(found.begin(), found.end(), [](const UnitBuckets& a, const UnitBuckets& b) { return a.unit < b.unit; });
  const bool ordered = tiers_seen <= 1 && !from_head;
  for (auto& ub : found) {
    auto& list = ub.buckets;
    if (ordered) {
      if (!list.empty()) out.push_back(std::move(ub));
      continue;
    }
    auto by_start = [](const Bucket& a, const Bucket& b) { return a.start < b.start; };
    if (!std::is_sorted(list.begin(), list.end(), by_start)) {
      std::stable_sort(list.begin(), list.end(), by_start);
    }
    size_t w = 0;
    for (size_t r = 0; r < list.size(); ++r) {
      if (w > 0 && list[w - 1].start == list[r].start) {
        list[w - 1].stats.Merge(list[r].stats);
      } else {
        if (w != r) list[w] = std::move(list[r]);
        ++w;
      }
    }
    list.resize(w);
    if (!list.empty()) out.push_back(std::move(ub));
  }
  return out;
}

Result<std::vector<SeriesInfo>> RocksMetricStore::List(const ListFilter& filter,
                                                       const std::optional<SeriesKey>& after,
                                                       size_t limit) {
  return index_.List(filter, after, limit);
}

Status RocksMetricStore::ScanSeries(
    const ListFilter& filter,
    const std::function<bool(std::string_view key, Timestamp last)>& visit) {
  index_.Scan(filter, visit);
  return OkStatus();
}

Status RocksMetricStore::Reset() {
  std::lock_guard maintenance(maintenance_mu_);
  std::lock_guard checkpoint(checkpoint_mu_);
  std::unique_lock gen(gen_mu_);
  for (int f = 0; f < kFamilies; ++f) {
    auto s = db_->DropColumnFamily(cf_[f]);
    if (!s.ok()) return StoreError(s, std::string("dropping ") + kFamilyNames[f]);
    db_->DestroyColumnFamilyHandle(cf_[f]);
    cf_[f] = nullptr;
    s = db_->CreateColumnFamily(FamilyOptions(static_cast<Family>(f)), kFamilyNames[f], &cf_[f]);
    if (!s.ok()) return StoreError(s, std::string("recreating ") + kFamilyNames[f]);
  }
  auto s = db_->Put(write_options_, cf_[kMeta], kFormatKey, kFormatVersion);
  if (!s.ok()) return StoreError(s, "writing the format version");
  {
    std::lock_guard lock(dirty_mu_);
    dirty_.clear();
  }
  index_.Clear();
  active_ = std::make_shared<HeadGeneration>();
  frozen_.clear();
  next_seq_ = 1;
  wal_bytes_ = 0;
  for (int t = 0; t < kTierCount; ++t) {
    watermarks_->floor[t] = kNoFloor;
    route_floor_[t] = kNoFloor;
    compacted_below_[t] = kNoFloor;
  }
  return OkStatus();
}

void RocksMetricStore::Close() {
  if (!db_) return;
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  if (options_.checkpoint_on_close) {
    std::lock_guard maintenance(maintenance_mu_);
    auto s = Checkpoint(nullptr);
    if (!s.ok()) Logger("store")->warn("checkpoint on close: {}", s.error().message);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> all(cf_.begin(), cf_.end());
  auto flushed = db_->Flush(rocksdb::FlushOptions(), all);
  if (!flushed.ok()) Logger("store")->warn("flush on close: {}", flushed.ToString());
  for (auto* h : cf_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  if (default_cf_ != nullptr) db_->DestroyColumnFamilyHandle(default_cf_);
  auto s = db_->Close();
  if (!s.ok()) Logger("store")->warn("close: {}", s.ToString());
  db_.reset();
}

Result<std::unique_ptr<MetricStore>> OpenRocksMetricStore(const RocksOptions& options,
                                                          const Clock& clock) {
  auto store = std::make_unique<RocksMetricStore>(options, clock);
  RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<MetricStore>(std::move(store));
}

}  // namespace vigil::storage
