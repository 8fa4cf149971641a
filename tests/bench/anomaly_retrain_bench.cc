// The scheduled anomaly retrainer at scale (docs/anomaly-detection.md "Performance"; issue 7:
// "10,000 detectors retrained every 5 minutes on one core without delaying the API").
//
// Fixture (built once, RocksDB stores as the server uses, under $TMPDIR): 500 series of 14 days
// at 60 s (20,160 points each, 10.08 M points) and 10,000 single-metric detectors on them (20
// statistics per series: a detector is one metric and one statistic, so each still reads and
// trains 20,160 points of its own). The retrainer trains at 60 s periods.
//
//   BM_RetrainOneDetector  one detector: query 14 days from RocksDB, train, serialise, persist
//   BM_RetrainPass10k      one pass over the 10,000 detectors (the 5-minute job); counters give
//                          seconds per pass, ms per detector and the share of a 300 s interval
//   BM_ApiDuringPass/idle  GetMetricData latency (one series, 3 hours at 60 s, in-process: what a
//                          worker runs) with everything pinned to ONE core, alone and while a
//                          pass runs on its SCHED_IDLE thread: p50/p99/max of both
//   BM_ApiDuringPass/normal the same with the retrainer at normal priority, for comparison
//
//   cmake --build <dir> --target anomaly_retrain_bench && <dir>/tests/anomaly_retrain_bench
#include <benchmark/benchmark.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/operations/anomaly_common.h"
#include "vigil/alarms/state_store.h"
#include "vigil/api/anomaly_retrainer.h"
#include "vigil/common/clock.h"
#include "vigil/query/metric_data.h"
#include "vigil/storage/metric_store.h"

namespace {

using namespace vigil;  // NOLINT: a benchmark's brevity

constexpr int kSeries = 500;
constexpr int64_t kPeriod = 60;
constexpr int64_t kDays = 14;
constexpr int64_t kEnd = 1'795'780'800;  // 2026-11-27T12:00:00Z, a multiple of 300
const char* const kStats[] = {"Average", "Sum", "Minimum", "Maximum", "SampleCount",
                              "p1",      "p5",  "p10",     "p20",     "p25",
                              "p30",     "p40", "p50",     "p60",     "p70",
                              "p75",     "p80", "p90",     "p95",     "p99"};

storage::SeriesKey Key(int i) {
  storage::SeriesKey k{"123456789012", "us-east-1", "bench", "load",
                       {{"Host", std::string("host-") + std::to_string(i)}}};
  k.Canonicalize();
  return k;
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.error().message.c_str());
  std::abort();
}

struct Fixture {
  std::filesystem::path dir;
  ManualClock clock{Timestamp::FromSeconds(kEnd)};
  std::unique_ptr<storage::MetricStore> metrics;
  std::unique_ptr<alarms::StateStore> all;  // the 10,000 detectors
  std::unique_ptr<alarms::StateStore> one;  // one detector

