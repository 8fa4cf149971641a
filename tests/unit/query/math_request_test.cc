// Metric math in a GetMetricData request: request-level checks (unknown ids, circular
// references, result types, order independence) and the engine (query::GetMetricData) evaluating
// expressions over the store: ReturnData, labels, arrays as several results, paging that resumes
// exactly inside arrays, the ascending single-result call alarms make, SEARCH and SELECT.
#include <gtest/gtest.h>

#include "vigil/query/math.h"
#include "vigil/query/metric_data.h"

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // minute-aligned
constexpr int64_t kT0 = kNow - 1200;

storage::SeriesKey Key(std::string name, std::vector<storage::Dimension> dims = {}) {
  storage::SeriesKey k{"123456789012", "us-east-1", "ns", std::move(name), std::move(dims)};
  k.Canonicalize();
  return k;
}

MetricDataQuery Stat(std::string id, std::string metric, std::string_view stat = "Sum",
                     std::vector<storage::Dimension> dims = {}) {
  MetricDataQuery q;
  q.id = std::move(id);
  q.series = Key(std::move(metric), std::move(dims));
  q.statistic = *Statistic::Parse(stat);
  q.period_seconds = 60;
  return q;
}

MetricDataQuery Expr(std::string id, std::string expression,
                     std::optional<std::string> label = std::nullopt) {
  MetricDataQuery q;
  q.id = std::move(id);
  q.expression = std::move(expression);
  q.label = std::move(label);
  q.period_seconds = 0;
  q.series.account = "123456789012";
  q.series.region = "us-east-1";
  return q;
}

std::string Problems(const std::vector<MetricDataQuery>& qs) {
  std::string out;
  for (const auto& line : math::CheckRequest(qs)) {
    out += line;
    out += '\n';
  }
  return out;
}

TEST(MathRequestTest, UnknownIdsCyclesAndResultTypes) {
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "m1 * 2")}), "");
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "m1 + m9")}),
            "Error in expression e1: unknown id m9 (position 6): no query in the request has that "
            "Id.\n");
  EXPECT_EQ(Problems({Expr("e1", "e2 + 1"), Expr("e2", "e1 * 2")}),
            "Error in expression e1: circular reference e1 -> e2 -> e1.\n");
  EXPECT_EQ(Problems({Expr("e1", "e1 + 1")}),
            "Error in expression e1: circular reference e1 -> e1.\n");
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "e2"), Expr("e2", "e3"), Expr("e3", "e1 + m1")}),
            "Error in expression e1: circular reference e1 -> e2 -> e3 -> e1.\n");
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "AVG(m1)")}),
            "Error in expression e1: the expression must return a time series or an array of "
            "time series, not a scalar (TIME_SERIES(x) turns a scalar into a time series).\n");
  // A query that depends on a broken one is not reported again.
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "m1 +"), Expr("e2", "e1 * 2")}),
            "Error in expression e1: syntax error at position 5: expected an operand after '+' "
            "but found the end of the expression.\n");
  // Every broken expression is reported, in request order.
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "FOO(m1)"), Expr("e2", "MAX(3)")}),
            "Error in expression e1: unknown function FOO (position 1).\n"
            "Error in expression e2: argument 1 of MAX must be a time series or an array of time "
            "series, not a scalar (position 5).\n");
  // Types flow through ids: e1 is an array, so SUM(e1) is a series and e1 + e1 is an error.
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e2", "SUM(e1)"), Expr("e1", "METRICS()")}), "");
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "METRICS()"), Expr("e2", "e1 + e1")}),
            "Error in expression e2: '+' cannot combine two arrays of time series (position 4).\n");
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "SEARCH('{ns', 'Sum', 60)")})
                .rfind("Error in expression e1: SEARCH at position 1: ", 0),
            0u);
  EXPECT_EQ(Problems({Stat("m1", "a"), Expr("e1", "SEARCH('Latency', 'Avg', 60)")}),
            "Error in expression e1: SEARCH at position 1: Avg is not a valid statistic.\n");
}

class MathRequestEngineTest : public ::testing::Test {
 protected:
  MathRequestEngineTest() : store_(storage::NewMemoryMetricStore()) {
    // m: 1..5 at minutes 0..4; n: 10 at minutes 1 and 3 (kT0 = minute 0).
    for (int i = 0; i < 5; ++i) Put(Key("m"), kT0 + 60 * i, i + 1);
    Put(Key("n"), kT0 + 60, 10);
    Put(Key("n"), kT0 + 180, 10);
  }
  void Put(const storage::SeriesKey& k, int64_t at, double v) {
    storage::Datum d;
    d.series = k;
    d.timestamp = Timestamp::FromSeconds(at);
    d.stats.Add(v, 1);
    ASSERT_TRUE(store_->Write({d}).ok());
  }
  MetricDataRequest Request(std::vector<MetricDataQuery> qs) {
    MetricDataRequest r;
    r.queries = std::move(qs);
    r.start = Timestamp::FromSeconds(kT0);
    r.end = Timestamp::FromSeconds(kT0 + 300);
    r.order = ScanOrder::kTimestampAscending;
    return r;
  }
  MetricDataPage Run(const MetricDataRequest& r) {
    auto page = GetMetricData(*store_, r, Timestamp::FromSeconds(kNow));
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    return page.ok() ? *page : MetricDataPage{};
  }
  std::vector<Timestamp> Minutes(std::vector<int> ms) {
    std::vector<Timestamp> out;
    for (int m : ms) out.push_back(Timestamp::FromSeconds(kT0 + 60 * m));
    return out;
  }
  std::unique_ptr<storage::MetricStore> store_;
};

