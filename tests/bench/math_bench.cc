// Metric-math benchmarks (docs/metric-math.md "Performance"): 500 series × 1 day at 60 s in the
// memory store.
//   - BM_Fetch500Series: what reading them costs (QueryMetric × 500: the MetricStat path);
//   - BM_Eval*: the evaluator alone over the already-fetched series (SUM(METRICS()),
//     METRICS() * 2 + m1, m1 * 2 + m2, AVG/MAX per timestamp, FILL);
//   - BM_GetMetricDataSumOfMetrics: both together, as a client asks: 500 ReturnData=false
//     MetricStat queries and one SUM(METRICS()) expression, through query::GetMetricData.
//   cmake --build <dir> --target math_bench && <dir>/tests/math_bench
#include <benchmark/benchmark.h>

#include "vigil/query/engine.h"
#include "vigil/query/math.h"
#include "vigil/query/metric_data.h"

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr int64_t kDay = 86400;
constexpr int kSeries = 500;
constexpr int kMinutes = 1440;

std::string Numbered(std::string_view prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

storage::SeriesKey Key(int i) {
  storage::SeriesKey k{"123456789012",
                       "us-east-1",
                       "Bench",
                       "Latency",
                       {{"Host", Numbered("host-", i)}, {"Service", "api"}}};
  k.Canonicalize();
  return k;
}

storage::MetricStore& Store() {
  static std::unique_ptr<storage::MetricStore> store = [] {
    auto s = storage::NewMemoryMetricStore();
    std::vector<storage::Datum> batch;
    for (int i = 0; i < kSeries; ++i) {
      for (int m = 0; m < kMinutes; ++m) {
        storage::Datum d;
        d.series = Key(i);
        d.timestamp = Timestamp::FromSeconds(kNow - kDay + m * 60);
        d.stats.Add(10 + (m * 7 + i) % 90, 1);
        batch.push_back(std::move(d));
      }
      if (batch.size() >= 10'000) {
        if (!s->Write(batch).ok()) std::abort();
        batch.clear();
      }
    }
    if (!s->Write(batch).ok()) std::abort();
    return s;
  }();
  return *store;
}

MetricQuery FetchQuery(int i) {
  MetricQuery q;
  q.series = Key(i);
  q.statistic = Statistic::Basic(Statistic::Kind::kAverage);
  q.period_seconds = 60;
  q.start = Timestamp::FromSeconds(kNow - kDay);
  q.end = Timestamp::FromSeconds(kNow);
  return q;
}

void BM_Fetch500Series(benchmark::State& state) {
  auto& store = Store();
  size_t points = 0;
  for (auto _ : state) {
    points = 0;
    for (int i = 0; i < kSeries; ++i) {
      auto r = QueryMetric(store, FetchQuery(i), Timestamp::FromSeconds(kNow));
      points += r->points.size();
      benchmark::DoNotOptimize(r);
    }
  }
  if (points != size_t{kSeries} * kMinutes) state.SkipWithError("wrong number of points");
  state.SetItemsProcessed(state.iterations() * kSeries * kMinutes);
}
BENCHMARK(BM_Fetch500Series)->Unit(benchmark::kMillisecond);

// The 500 series, fetched once, served to the evaluator as m0..m499 and METRICS().
class Prefetched : public math::Environment {
 public:
  Prefetched() {
    all_.type = math::Type::kArray;
    for (int i = 0; i < kSeries; ++i) {
      auto r = QueryMetric(Store(), FetchQuery(i), Timestamp::FromSeconds(kNow));
      math::Series s;
      s.label = Numbered("host-", i);
      for (const Point& p : r->points) {
        s.times.push_back(p.timestamp.millis);
        s.values.push_back(p.value);
      }
      math::Value v;
      v.type = math::Type::kSeries;
      v.series.push_back(s);
      one_.push_back(std::move(v));
      all_.series.push_back(std::move(s));
    }
  }
  Result<const math::Value*> Query(std::string_view id) override {
    return &one_[static_cast<size_t>(std::stoi(std::string(id.substr(1))))];
  }
  Result<const math::Value*> Metrics(std::optional<std::string_view>) override { return &all_; }
  Result<math::Value> Search(const math::SearchCall&) override { return all_; }

 private:
  std::vector<math::Value> one_;
  math::Value all_;
};

void BM_Eval(benchmark::State& state, const char* expression) {
  static Prefetched env;
  auto node = math::Parse(expression);
  if (!node.ok()) std::abort();
  math::EvalContext ctx{Timestamp::FromSeconds(kNow - kDay), Timestamp::FromSeconds(kNow),
                        Timestamp::FromSeconds(kNow), 60, &env};
  size_t points = 0;
  for (auto _ : state) {
    auto v = math::Evaluate(*node, ctx);
    points = 0;
    for (const auto& s : v->series) points += s.values.size();
    benchmark::DoNotOptimize(v);
  }
  state.counters["points_out"] = static_cast<double>(points);
}
BENCHMARK_CAPTURE(BM_Eval, SumOfMetrics, "SUM(METRICS())")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Eval, MetricsTimes2PlusM1, "METRICS() * 2 + m1")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Eval, M1Times2PlusM2, "m1 * 2 + m2")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Eval, AvgAndMaxOfMetrics, "AVG(METRICS()) / MAX(METRICS())")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Eval, FillMetrics, "FILL(METRICS(), REPEAT)")->Unit(benchmark::kMillisecond);

void BM_GetMetricDataSumOfMetrics(benchmark::State& state) {
  auto& store = Store();
  MetricDataRequest req;
  for (int i = 0; i < kSeries; ++i) {
    MetricDataQuery q;
    q.id = Numbered("m", i);
    q.series = Key(i);
    q.statistic = Statistic::Basic(Statistic::Kind::kAverage);
    q.return_data = false;
    req.queries.push_back(std::move(q));
  }
  MetricDataQuery e;
  e.id = "total";
  e.expression = "SUM(METRICS())";
  e.period_seconds = 0;
  req.queries.push_back(std::move(e));
  req.start = Timestamp::FromSeconds(kNow - kDay);
  req.end = Timestamp::FromSeconds(kNow);
  size_t values = 0;
  for (auto _ : state) {
    auto page = GetMetricData(store, req, Timestamp::FromSeconds(kNow));
    values = page->results.at(0).values.size();
    benchmark::DoNotOptimize(page);
  }
  if (values != kMinutes) state.SkipWithError("wrong number of values");
}
BENCHMARK(BM_GetMetricDataSumOfMetrics)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::query

BENCHMARK_MAIN();
