// Store benchmarks (docs/storage-format.md, "Performance"):
//   BM_Write            Write() of 1000-datum batches over 10,000 series (the ingest path's share)
//   BM_ReadOneDay       Read() of 1 series x 1 day at 60 s (1,440 buckets) out of 10,000 series
//   BM_Read500Days      500 such reads (one GetMetricData of 500 queries)
//   BM_Open             reopening the store holding the 10,000 x 1 day data set
//   BM_OpenReplayingWal opening after a crash with a full WAL (32 MB) to replay
// The read data set (10,000 series x 1,440 one-a-minute datapoints = 14.4 M) is written once per
// run in time order with a maintenance pass every simulated hour, like a live server; reads run
// on that state ("hot": the last hours still merge operands in the memtable) and again after a
// full compaction ("compacted").
//
//   cmake --build <dir> --target storage_bench && <dir>/tests/storage_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>

#include "vigil/storage/metric_store.h"

namespace vigil::storage {
namespace {

constexpr int kSeries = 10000;
constexpr int64_t kT0 = 1'800'028'800;  // a 6-hour boundary
constexpr int64_t kDay = 86400;

std::vector<SeriesKey> MakeKeys() {
  std::vector<SeriesKey> keys;
  for (int i = 0; i < kSeries; ++i) {
    SeriesKey k{"123456789012", "us-east-1", "Bench", "Latency",
                {{"Host", "host-" + std::to_string(i % 1000)},
                 {"Service", "svc-" + std::to_string(i / 1000)},
                 {"Az", "az-" + std::to_string(i % 3)}}};
    k.Canonicalize();
    keys.push_back(std::move(k));
  }
  return keys;
}

std::filesystem::path TempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             (std::string("vigil-bench-") + name + "-" + std::to_string(std::random_device{}()));
  std::filesystem::remove_all(dir);
  return dir;
}

void BM_Write(benchmark::State& state) {
  ManualClock clock(Timestamp::FromSeconds(kT0));
  auto dir = TempDir("write");
  auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
  if (!store.ok()) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  auto keys = MakeKeys();
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> value(0, 1000);
  // Pre-built batches: one sample per datum, 10,000 series round robin, time moving at the rate
  // of 500,000 datapoints a second (each series gets a datum every 20 ms of data time).
  std::vector<std::vector<Datum>> batches(64);
  size_t next_key = 0;
  int64_t t_ms = kT0 * 1000;
  for (auto& b : batches) {
    for (int i = 0; i < 1000; ++i) {
      Datum d;
      d.series = keys[next_key++ % keys.size()];
      d.timestamp = Timestamp{t_ms};
      t_ms += 2;
      d.stats.Add(std::round(value(rng) * 10) / 10, 1);
      b.push_back(std::move(d));
    }
  }
  // Every series exists before timing starts (creating one is a one-off cost).
  for (size_t i = 0; i < 10; ++i) (void)(*store)->Write(batches[i]);
  size_t i = 0;
  for (auto _ : state) {
    auto s = (*store)->Write(batches[i++ % batches.size()]);
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Write)->Unit(benchmark::kMicrosecond)->MinTime(5)->UseRealTime();

// Minutes of data per series in the read data set: VIGIL_BENCH_MINUTES (default 1440, one day;
// 10000 makes the 100 M datapoint data set the open-time figure is about).
int64_t FixtureMinutes() {
  const char* v = std::getenv("VIGIL_BENCH_MINUTES");
  return v != nullptr ? std::max<int64_t>(1440, std::atoll(v)) : 1440;
}

// The shared read data set.
struct ReadFixture {
  std::filesystem::path dir = TempDir("read");
  ManualClock clock{Timestamp::FromSeconds(kT0)};
  std::vector<SeriesKey> keys = MakeKeys();
  std::unique_ptr<MetricStore> store;
  bool compacted = false;
  double ingest_seconds = 0;
  int64_t minutes = 1440;
  double points = 0;

  ReadFixture() {
    Open();
    auto started = std::chrono::steady_clock::now();
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0, 3);
    std::vector<Datum> batch;
    minutes = FixtureMinutes();
    for (int64_t m = 0; m < minutes; ++m) {
      for (int s = 0; s < kSeries; ++s) {
        Datum d;
        d.series = keys[s];
        d.unit = 1;  // Microseconds
        d.timestamp = Timestamp::FromSeconds(kT0 + 60 * m + 5);
        d.stats.Add(std::round((100 + s % 50 + noise(rng)) * 1000) / 1000, 1);
        batch.push_back(std::move(d));
        if (batch.size() == 1000) {
          if (!store->Write(batch).ok()) std::abort();
          batch.clear();
        }
      }
      if (m % 60 == 59) {
        clock.Set(Timestamp::FromSeconds(kT0 + 60 * (m + 1)));
        if (!store->RunMaintenance({}).ok()) std::abort();
      }
    }
    ingest_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    points = static_cast<double>(minutes) * kSeries;
    std::cerr << "read fixture: " << points / 1e6 << " M datapoints written in " << ingest_seconds
              << " s (" << points / ingest_seconds << " /s including maintenance)\n";
  }
  ~ReadFixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  void Open() {
    store.reset();
    auto s = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
    if (!s.ok()) std::abort();
    store = std::move(s).value();
  }
  void Compact() {
    if (compacted) return;
    MaintenanceOptions o;
    o.compact = true;
    if (!store->RunMaintenance(o).ok()) std::abort();
    compacted = true;
    std::cerr << "compacted: " << static_cast<double>(store->Stats().sst_bytes) / points
              << " bytes/datapoint\n";
  }
  static ReadFixture& Get() {
    static ReadFixture f;
    return f;
  }
};

// The last day of the data set.
size_t ReadOne(ReadFixture& f, int s) {
  int64_t end = kT0 + 60 * f.minutes;
  auto r = f.store->Read(f.keys[s], std::nullopt, Timestamp::FromSeconds(end - kDay),
                         Timestamp::FromSeconds(end), 60);
  if (!r.ok() || r->size() != 1) std::abort();
  return (*r)[0].buckets.size();
}

void BM_ReadOneDay(benchmark::State& state) {
  auto& f = ReadFixture::Get();
  if (state.range(0) == 1) f.Compact();
  std::mt19937 rng(3);
  size_t buckets = 0;
  for (auto _ : state) buckets += ReadOne(f, static_cast<int>(rng() % kSeries));
  state.counters["buckets"] = static_cast<double>(buckets) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReadOneDay)->Arg(0)->Arg(1)->ArgName("compacted")->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Read500Days(benchmark::State& state) {
  auto& f = ReadFixture::Get();
  if (state.range(0) == 1) f.Compact();
  std::mt19937 rng(5);
  for (auto _ : state) {
    for (int q = 0; q < 500; ++q) ReadOne(f, static_cast<int>(rng() % kSeries));
  }
}
BENCHMARK(BM_Read500Days)->Arg(0)->Arg(1)->ArgName("compacted")->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Open(benchmark::State& state) {
  auto& f = ReadFixture::Get();
  for (auto _ : state) f.Open();
  state.counters["series"] = static_cast<double>(f.store->Stats().series);
  state.counters["datapoints"] = f.points;
}
BENCHMARK(BM_Open)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

// Opening after a crash: the WAL holds a full checkpoint threshold of records (32 MB, the most it
// holds before the background checkpoint), which open replays into the head.
void BM_OpenReplayingWal(benchmark::State& state) {
  ManualClock clock(Timestamp::FromSeconds(kT0));
  auto dir = TempDir("replay");
  RocksOptions options{dir.string(), SyncPolicy::kProcess, 1ull << 40};
  options.checkpoint_on_close = false;
  auto keys = MakeKeys();
  double datums = 0;
  uint64_t wal_bytes = 0;
  {
    auto store = OpenRocksMetricStore(options, clock);
    if (!store.ok()) std::abort();
    std::mt19937_64 rng(1);
    std::vector<Datum> batch;
    for (int64_t i = 0; batch.size() > 0 || (*store)->Stats().wal_bytes < (32u << 20); ++i) {
      Datum d;
      d.series = keys[static_cast<size_t>(i) % keys.size()];
      d.timestamp = Timestamp{kT0 * 1000 + 2 * i};
      d.stats.Add(static_cast<double>(rng() % 100000) / 10, 1);
      batch.push_back(std::move(d));
      if (batch.size() == 1000) {
        if (!(*store)->Write(batch).ok()) std::abort();
        batch.clear();
        datums += 1000;
      }
    }
    wal_bytes = (*store)->Stats().wal_bytes;
  }
  for (auto _ : state) {
    auto store = OpenRocksMetricStore(options, clock);
    if (!store.ok()) std::abort();
  }
  state.counters["datapoints_replayed"] = datums;
  state.counters["wal_bytes"] = static_cast<double>(wal_bytes);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_OpenReplayingWal)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace vigil::storage

BENCHMARK_MAIN();