TEST_F(MathRequestEngineTest, ExpressionsReferToQueriesInAnyOrder) {
  auto hidden_m = Stat("m1", "m");
  hidden_m.return_data = false;
  auto hidden_n = Stat("m2", "n");
  hidden_n.return_data = false;
  auto page = Run(Request({Expr("e2", "e1 / 2"), hidden_m, Expr("e1", "m1 * 2 + m2"), hidden_n}));
  ASSERT_EQ(page.results.size(), 2u) << "ReturnData=false inputs are read, not returned";
  EXPECT_EQ(page.results[0].id, "e2");
  EXPECT_EQ(page.results[0].values, (std::vector<double>{1, 7, 3, 9, 5}));
  EXPECT_EQ(page.results[0].timestamps, Minutes({0, 1, 2, 3, 4}));
  EXPECT_EQ(page.results[1].id, "e1");
  EXPECT_EQ(page.results[1].values, (std::vector<double>{2, 14, 6, 18, 10}));
  EXPECT_EQ(page.results[0].label, "e2") << "an expression's default label is its Id";
  EXPECT_EQ(page.results[0].status, DataStatus::kComplete);
  EXPECT_FALSE(page.next_token);
}

TEST_F(MathRequestEngineTest, DescendingByDefaultAndDivisionByZeroDropsPoints) {
  auto r = Request({Stat("m1", "m"), Stat("m2", "n"), Expr("e1", "m1 / m2")});
  r.order = ScanOrder::kTimestampDescending;
  auto page = Run(r);
  ASSERT_EQ(page.results.size(), 3u);
  EXPECT_EQ(page.results[2].values, (std::vector<double>{0.4, 0.2}));
  EXPECT_EQ(page.results[2].timestamps, Minutes({3, 1}));
  EXPECT_EQ(page.results[0].label, "m") << "MetricStat labels are unchanged by expressions";
}

TEST_F(MathRequestEngineTest, ArraysAreOneResultPerSeriesWithLabels) {
  auto r = Request({Stat("m1", "m"), Stat("m2", "n"), Expr("e1", "METRICS() * 10")});
  r.queries[0].return_data = false;
  r.queries[1].return_data = false;
  auto page = Run(r);
  ASSERT_EQ(page.results.size(), 2u);
  EXPECT_EQ(page.results[0].id, "e1");
  EXPECT_EQ(page.results[1].id, "e1");
  EXPECT_EQ(page.results[0].label, "m");
  EXPECT_EQ(page.results[1].label, "n");
  EXPECT_EQ(page.results[1].values, (std::vector<double>{100, 100}));
  // With a Label: "<expression label> <series label>"; with dynamic tokens: per series.
  r.queries[2].label = "Scaled";
  page = Run(r);
  EXPECT_EQ(page.results[0].label, "Scaled m");
  EXPECT_EQ(page.results[1].label, "Scaled n");
  r.queries[2].label = "${PROP('MetricName')} max ${MAX}";
  page = Run(r);
  EXPECT_EQ(page.results[0].label, "m max 50");
  EXPECT_EQ(page.results[1].label, "n max 100");
  // A labelled metric keeps its label in METRICS(), which can filter on it.
  r.queries[0].label = "requests";
  r.queries[2].label.reset();
  r.queries[2].expression = "METRICS('req')";
  page = Run(r);
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].label, "requests");
  // A single-series expression with a dynamic label.
  r.queries[2].expression = "SUM(METRICS())";
  r.queries[2].label = "total ${SUM} (${LABEL})";
  page = Run(r);
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].label, "total 35 (e1)");
  EXPECT_EQ(page.results[0].values, (std::vector<double>{1, 12, 3, 14, 5}));
}

