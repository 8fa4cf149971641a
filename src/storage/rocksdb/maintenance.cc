// Maintenance of the RocksDB MetricStore: head checkpoints, rollups between tiers, expiry, stats.
// Protocols: docs/storage-format.md ("WAL and head", "Tiers and watermarks", "Expiry").
#include <algorithm>
#include <map>
#include <tuple>

#include "storage/encoding/block.h"
#include "storage/keys.h"
#include "storage/rocksdb/rocks_metric_store.h"
#include "vigil/common/logging.h"

namespace vigil::storage {
namespace {

ApiError StoreError(const rocksdb::Status& s, std::string_view what) {
  return MakeError(ErrorCode::kInternalFailure, std::string(what) + ": " + s.ToString());
}

std::string SeqKey(uint64_t seq) {
  std::string k;
  AppendBigEndian64(k, seq);
  return k;
}

std::string OrderedValue(int64_t seconds) {
  std::string v;
  AppendBigEndian64(v, OrderedSeconds(seconds));
  return v;
}

}  // namespace

// Freezes the active generation, writes every frozen generation's blocks as merge operands and
// deletes the WAL records they came from, in one atomic batch. While the batch is written, reads
// use a snapshot taken at the freeze plus the frozen generations; at the end both go, together.
Status RocksMetricStore::Checkpoint(int64_t* buckets_written) {
  std::lock_guard checkpoint(checkpoint_mu_);
  std::vector<std::shared_ptr<HeadGeneration>> gens;
  std::vector<SeriesEntry*> dirty;
  uint64_t last_seq;
  {
    std::unique_lock gen(gen_mu_);
    {
      std::lock_guard lock(dirty_mu_);
      dirty.swap(dirty_);
    }
    if (active_->bucket_count() == 0 && frozen_.empty() && wal_bytes_.load() == 0 &&
        dirty.empty()) {
      return OkStatus();
    }
    frozen_.push_back(active_);
    active_ = std::make_shared<HeadGeneration>();
    last_seq = next_seq_.load() - 1;
    wal_bytes_ = 0;
    gens = frozen_;
    read_snapshot_ = db_->GetSnapshot();
  }
  // In key order: the memtable inserts sorted keys far faster (its skiplist reuses the search).
  std::vector<std::pair<std::string, std::string>> blocks;
  int64_t buckets = 0;
  for (const auto& g : gens) {
    g->ForEachBlock([&](uint64_t series, const HeadBlock& b) {
      blocks.emplace_back(EncodeBlockKey({b.tier, b.block_start, series, b.unit}), std::string());
      encoding::EncodeBlock(b.buckets, blocks.back().second);
      buckets += static_cast<int64_t>(b.buckets.size());
    });
  }
  std::sort(blocks.begin(), blocks.end());
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : blocks) batch.Merge(cf_[kBlocks], key, value);
  // The series records, as of the freeze (a change after it marks the entry dirty again).
  std::sort(dirty.begin(), dirty.end(),
            [](const SeriesEntry* a, const SeriesEntry* b) { return a->key < b->key; });
  std::vector<SeriesRecord> records;
  records.reserve(dirty.size());
  for (SeriesEntry* e : dirty) {
    e->dirty.store(false);
    records.push_back(e->Record());
    batch.Merge(cf_[kSeries], e->key, EncodeSeriesRecord(records.back()));
  }
  batch.DeleteRange(cf_[kWal], SeqKey(0), SeqKey(last_seq + 1));
  auto s = db_->Write(write_options_, &batch);
  if (s.ok() && options_.test_hook) options_.test_hook("checkpoint-written");
  {
    std::unique_lock gen(gen_mu_);
    db_->ReleaseSnapshot(read_snapshot_);
    read_snapshot_ = nullptr;
    if (s.ok()) frozen_.clear();
  }
  if (!s.ok()) {
    for (SeriesEntry* e : dirty) NoteChange(e);
    return StoreError(s, "checkpointing the head");
  }
  for (size_t k = 0; k < dirty.size(); ++k) dirty[k]->Persisted(records[k]);
  if (buckets_written != nullptr) *buckets_written += buckets;
  return OkStatus();
}

void RocksMetricStore::RequestCheckpoint() {
  {
    std::lock_guard lock(bg_mu_);
    if (bg_requested_) return;
    bg_requested_ = true;
  }
  bg_cv_.notify_one();
}

