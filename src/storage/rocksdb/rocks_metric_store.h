// The RocksDB MetricStore (docs/storage-format.md). Column families:
//   series  EncodeSeriesKey -> SeriesRecord (id, newest/oldest datapoint, unit mask); merge.
//   blocks  tier | block start | series id | unit -> encoded block; merge, expiry filter.
//   wal     sequence (8, BE) -> one Write() call's data (WalRecord), until checkpointed.
//   meta    "format" -> version; "wm/<tier>" -> the tier's watermark.
//
// Write: one RocksDB batch (the WAL record plus any series records), then the data goes into the
// in-memory head. Checkpoints turn the head into block merge operands and truncate the WAL in one
// batch. Read: stored blocks of each tier above its watermark, merged with the head.
//
// Locks, always taken in this order: maintenance_mu_ (one pass at a time) -> checkpoint_mu_ (one
// checkpoint at a time) -> gen_mu_ (shared by Write/Read for their whole call; exclusive for the
// short moments that switch head generations, commit a checkpoint or rollup, move routing
// floors, or Reset) -> the index's and head shards' own mutexes.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/rocksdb/expiry_filter.h"
#include "storage/rocksdb/head.h"
#include "storage/rocksdb/rw_lock.h"
#include "storage/series_index.h"
#include "storage/tiers.h"
#include "vigil/storage/metric_store.h"

namespace vigil::storage {

// The `meta` key of a tier's watermark.
std::string WatermarkKey(int tier);

class RocksMetricStore final : public MetricStore {
 public:
  RocksMetricStore(const RocksOptions& options, const Clock& clock);
  ~RocksMetricStore() override;

  Status Open();

  Status Write(const std::vector<Datum>& data) override;
  Result<std::vector<UnitBuckets>> Read(const SeriesKey& series, std::optional<uint8_t> unit,
                                        Timestamp start, Timestamp end,
                                        int period_seconds) override;
  Result<std::vector<SeriesInfo>> List(const ListFilter& filter,
                                       const std::optional<SeriesKey>& after,
                                       size_t limit) override;
  Status ScanSeries(const ListFilter& filter,
                    const std::function<bool(std::string_view key, Timestamp last)>& visit)
      override;
  Status Reset() override;
  // Open, and RocksDB has not stopped on a background error (a full disk, an I/O error).
  bool Healthy() const override;
  Result<MaintenanceReport> RunMaintenance(const MaintenanceOptions& options) override;
  StoreStats Stats() const override;

 private:
  enum Family { kSeries = 0, kBlocks, kWal, kMeta, kFamilies };

  // rocks_metric_store.cc
  rocksdb::ColumnFamilyOptions FamilyOptions(Family f) const;
  Status OpenFamilies();
  Status LoadState();
  Status ReplayWal();
  // The slot a datum at `seconds` lands in, given the routing floors; false when it is older than
  // everything kept.
  bool Route(int64_t seconds, bool high_resolution, uint8_t unit, Slot& slot) const;
  // Puts `e` on the dirty list if its record went stale.
  void NoteChange(SeriesEntry* e);
  void Close();

  // maintenance.cc
  Status Checkpoint(int64_t* buckets_written);
  Status AdvanceTier(int tier, int64_t target, MaintenanceReport& report);
  Status RollUp(int tier, int64_t from, int64_t to, int64_t& blocks);
  Status CompactExpired(int tier, int64_t below);
  void CheckpointLoop();
  void RequestCheckpoint();

  RocksOptions options_;
  const Clock& clock_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilies> cf_{};
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  rocksdb::WriteOptions write_options_;
  std::shared_ptr<rocksdb::Cache> block_cache_;  // shared by every family

  std::mutex maintenance_mu_;
  std::mutex checkpoint_mu_;
  mutable WriterPreferringLock gen_mu_;
  std::shared_ptr<HeadGeneration> active_;               // under gen_mu_
  std::vector<std::shared_ptr<HeadGeneration>> frozen_;  // under gen_mu_; being checkpointed
  // While a checkpoint's batch is being written, reads see the blocks as of this snapshot plus
  // the frozen generations, so they never count a bucket twice nor miss one. Under gen_mu_.
  const rocksdb::Snapshot* read_snapshot_ = nullptr;
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<uint64_t> wal_bytes_{0};

  SeriesIndex index_;
  // Series whose record must be rewritten (newer datapoints, new units) at the next checkpoint.
  // A new series' record goes into the batch of its first WAL record instead, so replay finds it.
  std::mutex dirty_mu_;
  std::vector<SeriesEntry*> dirty_;
  // Read watermarks (reads and the expiry filter look only at or above them) and routing floors
  // (Write sends data below them to the next tier); floor >= watermark, equal outside a rollup.
  std::shared_ptr<Watermarks> watermarks_;
  std::array<std::atomic<int64_t>, kTierCount> route_floor_{};
  std::array<int64_t, kTierCount> compacted_below_{};  // under maintenance_mu_

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;
  bool bg_requested_ = false;
  std::thread bg_thread_;
};

}  // namespace vigil::storage
