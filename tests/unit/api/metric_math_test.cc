// Metric math through GetMetricData in all three protocols (docs/metric-math.md): expressions over
// MetricStat queries, arrays as several results with one Id, labels, paging, SEARCH, and the
// validation errors reported with the request's other problems.
#include <map>

#include "unit/api/api_fixture.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kT0 = kFixtureNow - 1800;  // minute-aligned

cw::MetricDataQuery Metric(std::string id, std::string ns, std::string metric,
                           std::string stat = "Sum", bool return_data = true,
                           std::vector<cw::Dimension> dims = {}) {
  cw::MetricDataQuery q;
  q.id = std::move(id);
  cw::MetricStat ms;
  ms.metric.namespace_ = std::move(ns);
  ms.metric.metric_name = std::move(metric);
  ms.metric.dimensions = std::move(dims);
  ms.period = 60;
  ms.stat = std::move(stat);
  q.metric_stat = std::move(ms);
  q.return_data = return_data;
  return q;
}

cw::MetricDataQuery Math(std::string id, std::string expression,
                         std::optional<std::string> label = std::nullopt) {
  cw::MetricDataQuery q;
  q.id = std::move(id);
  q.expression = std::move(expression);
  q.label = std::move(label);
  return q;
}

cw::GetMetricDataInput Request(std::vector<cw::MetricDataQuery> qs) {
  cw::GetMetricDataInput in;
  in.metric_data_queries = std::move(qs);
  in.start_time = Timestamp::FromSeconds(kT0);
  in.end_time = Timestamp::FromSeconds(kT0 + 300);
  in.scan_by = "TimestampAscending";
  return in;
}

std::vector<double> Values(const cw::MetricDataResult& r) {
  return r.values.value_or(std::vector<double>{});
}
std::vector<Timestamp> Times(const cw::MetricDataResult& r) {
  return r.timestamps.value_or(std::vector<Timestamp>{});
}
std::vector<Timestamp> Minutes(std::vector<int> ms) {
  std::vector<Timestamp> out;
  for (int m : ms) out.push_back(Timestamp::FromSeconds(kT0 + 60 * m));
  return out;
}

