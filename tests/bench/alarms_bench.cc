// The alarm evaluator's cost (docs/alarms.md "Performance"): one pass over N one-minute alarms
// (N = 1,000 / 10,000 / 100,000), each watching its own series that holds a point in every minute
// of its evaluation range, in the steady state (no transition: the common case). A pass runs once a
// minute, so the share of one core is (pass time) / 60 s. Reported per alarm as `us_per_alarm` and
// as `core_share_pct`.
//   cmake --build <dir> --target alarms_bench && <dir>/tests/alarms_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "vigil/alarms/service.h"
#include "vigil/common/clock.h"
#include "vigil/storage/metric_store.h"

namespace vigil::alarms {
namespace {

constexpr int64_t kNow = 1'800'000'000 / 60 * 60;  // a minute boundary
const Scope kScope{"123456789012", "us-east-1"};

std::string Numbered(std::string_view prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

struct World {
  std::filesystem::path dir;
  ManualClock clock{Timestamp::FromSeconds(kNow)};
  std::unique_ptr<storage::MetricStore> metrics;
  std::unique_ptr<StateStore> state;
  LoggingNotifier notifier;
  std::unique_ptr<AlarmService> service;
  ~World() {
    service.reset();
    state.reset();
    metrics.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

// One world per (N, store), built once: N series with a point in each of the last 5 minutes,
// N alarms (Average > 50, 1 of 1, range 3 periods), one warm-up pass.
World& Get(int n, bool rocks) {
  static std::map<std::pair<int, bool>, std::unique_ptr<World>> worlds;
  auto& w = worlds[{n, rocks}];
  if (w) return *w;
  w = std::make_unique<World>();
  if (rocks) {
    std::string name = Numbered("vigil-alarms-bench-", static_cast<int>(::getpid()));
    name += '-';
    name += std::to_string(n);
    w->dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(w->dir);
    std::filesystem::create_directories(w->dir);
    storage::RocksOptions o;
    o.path = (w->dir / "metrics").string();
    auto m = storage::OpenRocksMetricStore(o, w->clock);
    if (!m.ok()) std::abort();
    w->metrics = std::move(*m);
  } else {
    w->metrics = storage::NewMemoryMetricStore();
  }
  w->state = NewMemoryStateStore();
  std::vector<storage::Datum> batch;
  for (int i = 0; i < n; ++i) {
    for (int m = 1; m <= 5; ++m) {
      storage::Datum d;
      d.series = {
          kScope.account, kScope.region, "Bench", "Latency", {{"Host", Numbered("host-", i)}}};
      d.timestamp = Timestamp::FromSeconds(kNow - m * 60 + 7);
      d.stats.Add(10 + (i * 7 + m) % 30, 1);
      batch.push_back(std::move(d));
    }
    if (batch.size() >= 5000) {
      if (!w->metrics->Write(batch).ok()) std::abort();
      batch.clear();
    }
  }
  if (!batch.empty() && !w->metrics->Write(batch).ok()) std::abort();
  w->service = std::make_unique<AlarmService>(*w->state, *w->metrics, w->notifier);
  if (!w->service->Load().ok()) std::abort();
  for (int i = 0; i < n; ++i) {
    AlarmConfig c;
    c.name = Numbered("alarm-", i);
    c.namespace_ = "Bench";
    c.metric_name = "Latency";
    c.dimensions = {{"Host", Numbered("host-", i)}};
    c.statistic = "Average";
    c.period = 60;
    c.evaluation_periods = 1;
    c.threshold = 50;
    c.comparison_operator = "GreaterThanThreshold";
    if (!w->service->PutMetricAlarm(kScope, c, {}, Timestamp::FromSeconds(kNow)).ok()) std::abort();
  }
  (void)w->service->EvaluateAll(Timestamp::FromSeconds(kNow));  // INSUFFICIENT_DATA -> OK
  return *w;
}

void EvaluatePass(benchmark::State& state, bool rocks) {
  const int n = static_cast<int>(state.range(0));
  World& w = Get(n, rocks);
  int64_t transitions = 0;
  for (auto _ : state) {
    PassReport r = w.service->EvaluateAll(Timestamp::FromSeconds(kNow));
    transitions += r.transitions;
    if (r.evaluations != n || r.errors != 0) state.SkipWithError("unexpected pass report");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["alarms"] = n;
  state.counters["transitions"] = static_cast<double>(transitions);
  // Seconds per pass -> per alarm and per minute.
  state.counters["us_per_alarm"] = benchmark::Counter(
      n / 1e6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["core_share_pct"] = benchmark::Counter(
      60.0 / 100.0, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_EvaluatePassMemory(benchmark::State& s) { EvaluatePass(s, false); }
void BM_EvaluatePassRocks(benchmark::State& s) { EvaluatePass(s, true); }

BENCHMARK(BM_EvaluatePassMemory)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_EvaluatePassRocks)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace vigil::alarms

BENCHMARK_MAIN();