  Fixture() {
    dir = std::filesystem::temp_directory_path() /
          (std::string("vigil-retrain-bench-") + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    storage::RocksOptions o;
    o.path = (dir / "metrics").string();
    auto m = storage::OpenRocksMetricStore(o, clock);
    if (!m.ok()) Check(m.error(), "open metrics");
    metrics = std::move(m).value();
    alarms::StateStoreOptions so;
    so.path = (dir / "state").string();
    auto a = alarms::OpenRocksStateStore(so);
    if (!a.ok()) Check(a.error(), "open state");
    all = std::move(a).value();
    so.path = (dir / "state-one").string();
    auto b = alarms::OpenRocksStateStore(so);
    if (!b.ok()) Check(b.error(), "open state");
    one = std::move(b).value();
    const auto started = std::chrono::steady_clock::now();
    uint64_t lcg = 42;
    std::vector<storage::Datum> batch;
    for (int s = 0; s < kSeries; ++s) {
      const double phase = 0.37 * s;
      for (int64_t t = kEnd - kDays * 86400; t < kEnd; t += kPeriod) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        const double noise = static_cast<double>(lcg >> 40) / static_cast<double>(1ULL << 24);
        storage::Datum d;
        d.series = Key(s);
        d.timestamp = Timestamp::FromSeconds(t);
        d.stats.Add(50 + 20 * std::sin(2 * M_PI * static_cast<double>(t % 86400) / 86400 + phase) +
                        4 * noise,
                    1);
        batch.push_back(std::move(d));
        if (batch.size() == 20'000) {
          Check(metrics->Write(batch), "write");
          batch.clear();
        }
      }
    }
    if (!batch.empty()) Check(metrics->Write(batch), "write");
    alarms::WriteBatch detectors, first;
    for (int s = 0; s < kSeries; ++s) {
      for (const char* stat : kStats) {
        if (!query::Statistic::Parse(stat)) Check(MakeError(ErrorCode::kInternalFailure, stat), "stat");
        api::ops::DetectorRecord d;
        d.series = Key(s);
        d.stat = stat;
        detectors.puts.emplace_back(api::ops::DetectorKey(d.series, d.stat),
                                    api::ops::EncodeDetector(d));
        if (s == 0 && std::string(stat) == "Average") first.puts.push_back(detectors.puts.back());
      }
    }
    Check(all->Write(detectors), "detectors");
    Check(one->Write(first), "detector");
    std::fprintf(stderr, "fixture: %d series x %lld points, %zu detectors, filled in %.1f s\n",
                 kSeries, static_cast<long long>(kDays * 86400 / kPeriod), detectors.puts.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  ~Fixture() {
    metrics.reset();
    all.reset();
    one.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

api::RetrainerOptions Options() {
  api::RetrainerOptions o;
  o.period_seconds = static_cast<int>(kPeriod);
  return o;
}

void BM_RetrainOneDetector(benchmark::State& state) {
  api::AnomalyRetrainer r(*F().one, *F().metrics, Options());
  for (auto _ : state) {
    auto report = r.RetrainAll(Timestamp::FromSeconds(kEnd));
    if (report.trained != 1) state.SkipWithError("the detector did not train");
  }
}

void BM_RetrainPass10k(benchmark::State& state) {
  api::AnomalyRetrainer r(*F().all, *F().metrics, Options());
  api::RetrainReport report;
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    report = r.RetrainAll(Timestamp::FromSeconds(kEnd));
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  state.counters["detectors"] = static_cast<double>(report.detectors);
  state.counters["trained"] = static_cast<double>(report.trained);
  state.counters["errors"] = static_cast<double>(report.errors);
  state.counters["pass_s"] = seconds;
  state.counters["ms_per_detector"] = 1000 * seconds / static_cast<double>(report.detectors);
  state.counters["share_of_300s"] = seconds / 300;
}

// p-quantile of sorted latencies, in microseconds.
double Quantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))];
}

std::vector<double> Latencies(int calls) {
  query::MetricDataRequest req;
  query::MetricDataQuery m;
  m.id = "m1";
  m.series = Key(7);
  m.statistic = *query::Statistic::Parse("Average");
  m.period_seconds = static_cast<int>(kPeriod);
  req.queries = {m};
  req.start = Timestamp::FromSeconds(kEnd - 3 * 3600);
  req.end = Timestamp::FromSeconds(kEnd);
  std::vector<double> us;
  us.reserve(static_cast<size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto page = query::GetMetricData(*F().metrics, req, Timestamp::FromSeconds(kEnd));
    benchmark::DoNotOptimize(page);
    if (!page.ok() || page->results.at(0).values.size() != 180) std::abort();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(us.begin(), us.end());
  return us;
}

void BM_ApiDuringPass(benchmark::State& state) {
  const bool idle = state.range(0) == 1;
  Fixture& f = F();
  // One core for everything: this thread and (inherited) the retrainer's.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  cpu_set_t saved;
  sched_getaffinity(0, sizeof saved, &saved);
  sched_setaffinity(0, sizeof one, &one);
  constexpr int kCalls = 3000;
  std::vector<double> alone, during;
  for (auto _ : state) {
    alone = Latencies(kCalls);
    api::RetrainerOptions o = Options();
    o.idle_priority = idle;
    api::AnomalyRetrainer r(*f.all, *f.metrics, o);
    ManualClock clock{Timestamp::FromSeconds(kEnd + 600)};  // a pass is due at once
    r.Start(clock);
    during = Latencies(kCalls);
    r.Stop();  // interrupts the pass
  }
  sched_setaffinity(0, sizeof saved, &saved);
  state.counters["alone_p50_us"] = Quantile(alone, 0.5);
  state.counters["alone_p99_us"] = Quantile(alone, 0.99);
  state.counters["alone_max_us"] = alone.back();
  state.counters["pass_p50_us"] = Quantile(during, 0.5);
  state.counters["pass_p99_us"] = Quantile(during, 0.99);
  state.counters["pass_max_us"] = during.back();
}

BENCHMARK(BM_RetrainOneDetector)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_RetrainPass10k)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_ApiDuringPass)->ArgName("idle")->Arg(1)->Arg(0)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