class MetricMathTest : public ProtocolApiTest {
 protected:
  // requests: 10 20 30 40 at minutes 0..3; errors: 1 at minute 1, 4 at minute 3;
  // latency for hosts a and b: 100 + 10 * host index at minutes 0..2.
  void SetUp() override {
    std::vector<cw::MetricDatum> data;
    for (int i = 0; i < 4; ++i) data.push_back(Datum("requests", 10.0 * (i + 1), kT0 + 60 * i));
    data.push_back(Datum("errors", 1, kT0 + 60));
    data.push_back(Datum("errors", 4, kT0 + 180));
    int k = 0;
    for (const char* host : {"a", "b"}) {
      for (int i = 0; i < 3; ++i) {
        data.push_back(Datum("latency", 100.0 + 10 * k, kT0 + 60 * i, {{"Host", host}}));
      }
      ++k;
    }
    PutOk(Put("app", data));
  }
  cw::GetMetricDataOutput Get(const cw::GetMetricDataInput& in) {
    cw::GetMetricDataOutput out;
    auto e = Do("GetMetricData", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    EXPECT_TRUE(out.metric_data_results.has_value());
    if (!out.metric_data_results) out.metric_data_results.emplace();
    return out;
  }
  void ExpectValidation(const cw::GetMetricDataInput& in, std::string_view message) {
    cw::GetMetricDataOutput out;
    ExpectError(Do("GetMetricData", in, out), 400, "ValidationError", message);
  }
};

TEST_P(MetricMathTest, ErrorRateFromTwoMetrics) {
  auto out = Get(Request({Metric("errors", "app", "errors", "Sum", false),
                          Metric("requests", "app", "requests", "Sum", false),
                          Math("rate", "100 * errors / requests", "Error rate")}));
  ASSERT_EQ(out.metric_data_results->size(), 1u);
  const auto& r = (*out.metric_data_results)[0];
  EXPECT_EQ(r.id, "rate");
  EXPECT_EQ(r.label, "Error rate");
  EXPECT_EQ(r.status_code, "Complete");
  // Missing errors count as 0; minute 0 has requests only.
  EXPECT_EQ(Values(r), (std::vector<double>{0, 5, 0, 10}));
  EXPECT_EQ(Times(r), Minutes({0, 1, 2, 3}));
}

TEST_P(MetricMathTest, ExpressionsInAnyOrderWithDefaultLabelsAndDescendingOrder) {
  auto in = Request({Math("e2", "e1 - requests"), Metric("requests", "app", "requests"),
                     Math("e1", "requests * 2")});
  in.scan_by.reset();  // TimestampDescending
  auto out = Get(in);
  ASSERT_EQ(out.metric_data_results->size(), 3u);
  const auto& e2 = (*out.metric_data_results)[0];
  EXPECT_EQ(e2.id, "e2");
  EXPECT_EQ(e2.label, "e2") << "an expression without Label is labelled with its Id";
  EXPECT_EQ(Values(e2), (std::vector<double>{40, 30, 20, 10}));
  EXPECT_EQ((*out.metric_data_results)[1].label, "requests");
  EXPECT_EQ(Values((*out.metric_data_results)[2]), (std::vector<double>{80, 60, 40, 20}));
}

TEST_P(MetricMathTest, ArraysAreSeveralResultsWithOneId) {
  auto a = Metric("a", "app", "latency", "Average", false, {{"Host", "a"}});
  auto b = Metric("b", "app", "latency", "Average", false, {{"Host", "b"}});
  a.label = "host a";
  b.label = "host b";
  auto out = Get(Request({a, b, Math("scaled", "METRICS() / 10", "ms/10")}));
  ASSERT_EQ(out.metric_data_results->size(), 2u);
  for (const auto& r : *out.metric_data_results) EXPECT_EQ(r.id, "scaled");
  EXPECT_EQ((*out.metric_data_results)[0].label, "ms/10 host a");
  EXPECT_EQ((*out.metric_data_results)[1].label, "ms/10 host b");
  EXPECT_EQ(Values((*out.metric_data_results)[1]), (std::vector<double>{11, 11, 11}));
  out = Get(Request(
      {a, b, Math("total", "SUM(METRICS())"), Math("worst", "SORT(METRICS(), MAX, DESC, 1)")}));
  ASSERT_EQ(out.metric_data_results->size(), 2u);
  EXPECT_EQ(Values((*out.metric_data_results)[0]), (std::vector<double>{210, 210, 210}));
  EXPECT_EQ((*out.metric_data_results)[1].label, "host b");
}

TEST_P(MetricMathTest, SearchFindsEverySeries) {
  auto out = Get(Request({Math("s", "SEARCH('{app,Host} MetricName=\"latency\"', 'Maximum', 60)"),
                          Math("n", "TIME_SERIES(METRIC_COUNT(s))")}));
  ASSERT_EQ(out.metric_data_results->size(), 3u);
  EXPECT_EQ((*out.metric_data_results)[0].label, "a latency");
  EXPECT_EQ((*out.metric_data_results)[1].label, "b latency");
  EXPECT_EQ(Values((*out.metric_data_results)[1]), (std::vector<double>{110, 110, 110}));
  EXPECT_EQ(Values((*out.metric_data_results)[2]), (std::vector<double>(5, 2)));
}

TEST_P(MetricMathTest, PagingResumesExactlyAcrossExpressionResults) {
  auto in = Request({Metric("r", "app", "requests", "Sum", false), Math("arr", "[r, r * 2]"),
                     Math("cum", "RUNNING_SUM(r)")});
  auto full = Get(in);
  ASSERT_EQ(full.metric_data_results->size(), 3u);
  in.max_datapoints = 3;
  std::vector<std::pair<std::string, std::vector<double>>> got;  // (label, values) merged
  for (int page = 0; page < 10; ++page) {
    auto out = Get(in);
    for (const auto& r : *out.metric_data_results) {
      if (!got.empty() && got.back().first == *r.label + "/" + *r.id &&
          got.back().second.size() < 4) {
        auto v = Values(r);
        got.back().second.insert(got.back().second.end(), v.begin(), v.end());
      } else {
        std::string key = *r.label;
        key += '/';
        key += *r.id;
        got.emplace_back(key, Values(r));
      }
    }
    if (!out.next_token) break;
    in.next_token = out.next_token;
  }
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].second, Values((*full.metric_data_results)[i])) << got[i].first;
  }
  EXPECT_EQ(got[2].second, (std::vector<double>{10, 30, 60, 100}));
  // The token belongs to this request: another expression cannot resume it.
  in.max_datapoints = 3;
  in.next_token.reset();
  auto first = Get(in);
  ASSERT_TRUE(first.next_token);
  in.next_token = first.next_token;
  in.metric_data_queries[2].expression = "RUNNING_SUM(r) + 1";
  cw::GetMetricDataOutput out;
  ExpectError(Do("GetMetricData", in, out), 400, "InvalidNextToken");
}