TEST_F(MathRequestEngineTest, PagingResumesExactlyInsideArrays) {
  for (ScanOrder order : {ScanOrder::kTimestampAscending, ScanOrder::kTimestampDescending}) {
    auto r = Request(
        {Stat("m1", "m"), Stat("m2", "n"), Expr("e1", "[m1, m2, m1 + m2]"), Expr("e2", "m1 * 0")});
    r.order = order;
    const auto full = Run(r);
    ASSERT_EQ(full.results.size(), 6u);
    r.max_datapoints = 3;
    std::vector<MetricDataResult> merged;
    int pages = 0;
    while (true) {
      auto page = Run(r);
      ++pages;
      for (auto& res : page.results) {
        if (!merged.empty() && merged.back().id == res.id && merged.back().label == res.label &&
            merged.back().status == DataStatus::kPartialData) {
          merged.back().values.insert(merged.back().values.end(), res.values.begin(),
                                      res.values.end());
          merged.back().status = res.status;
        } else {
          merged.push_back(res);
        }
      }
      if (!page.next_token) break;
      r.next_token = page.next_token;
      ASSERT_LT(pages, 50);
    }
    // 5 + 2 + 5 + 2 + 5 + 5 values, 3 per page.
    EXPECT_EQ(pages, 8);
    ASSERT_EQ(merged.size(), full.results.size());
    for (size_t i = 0; i < merged.size(); ++i) {
      EXPECT_EQ(merged[i].id, full.results[i].id);
      EXPECT_EQ(merged[i].label, full.results[i].label);
      EXPECT_EQ(merged[i].values, full.results[i].values) << i;
      EXPECT_EQ(merged[i].status, DataStatus::kComplete);
    }
  }
}

TEST_F(MathRequestEngineTest, TheCallAlarmsMake) {
  // PutMetricAlarm with Metrics: one ReturnData expression, ascending, inputs hidden.
  auto a = Stat("errors", "n");
  a.return_data = false;
  auto b = Stat("requests", "m");
  b.return_data = false;
  auto rate = Expr("rate", "100 * FILL(errors, 0) / requests");
  rate.period_seconds = 60;
  auto page = Run(Request({a, b, rate}));
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].id, "rate");
  EXPECT_EQ(page.results[0].values, (std::vector<double>{0, 500, 0, 250, 0}));
  EXPECT_EQ(page.results[0].timestamps, Minutes({0, 1, 2, 3, 4}));
}

TEST_F(MathRequestEngineTest, ErrorsAreValidationErrors) {
  auto r = Request({Stat("m1", "m"), Expr("e1", "e2"), Expr("e2", "e1")});
  auto page = GetMetricData(*store_, r, Timestamp::FromSeconds(kNow));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kValidationError);
  EXPECT_EQ(page.error().message, "Error in expression e1: circular reference e1 -> e2 -> e1.\n");
  r = Request({Stat("m1", "m"), Expr("band", "ANOMALY_DETECTION_BAND(m1 + 1, 2)")});
  page = GetMetricData(*store_, r, Timestamp::FromSeconds(kNow));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kValidationError);
  EXPECT_EQ(page.error().message,
            "Error in expression band: ANOMALY_DETECTION_BAND at position 1: its first argument "
            "must be the id of a MetricStat query (a metric and a statistic), not an "
            "expression.\n");
  // An expression nobody reads is not evaluated.
  r.queries[1].return_data = false;
  EXPECT_EQ(Run(r).results.size(), 1u);
}

TEST_F(MathRequestEngineTest, ExpressionPeriodAndTimeSeries) {
  auto ts = Expr("e1", "TIME_SERIES(PERIOD(m1))");
  auto page = Run(Request({Stat("m1", "m"), ts}));
  EXPECT_EQ(page.results[1].values, (std::vector<double>(5, 60)));
  ts.label = "every ${PROP('Period')} s";
  ts.period_seconds = 300;
  EXPECT_EQ(Run(Request({Stat("m1", "m"), ts})).results[1].label, "every 300 s");
  ts.expression = "TIME_SERIES(1)";
  ts.period_seconds = 120;
  page = Run(Request({Stat("m1", "m"), ts}));
  EXPECT_EQ(page.results[1].timestamps, Minutes({0, 2, 4}));
}

TEST_F(MathRequestEngineTest, SearchAndSelect) {
  for (const char* host : {"a", "b", "c"}) {
    for (int i = 0; i < 3; ++i) Put(Key("lat", {{"Host", host}}), kT0 + 60 * i, i + 1);
  }
  auto page = Run(Request({Expr("s", "SEARCH('{ns,Host} MetricName=\"lat\"', 'Sum', 60)")}));
  ASSERT_EQ(page.results.size(), 3u);
  EXPECT_EQ(page.results[0].label, "a lat");
  EXPECT_EQ(page.results[0].values, (std::vector<double>{1, 2, 3}));
  page = Run(Request({Expr("s", "SUM(SEARCH('{ns,Host} MetricName=\"lat\"', 'Sum', 60))")}));
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].values, (std::vector<double>{3, 6, 9}));
  auto select = Expr("q", "SELECT SUM(lat) FROM SCHEMA(ns, Host)");
  select.period_seconds = 60;
  page = Run(Request({select}));
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].values, (std::vector<double>{3, 6, 9}));
}

}  // namespace
}  // namespace vigil::query