void RocksMetricStore::CheckpointLoop() {
  std::unique_lock lock(bg_mu_);
  while (!bg_stop_) {
    bg_cv_.wait(lock, [&] { return bg_stop_ || bg_requested_; });
    if (bg_stop_) break;
    bg_requested_ = false;
    lock.unlock();
    auto s = Checkpoint(nullptr);
    if (!s.ok()) Logger("store")->error("background checkpoint: {}", s.error().message);
    lock.lock();
  }
}

Result<MaintenanceReport> RocksMetricStore::RunMaintenance(const MaintenanceOptions& options) {
  std::lock_guard maintenance(maintenance_mu_);
  MaintenanceReport report;
  RETURN_IF_ERROR(Checkpoint(&report.checkpointed_buckets));
  const int64_t now = clock_.Now().seconds();
  for (int t = 0; t < kTierCount; ++t) {
    const TierSpec& spec = kTiers[t];
    RETURN_IF_ERROR(AdvanceTier(t, FloorTo(now - spec.retention_seconds, spec.block_seconds), report));
  }
  if (options.compact) {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* cf : cf_) {
      auto s = db_->CompactRange(co, cf, nullptr, nullptr);
      if (!s.ok()) return StoreError(s, "compacting");
    }
    report.compacted = true;
  }
  return report;
}

// Moves tier `tier`'s watermark up to `target`, one stored block span at a time (empty stretches
// in one step), rolling each span into the next tier, then compacts the expired key range.
Status RocksMetricStore::AdvanceTier(int tier, int64_t target, MaintenanceReport& report) {
  const TierSpec& spec = kTiers[tier];
  bool moved = false;
  while (watermarks_->floor[tier].load() < target) {
    int64_t from = watermarks_->floor[tier].load();
    int64_t to = target;
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kBlocks]));
      it->Seek(EncodeBlockPrefix(static_cast<uint8_t>(tier), from));
      BlockKey k;
      if (it->Valid() && DecodeBlockKey(std::string_view(it->key().data(), it->key().size()), k) &&
          k.tier == tier && k.block_start < target) {
        // Up to and including the first stored block (whatever the head adds below it too).
        to = std::min(target, std::max(from, k.block_start) + spec.block_seconds);
      }
      if (!it->status().ok()) return StoreError(it->status(), "finding blocks to roll up");
    }
    RETURN_IF_ERROR(RollUp(tier, from, to, report.rolled_up_blocks));
    ++report.advanced_tiers;
    moved = true;
  }
  if (moved) RETURN_IF_ERROR(CompactExpired(tier, watermarks_->floor[tier].load()));
  return OkStatus();
}