TEST_P(MetricMathTest, ExpressionProblemsAreValidationErrors) {
  ExpectValidation(Request({Metric("m1", "app", "requests"), Math("e1", "m1 *")}),
                   "Error in expression e1: syntax error at position 5: expected an operand after "
                   "'*' but found the end of the expression.\n");
  ExpectValidation(Request({Metric("m1", "app", "requests"), Math("e1", "m1 + m2")}),
                   "Error in expression e1: unknown id m2 (position 6): no query in the request "
                   "has that Id.\n");
  ExpectValidation(Request({Math("e1", "e2 * 2"), Math("e2", "e1 + 1")}),
                   "Error in expression e1: circular reference e1 -> e2 -> e1.\n");
  ExpectValidation(Request({Metric("m1", "app", "requests"), Math("e1", "MAX(m1)")}),
                   "Error in expression e1: the expression must return a time series or an array "
                   "of time series, not a scalar (TIME_SERIES(x) turns a scalar into a time "
                   "series).\n");
  // Reported with the other problems of the request, in one answer.
  auto in = Request({Metric("M1", "app", "requests"), Math("e1", "SQRT(m1, 2)")});
  in.metric_data_queries[1].period = 45;
  ExpectValidation(in,
                   "The value M1 for parameter MetricDataQueries.member.1.Id is not matching the "
                   "expected pattern ^[a-z][a-zA-Z0-9_]*$.\n"
                   "The parameter MetricDataQueries.member.2.Period must be 1, 5, 10, 20, 30 or a "
                   "multiple of 60.\n"
                   "Error in expression e1: SQRT takes 1 argument, not 2 (position 1).\n");
  ExpectValidation(
      Request({Metric("m1", "app", "requests"), Math("band", "ANOMALY_DETECTION_BAND(m1, 0)")}),
      "Error in expression band: ANOMALY_DETECTION_BAND at position 1: the band width (number "
      "of standard deviations) must be a number greater than 0.\n");
}

TEST_P(MetricMathTest, ExpressionPeriodShapesTimeSeries) {
  auto ts = Math("flat", "TIME_SERIES(7)");
  ts.period = 120;
  auto out = Get(Request({ts}));
  ASSERT_EQ(out.metric_data_results->size(), 1u);
  EXPECT_EQ(Times((*out.metric_data_results)[0]), Minutes({0, 2, 4}));
  EXPECT_EQ(Values((*out.metric_data_results)[0]), (std::vector<double>{7, 7, 7}));
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(MetricMathTest);

}  // namespace
}  // namespace vigil::api::testing
