// SEARCH and Metrics Insights over 100,000 series in the RocksDB store (docs/search-and-insights.md
// "Performance"). Target: a SEARCH answers in <= 50 ms. The cases that cost most are the ones that
// must look at every series of the account and region: no schema, and terms that match few series
// (a term that matches many stops at the 501st match).
//   cmake --build <dir> --target search_bench && <dir>/tests/search_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "vigil/common/clock.h"
#include "vigil/query/insights.h"
#include "vigil/query/search.h"
#include "vigil/storage/metric_store.h"

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr int kSeries = 100'000;
constexpr char kAccount[] = "123456789012";
constexpr char kRegion[] = "us-east-1";

std::string Padded(std::string_view prefix, int n) {
  std::string digits = std::to_string(n);
  std::string s(prefix);
  s.append(8 - std::min<size_t>(8, digits.size()), '0');
  s += digits;
  return s;
}

storage::SeriesKey Key(int i) {
  static const char* kNamespaces[] = {"AWS/EC2", "AWS/Lambda", "MyApp/Web", "MyApp/Batch"};
  static const char* kMetrics[] = {"CPUUtilization", "NetworkIn", "Latency", "Errors",
                                   "RequestCount"};
  static const char* kTypes[] = {"t2.micro", "t3.large", "m5.xlarge", "c5.2xlarge",
                                 "r6g.medium", "t4g.nano", "x2idn.metal"};
  storage::SeriesKey k{kAccount, kRegion, kNamespaces[i % 4], kMetrics[(i / 4) % 5], {}};
  k.dimensions.push_back({"InstanceId", Padded("i-", i)});
  k.dimensions.push_back({"InstanceType", kTypes[i % 7]});
  if (i % 3 == 0) k.dimensions.push_back({"Stage", i % 9 == 0 ? "canary" : "prod"});
  k.Canonicalize();
  return k;
}

struct Fixture {
  ManualClock clock{Timestamp::FromSeconds(kNow)};
  std::filesystem::path dir;
  std::unique_ptr<storage::MetricStore> store;

  Fixture() {
    std::string name = "vigil-bench-search-";
    name += std::to_string(std::random_device{}());
    dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir);
    auto s = storage::OpenRocksMetricStore({dir.string(), storage::SyncPolicy::kProcess}, clock);
    if (!s.ok()) std::abort();
    store = std::move(s).value();
    std::vector<storage::Datum> batch;
    for (int i = 0; i < kSeries; ++i) {
      storage::Datum d;
      d.series = Key(i);
      d.timestamp = Timestamp::FromSeconds(kNow - 600 + (i % 10) * 60);
      d.stats.Add(i % 100, 1);
      batch.push_back(std::move(d));
      if (batch.size() == 5'000) {
        if (!store->Write(batch).ok()) std::abort();
        batch.clear();
      }
    }
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void RunSearch(benchmark::State& state, const char* text, size_t expected_min) {
  auto& f = F();
  auto parsed = ParseSearchExpression(text);
  if (!parsed.ok()) {
    state.SkipWithError(parsed.error().message.c_str());
    return;
  }
  size_t found = 0;
  for (auto _ : state) {
    auto r = FindSearchSeries(*f.store, kAccount, kRegion, *parsed, Timestamp::FromSeconds(kNow));
    if (!r.ok()) std::abort();
    found = r->series.size();
    benchmark::DoNotOptimize(r);
  }
  if (found < expected_min) state.SkipWithError("fewer matches than expected");
  state.counters["matches"] = static_cast<double>(found);
}

// Every series is looked at: a unique partial term, no schema.
void BM_SearchPartialUniqueNoSchema(benchmark::State& state) {
  RunSearch(state, "i-00077777", 1);
}
BENCHMARK(BM_SearchPartialUniqueNoSchema)->Unit(benchmark::kMillisecond);

// Every series is looked at: an exact designator that matches one series.
void BM_SearchExactDesignatorNoSchema(benchmark::State& state) {
  RunSearch(state, R"(InstanceId="i-00012345")", 1);
}
BENCHMARK(BM_SearchExactDesignatorNoSchema)->Unit(benchmark::kMillisecond);

// Boolean logic over every series; matches none.
void BM_SearchBooleanNoMatch(benchmark::State& state) {
  RunSearch(state, "(lambda OR batch) AND Latency NOT prod AND metal AND nothing", 0);
}
BENCHMARK(BM_SearchBooleanNoMatch)->Unit(benchmark::kMillisecond);

// A schema narrows the scan to one namespace (25,000 series); stops at 500 matches.
void BM_SearchSchemaMetricName(benchmark::State& state) {
  RunSearch(state, R"({AWS/EC2,InstanceId,InstanceType} MetricName="CPUUtilization" NOT canary)",
            500);
}
BENCHMARK(BM_SearchSchemaMetricName)->Unit(benchmark::kMillisecond);

// A schema, a metric name and a partial term: the scan covers one namespace and metric prefix
// (5,000 series), ~555 match.
void BM_SearchSchemaPartialTerm(benchmark::State& state) {
  RunSearch(state, R"({MyApp/Web,InstanceId,InstanceType,Stage} MetricName="Latency" canary)",
            500);
}
BENCHMARK(BM_SearchSchemaPartialTerm)->Unit(benchmark::kMillisecond);

// Metrics Insights: 5,000 series of one metric in one namespace, grouped by InstanceType.
void BM_InsightsGroupBy(benchmark::State& state) {
  auto& f = F();
  auto q = ParseInsightsQuery(
      "SELECT AVG(CPUUtilization) FROM \"AWS/EC2\" GROUP BY InstanceType ORDER BY MAX() DESC");
  if (!q.ok()) std::abort();
  size_t series = 0;
  for (auto _ : state) {
    auto r = ExecuteInsightsQuery(*f.store, kAccount, kRegion, *q,
                                  Timestamp::FromSeconds(kNow - 3600),
                                  Timestamp::FromSeconds(kNow), 60, Timestamp::FromSeconds(kNow));
    if (!r.ok()) std::abort();
    series = r->series.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["series"] = static_cast<double>(series);
}
BENCHMARK(BM_InsightsGroupBy)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::query

BENCHMARK_MAIN();
