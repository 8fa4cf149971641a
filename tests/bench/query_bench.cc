// Query-engine benchmarks over the memory store (docs/query.md "Performance"):
//   - the store's Read of 1 series × 1 day at 60 s, alone and through QueryMetric (the difference
//     is the engine's own cost), for a basic statistic and for p99;
//   - GetMetricData of 500 queries × 1 day in one call, end to end through Frontend::Handle
//     (request decoding, engine, response encoding) in each wire protocol: the first page, which
//     holds the 100,800 values MaxDatapoints allows;
//   - the engine alone over all 500 × 1,440 values.
//   cmake --build <dir> --target query_bench && <dir>/tests/query_bench
#include <benchmark/benchmark.h>

#include "unit/api/wire_client.h"
#include "vigil/api/frontend.h"
#include "vigil/model/cloudwatch.h"
#include "vigil/query/engine.h"
#include "vigil/query/metric_data.h"

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr int64_t kDay = 86400;
constexpr int kQueried = 500;   // series with a full day at 60 s
constexpr int kOthers = 9'500;  // more series, one point each: 10,000 in the store
constexpr int kMinutes = 1440;

// prefix + n (g++ 12 warns falsely about operator+ on a temporary at -O2).
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

// One store for every benchmark, filled once: 500 series × 1 day of 60-s points with a few values
// each (so percentiles have something to rank), plus 9,500 one-point series.
storage::MetricStore& Store() {
  static std::unique_ptr<storage::MetricStore> store = [] {
    auto s = storage::NewMemoryMetricStore();
    std::vector<storage::Datum> batch;
    auto flush = [&] {
      if (!s->Write(batch).ok()) std::abort();
      batch.clear();
    };
    for (int i = 0; i < kQueried + kOthers; ++i) {
      int minutes = i < kQueried ? kMinutes : 1;
      for (int m = 0; m < minutes; ++m) {
        storage::Datum d;
        d.series = Key(i);
        d.timestamp = Timestamp::FromSeconds(kNow - kDay + m * 60);
        for (int v = 0; v < 4; ++v) d.stats.Add(10 + (m * 7 + v * 13 + i) % 90, 1);
        batch.push_back(std::move(d));
        if (batch.size() == 10'000) flush();
      }
    }
    flush();
    return s;
  }();
  return *store;
}

void BM_StoreReadOneDay(benchmark::State& state) {
  auto& store = Store();
  auto key = Key(7);
  for (auto _ : state) {
    auto r = store.Read(key, std::nullopt, Timestamp::FromSeconds(kNow - kDay),
                        Timestamp::FromSeconds(kNow), 60);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kMinutes);
}
BENCHMARK(BM_StoreReadOneDay)->Unit(benchmark::kMicrosecond);

void BM_QueryMetricOneDay(benchmark::State& state, const char* stat) {
  auto& store = Store();
  MetricQuery q;
  q.series = Key(7);
  q.statistic = *Statistic::Parse(stat);
  q.period_seconds = 60;
  q.start = Timestamp::FromSeconds(kNow - kDay);
  q.end = Timestamp::FromSeconds(kNow);
  size_t points = 0;
  for (auto _ : state) {
    auto r = QueryMetric(store, q, Timestamp::FromSeconds(kNow));
    points = r->points.size();
    benchmark::DoNotOptimize(r);
  }
  if (points != kMinutes) state.SkipWithError("wrong number of points");
  state.SetItemsProcessed(state.iterations() * kMinutes);
}
BENCHMARK_CAPTURE(BM_QueryMetricOneDay, Sum, "Sum")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_QueryMetricOneDay, p99, "p99")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_QueryMetricOneDay, IQM, "IQM")->Unit(benchmark::kMicrosecond);

// The engine over every value of 500 queries (five pages' worth), without any wire.
void BM_EngineFiveHundredQueries(benchmark::State& state) {
  auto& store = Store();
  MetricDataRequest req;
  for (int i = 0; i < kQueried; ++i) {
    MetricDataQuery q;
    q.id = Numbered("q", i);
    q.series = Key(i);
    q.statistic = Statistic::Basic(Statistic::Kind::kAverage);
    req.queries.push_back(std::move(q));
  }
  req.start = Timestamp::FromSeconds(kNow - kDay);
  req.end = Timestamp::FromSeconds(kNow);
  size_t values = 0;
  for (auto _ : state) {
    values = 0;
    req.next_token.reset();
    do {
      auto page = GetMetricData(store, req, Timestamp::FromSeconds(kNow));
      for (const auto& r : page->results) values += r.values.size();
      req.next_token = page->next_token;
    } while (req.next_token);
  }
  if (values != size_t{kQueried} * kMinutes) state.SkipWithError("wrong number of values");
  state.SetItemsProcessed(state.iterations() * kQueried * kMinutes);
}
BENCHMARK(BM_EngineFiveHundredQueries)->Unit(benchmark::kMillisecond);

// GetMetricData of 500 queries × 1 day through the real front end: decode, validate, engine,
// encode. The answer is the first page (100,800 values) and a NextToken.
void BM_GetMetricDataEndToEnd(benchmark::State& state, protocol::Protocol p) {
  namespace cw = model::cw;
  static ManualClock clock(Timestamp::FromSeconds(kNow));
  api::Services services;
  services.metrics = &Store();
  services.clock = &clock;
  api::Frontend frontend(services);
  cw::GetMetricDataInput in;
  for (int i = 0; i < kQueried; ++i) {
    cw::MetricDataQuery q;
    q.id = Numbered("q", i);
    cw::MetricStat ms;
    ms.metric.namespace_ = "Bench";
    ms.metric.metric_name = "Latency";
    ms.metric.dimensions =
        std::vector<cw::Dimension>{{"Host", Numbered("host-", i)}, {"Service", "api"}};
    ms.period = 60;
    ms.stat = "Average";
    q.metric_stat = std::move(ms);
    in.metric_data_queries.push_back(std::move(q));
  }
  in.start_time = Timestamp::FromSeconds(kNow - kDay);
  in.end_time = Timestamp::FromSeconds(kNow);
  HttpRequest req =
      testing::BuildRequest(p, "GetMetricData", model::ShapeOf<cw::GetMetricDataInput>(), &in);
  size_t bytes = 0;
  for (auto _ : state) {
    HttpResponse resp = frontend.Handle(req);
    if (resp.status != 200) {
      state.SkipWithError("GetMetricData failed");
      break;
    }
    bytes = resp.body.size();
    benchmark::DoNotOptimize(resp);
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * kMaxDatapointsPerCall);
}
BENCHMARK_CAPTURE(BM_GetMetricDataEndToEnd, json, protocol::Protocol::kJson10)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GetMetricDataEndToEnd, cbor, protocol::Protocol::kRpcV2Cbor)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GetMetricDataEndToEnd, query, protocol::Protocol::kQuery)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::query

BENCHMARK_MAIN();