// Rolls tier `tier`'s blocks in [from, to) into the next tier and moves the watermark to `to`:
//   1. new data in that range goes to the next tier from now on (routing floor, exclusive lock);
//   2. a checkpoint writes out what the head still holds there;
//   3. the blocks are read, re-bucketed and written as merge operands of the next tier's blocks,
//      with the new watermark, in one batch; meanwhile reads use a snapshot from before it;
//   4. reads switch to the new watermark and the live blocks together (exclusive lock: no read
//      is half way).
Status RocksMetricStore::RollUp(int tier, int64_t from, int64_t to, int64_t& blocks) {
  {
    std::unique_lock gen(gen_mu_);
    if (route_floor_[tier].load() < to) route_floor_[tier] = to;
  }
  RETURN_IF_ERROR(Checkpoint(nullptr));
  std::lock_guard checkpoint(checkpoint_mu_);
  const TierSpec& spec = kTiers[tier];
  rocksdb::WriteBatch batch;
  if (tier + 1 < kTierCount) {
    const TierSpec& next = kTiers[tier + 1];
    // (next block start, series, unit) -> buckets in ascending index.
    std::map<std::tuple<int64_t, uint64_t, uint8_t>, std::vector<encoding::BlockBucket>> rolled;
    std::string lower = EncodeBlockPrefix(static_cast<uint8_t>(tier), from);
    std::string upper = EncodeBlockPrefix(static_cast<uint8_t>(tier), to);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kBlocks]));
    std::vector<encoding::BlockBucket> decoded;
    for (it->Seek(lower); it->Valid(); it->Next()) {
      BlockKey k;
      if (!DecodeBlockKey(std::string_view(it->key().data(), it->key().size()), k) ||
          !encoding::DecodeBlock(std::string_view(it->value().data(), it->value().size()),
                                 spec.buckets_per_block(), decoded)) {
        return MakeError(ErrorCode::kInternalFailure, "corrupt block during rollup");
      }
      ++blocks;
      for (auto& b : decoded) {
        int64_t start = FloorTo(k.block_start + int64_t{b.index} * spec.bucket_seconds,
                                next.bucket_seconds);
        int64_t next_block = FloorTo(start, next.block_seconds);
        auto index = static_cast<uint32_t>((start - next_block) / next.bucket_seconds);
        auto& out = rolled[{next_block, k.series, k.unit}];
        if (!out.empty() && out.back().index == index) {
          out.back().stats.Merge(b.stats);
        } else {
          out.push_back({index, std::move(b.stats)});
        }
      }
    }
    if (!it->status().ok()) return StoreError(it->status(), "reading blocks to roll up");
    std::string value;
    for (const auto& [k, buckets] : rolled) {
      value.clear();
      encoding::EncodeBlock(buckets, value);
      batch.Merge(cf_[kBlocks],
                  EncodeBlockKey({static_cast<uint8_t>(tier + 1), std::get<0>(k), std::get<1>(k),
                                  std::get<2>(k)}),
                  value);
    }
  }
  batch.Put(cf_[kMeta], WatermarkKey(tier), OrderedValue(to));
  // Rolled data lands in the next tier, which reads may already look at (the 60-second tier is
  // read at all times): until the watermark moves, reads see the blocks as they were before.
  {
    std::unique_lock gen(gen_mu_);
    read_snapshot_ = db_->GetSnapshot();
  }
  auto s = db_->Write(write_options_, &batch);
  if (s.ok() && options_.test_hook) options_.test_hook("rollup-written");
  std::unique_lock gen(gen_mu_);
  db_->ReleaseSnapshot(read_snapshot_);
  read_snapshot_ = nullptr;
  if (!s.ok()) return StoreError(s, "writing a rollup");
  watermarks_->floor[tier].store(to, std::memory_order_release);
  return OkStatus();
}

// Compacts tier `tier`'s key range below `below`: the expiry filter drops every block there, so
// the files holding them are rewritten to nothing. Only the expired range is touched.
Status RocksMetricStore::CompactExpired(int tier, int64_t below) {
  if (below <= compacted_below_[tier]) return OkStatus();
  std::string begin = EncodeBlockPrefix(static_cast<uint8_t>(tier), compacted_below_[tier]);
  std::string end = EncodeBlockPrefix(static_cast<uint8_t>(tier), below);
  rocksdb::Slice b(begin), e(end);
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto s = db_->CompactRange(co, cf_[kBlocks], &b, &e);
  if (!s.ok()) return StoreError(s, "compacting expired blocks");
  compacted_below_[tier] = below;
  return OkStatus();
}

bool RocksMetricStore::Healthy() const {
  if (db_ == nullptr) return false;
  uint64_t errors = 0;
  return db_->GetIntProperty("rocksdb.background-errors", &errors) && errors == 0;
}

StoreStats RocksMetricStore::Stats() const {
  StoreStats st;
  st.series = index_.size();
  {
    std::shared_lock gen(gen_mu_);
    st.head_buckets = active_->bucket_count();
    for (const auto& g : frozen_) st.head_buckets += g->bucket_count();
  }
  st.wal_bytes = wal_bytes_.load();
  for (auto* cf : cf_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) st.sst_bytes += v;
    if (cf == cf_[kBlocks]) st.block_sst_bytes = v;
  }
  for (int t = 0; t < kTierCount; ++t) {
    st.watermark_seconds[t] = watermarks_->floor[t].load();
    std::string begin(1, static_cast<char>(t)), end(1, static_cast<char>(t + 1));
    rocksdb::Range r(begin, end);
    uint64_t size = 0;
    rocksdb::SizeApproximationOptions ao;
    ao.include_memtables = true;
    ao.include_files = true;
    if (db_->GetApproximateSizes(ao, cf_[kBlocks], &r, 1, &size).ok()) st.tier_bytes[t] = size;
  }
  return st;
}

}  // namespace vigil::storage
