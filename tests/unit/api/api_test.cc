// The API through the real dispatch (Frontend::Handle), in each of the three wire protocols.
#include <gtest/gtest.h>

#include <cmath>

#include "api/registry.h"
#include "unit/api/wire_client.h"
#include "vigil/model/cloudwatch.h"

namespace vigil::api {
namespace {

namespace cw = model::cw;
using protocol::Protocol;
using testing::Call;
using testing::WireError;

constexpr int64_t kNow = 1'795'780'800;  // 2026-11-27T12:00:00Z

cw::MetricDatum Datum(std::string name, double value, int64_t ts = kNow - 600,
                      std::vector<cw::Dimension> dims = {}) {
  cw::MetricDatum d;
  d.metric_name = std::move(name);
  d.value = value;
  d.timestamp = Timestamp::FromSeconds(ts);
  if (!dims.empty()) d.dimensions = std::move(dims);
  return d;
}

cw::PutMetricDataInput Put(std::string ns, std::vector<cw::MetricDatum> data) {
  cw::PutMetricDataInput in;
  in.namespace_ = std::move(ns);
  in.metric_data = std::move(data);
  return in;
}

cw::GetMetricStatisticsInput Stats(std::string ns, std::string name, int64_t start, int64_t end,
                                   int period = 60) {
  cw::GetMetricStatisticsInput in;
  in.namespace_ = std::move(ns);
  in.metric_name = std::move(name);
  in.start_time = Timestamp::FromSeconds(start);
  in.end_time = Timestamp::FromSeconds(end);
  in.period = period;
  in.statistics = std::vector<std::string>{"SampleCount", "Sum", "Average", "Minimum", "Maximum"};
  return in;
}

class ApiTest : public ::testing::TestWithParam<Protocol> {
 protected:
  ApiTest() : store_(storage::NewMemoryMetricStore()) { Rebuild(false); }

  void Rebuild(bool strict) {
    Services s;
    s.metrics = store_.get();
    s.clock = &clock_;
    s.config.strict_namespaces = strict;
    frontend_ = std::make_unique<Frontend>(s);
  }

  template <typename In, typename Out>
    requires(!std::is_convertible_v<Out&, std::string_view>)
  std::optional<WireError> Do(std::string_view op, const In& in, Out& out,
                              std::string_view key = "AKIDEXAMPLE") {
    return Call(*frontend_, GetParam(), op, in, out, key);
  }
  template <typename In>
  std::optional<WireError> Do(std::string_view op, const In& in,
                              std::string_view key = "AKIDEXAMPLE") {
    return Call(*frontend_, GetParam(), op, in, key);
  }
  void ExpectError(const std::optional<WireError>& e, int status, std::string_view code,
                   std::string_view message = {}) {
    ASSERT_TRUE(e.has_value()) << "expected " << code;
    EXPECT_EQ(e->status, status);
    EXPECT_EQ(e->code, code) << e->message;
    if (!message.empty()) {
      EXPECT_EQ(e->message, message);
    }
  }

  ManualClock clock_{Timestamp::FromSeconds(kNow)};
  std::unique_ptr<storage::MetricStore> store_;
  std::unique_ptr<Frontend> frontend_;
};

TEST_P(ApiTest, PutThenStatistics) {
  std::vector<cw::MetricDatum> data;
  for (int i = 0; i < 10; ++i) data.push_back(Datum("Requests", i, kNow - 600));
  ASSERT_FALSE(Do("PutMetricData", Put("App/Test", data)));
  cw::GetMetricStatisticsOutput out;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("App/Test", "Requests", kNow - 3600, kNow), out));
  EXPECT_EQ(out.label, "Requests");
  ASSERT_TRUE(out.datapoints);
  ASSERT_EQ(out.datapoints->size(), 1u);
  const auto& dp = (*out.datapoints)[0];
  EXPECT_EQ(dp.timestamp, Timestamp::FromSeconds(kNow - 600));
  EXPECT_EQ(dp.average, 4.5);
  EXPECT_EQ(dp.sum, 45);
  EXPECT_EQ(dp.sample_count, 10);
  EXPECT_EQ(dp.minimum, 0);
  EXPECT_EQ(dp.maximum, 9);
  EXPECT_EQ(dp.unit, "None");
}

TEST_P(ApiTest, ValuesWithCountsAndStatisticSets) {
  cw::MetricDatum v;
  v.metric_name = "Hist";
  v.timestamp = Timestamp::FromSeconds(kNow - 600);
  v.values = std::vector<double>{1, 10};
  v.counts = std::vector<double>{2, 4};
  v.unit = "Count";
  cw::MetricDatum single = Datum("Set", 11);
  cw::MetricDatum set;
  set.metric_name = "Set";
  set.timestamp = Timestamp::FromSeconds(kNow - 600);
  set.statistic_values = cw::StatisticSet{10, 55, 1, 10};
  ASSERT_FALSE(Do("PutMetricData", Put("Agg", {v, single, set})));

  cw::GetMetricStatisticsOutput hist;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("Agg", "Hist", kNow - 3600, kNow), hist));
  ASSERT_EQ(hist.datapoints->size(), 1u);
  EXPECT_EQ((*hist.datapoints)[0].sample_count, 6);
  EXPECT_EQ((*hist.datapoints)[0].sum, 42);
  EXPECT_EQ((*hist.datapoints)[0].maximum, 10);
  EXPECT_EQ((*hist.datapoints)[0].unit, "Count");

  cw::GetMetricStatisticsOutput sets;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("Agg", "Set", kNow - 3600, kNow), sets));
  ASSERT_EQ(sets.datapoints->size(), 1u);
  const auto& dp = (*sets.datapoints)[0];
  EXPECT_EQ(dp.sum, 66);
  EXPECT_EQ(dp.sample_count, 11);
  EXPECT_EQ(dp.minimum, 1);
  EXPECT_EQ(dp.maximum, 11);
  EXPECT_EQ(dp.average, 6);
}

TEST_P(ApiTest, AverageKeepsFullPrecision) {
  std::vector<cw::MetricDatum> data;
  for (double x : {0.0, 2.0, 4.0, 3.5, 7.0, 100.0}) data.push_back(Datum("Avg", x));
  ASSERT_FALSE(Do("PutMetricData", Put("P", data)));
  cw::GetMetricStatisticsOutput out;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("P", "Avg", kNow - 3600, kNow), out));
  ASSERT_EQ(out.datapoints->size(), 1u);
  EXPECT_EQ(*(*out.datapoints)[0].average, 19.416666666666668);
  EXPECT_EQ(*(*out.datapoints)[0].minimum, 0.0);
}

TEST_P(ApiTest, OneDatapointPerUnitAndUnitFilter) {
  auto a = Datum("U", 1);
  a.unit = "Seconds";
  auto b = Datum("U", 5);
  b.unit = "Count";
  auto c = Datum("U", 10);
  ASSERT_FALSE(Do("PutMetricData", Put("Units", {a, b, c})));
  cw::GetMetricStatisticsOutput out;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("Units", "U", kNow - 3600, kNow), out));
  ASSERT_EQ(out.datapoints->size(), 3u);
  std::map<std::string, double> by_unit;
  for (const auto& dp : *out.datapoints) by_unit[*dp.unit] = *dp.sum;
  EXPECT_EQ(by_unit["Seconds"], 1);
  EXPECT_EQ(by_unit["Count"], 5);
  EXPECT_EQ(by_unit["None"], 10);
  auto req = Stats("Units", "U", kNow - 3600, kNow);
  req.unit = "Count";
  cw::GetMetricStatisticsOutput filtered;
  ASSERT_FALSE(Do("GetMetricStatistics", req, filtered));
  ASSERT_EQ(filtered.datapoints->size(), 1u);
  EXPECT_EQ((*filtered.datapoints)[0].sum, 5);
}

TEST_P(ApiTest, DimensionsMatchExactly) {
  ASSERT_FALSE(Do("PutMetricData",
                  Put("Dims", {Datum("M", 11, kNow - 600, {{"InstanceId", "one"}}),
                               Datum("M", 5, kNow - 600, {{"InstanceId", "two"}}),
                               Datum("M", 100, kNow - 600)})));
  auto one = Stats("Dims", "M", kNow - 3600, kNow);
  one.dimensions = std::vector<cw::Dimension>{{"InstanceId", "one"}};
  cw::GetMetricStatisticsOutput out;
  ASSERT_FALSE(Do("GetMetricStatistics", one, out));
  ASSERT_EQ(out.datapoints->size(), 1u);
  EXPECT_EQ((*out.datapoints)[0].sum, 11);
  cw::GetMetricStatisticsOutput none;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("Dims", "M", kNow - 3600, kNow), none));
  ASSERT_EQ(none.datapoints->size(), 1u);
  EXPECT_EQ((*none.datapoints)[0].sum, 100);
}

TEST_P(ApiTest, PutMetricDataRecordedErrors) {
  auto both = Datum("E", 1);
  both.values = std::vector<double>{1, 2};
  ExpectError(Do("PutMetricData", Put("Err", {both})), 400, "InvalidParameterCombination",
              "The parameters MetricData.member.1.Value and MetricData.member.1.Values are "
              "mutually exclusive and you have specified both.");
  cw::MetricDatum mismatch;
  mismatch.metric_name = "E";
  mismatch.values = std::vector<double>{1, 2};
  mismatch.counts = std::vector<double>{1, 2, 3};
  ExpectError(Do("PutMetricData", Put("Err", {mismatch})), 400, "InvalidParameterValue",
              "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of "
              "the same size.");
  auto set = Datum("E", 1);
  set.statistic_values = cw::StatisticSet{1, 1, 1, 1};
  ExpectError(Do("PutMetricData", Put("Err", {set})), 400, "InvalidParameterCombination",
              "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues "
              "are mutually exclusive and you have specified both.");
  // Values together with StatisticValues is accepted, as AWS does.
  cw::MetricDatum ok;
  ok.metric_name = "E";
  ok.values = std::vector<double>{1};
  ok.statistic_values = cw::StatisticSet{1, 2, 2, 2};
  EXPECT_FALSE(Do("PutMetricData", Put("Err", {ok})));
}

TEST_P(ApiTest, PutMetricDataLimits) {
  std::vector<cw::MetricDatum> many(1001, Datum("L", 1));
  ExpectError(Do("PutMetricData", Put("Lim", many)), 400, "InvalidParameterValue",
              "The collection MetricData must not have a size greater than 1000.");
  std::vector<cw::MetricDatum> max(1000, Datum("L", 1));
  EXPECT_FALSE(Do("PutMetricData", Put("Lim", max)));

  cw::MetricDatum values;
  values.metric_name = "L";
  values.values = std::vector<double>(151, 1.0);
  ExpectError(Do("PutMetricData", Put("Lim", {values})), 400, "InvalidParameterValue",
              "The collection MetricData.member.1.Values must not have a size greater than 150.");

  ExpectError(Do("PutMetricData", Put("Lim", {Datum("L", 1e200)})), 400, "InvalidParameterValue",
              "The value 1e+200 for parameter MetricData.member.1.Value is invalid.");
  ExpectError(Do("PutMetricData", Put("Lim", {Datum("L", 1, kNow - 15 * 86400)})), 400,
              "InvalidParameterValue",
              "The parameter MetricData.member.1.Timestamp must specify a time within the past two "
              "weeks.");
  ExpectError(Do("PutMetricData", Put("Lim", {Datum("L", 1, kNow + 3 * 3600)})), 400,
              "InvalidParameterValue",
              "The parameter MetricData.member.1.Timestamp must specify a time no more than two "
              "hours in the future.");
  // Every bad datum is reported, one per line.
  auto e = Do("PutMetricData", Put("Lim", {Datum("L", 1, kNow - 15 * 86400), Datum("L", 1),
                                          Datum("L", 1, kNow - 15 * 86400)}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "The parameter MetricData.member.1.Timestamp must specify a time within the past two "
            "weeks.\nThe parameter MetricData.member.3.Timestamp must specify a time within the "
            "past two weeks.");

  std::vector<cw::Dimension> dims;
  for (int i = 0; i < 31; ++i) dims.push_back({"D" + std::to_string(i), "v"});
  ExpectError(Do("PutMetricData", Put("Lim", {Datum("L", 1, kNow - 60, dims)})), 400,
              "ValidationError");
  dims.resize(30);
  EXPECT_FALSE(Do("PutMetricData", Put("Lim", {Datum("L", 1, kNow - 60, dims)})));

  auto bad_unit = Datum("L", 1);
  bad_unit.unit = "Furlongs";
  ExpectError(Do("PutMetricData", Put("Lim", {bad_unit})), 400, "ValidationError");
  ExpectError(Do("PutMetricData", Put("Lim", {Datum("", 1)})), 400, "ValidationError");
  ExpectError(Do("PutMetricData", Put("", {Datum("L", 1)})), 400, "ValidationError");
  auto hr = Datum("L", 1);
  hr.storage_resolution = 30;
  ExpectError(Do("PutMetricData", Put("Lim", {hr})), 400, "InvalidParameterValue");
}

TEST_P(ApiTest, AwsNamespacesAcceptedUnlessStrict) {
  EXPECT_FALSE(Do("PutMetricData", Put("AWS/EC2", {Datum("CPUUtilization", 50)})));
  Rebuild(true);
  ExpectError(Do("PutMetricData", Put("AWS/EC2", {Datum("CPUUtilization", 50)})), 400,
              "InvalidParameterValue", "The value AWS/EC2 for parameter Namespace is invalid.");
}

TEST_P(ApiTest, GetMetricStatisticsRecordedErrors) {
  cw::GetMetricStatisticsOutput out;
  ExpectError(Do("GetMetricStatistics", Stats("N", "M", kNow - 86400, kNow, 1), out), 400,
              "InvalidParameterCombination",
              "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may "
              "reduce the datapoints requested by increasing Period, or decreasing the time range.");
  EXPECT_FALSE(Do("GetMetricStatistics", Stats("N", "M", kNow - 86400, kNow, 60), out));
  ExpectError(Do("GetMetricStatistics", Stats("N", "M", kNow, kNow), out), 400,
              "InvalidParameterValue",
              "The parameter StartTime must be less than the parameter EndTime.");
  ExpectError(Do("GetMetricStatistics", Stats("N", "M", kNow - 3600, kNow, 90), out), 400,
              "InvalidParameterValue");
  auto neither = Stats("N", "M", kNow - 3600, kNow);
  neither.statistics.reset();
  ExpectError(Do("GetMetricStatistics", neither, out), 400, "MissingParameter");
}

TEST_P(ApiTest, HighResolutionPeriods) {
  std::vector<cw::MetricDatum> data;
  for (int i = 0; i < 20; ++i) {
    auto d = Datum("Hr", i, kNow - 120 + i);
    d.storage_resolution = 1;
    data.push_back(d);
  }
  ASSERT_FALSE(Do("PutMetricData", Put("Hr", data)));
  cw::GetMetricStatisticsOutput out;
  ASSERT_FALSE(Do("GetMetricStatistics", Stats("Hr", "Hr", kNow - 120, kNow - 100, 10), out));
  ASSERT_EQ(out.datapoints->size(), 2u);
  double total = 0;
  for (const auto& dp : *out.datapoints) total += *dp.sample_count;
  EXPECT_EQ(total, 20);
}

TEST_P(ApiTest, ListMetricsFiltersAndPages) {
  std::vector<cw::MetricDatum> data;
  for (int i = 0; i < 1000; ++i) {
    data.push_back(Datum("Many", 1, kNow - 60, {{"Id", std::to_string(i)}}));
  }
  ASSERT_FALSE(Do("PutMetricData", Put("List", data)));
  data.clear();
  for (int i = 0; i < 200; ++i) {
    data.push_back(Datum("Other", 1, kNow - 60, {{"Id", std::to_string(i)}, {"Az", "a"}}));
  }
  ASSERT_FALSE(Do("PutMetricData", Put("List", data)));
  ASSERT_FALSE(Do("PutMetricData", Put("Elsewhere", {Datum("Many", 1)})));

  cw::ListMetricsInput in;
  in.namespace_ = "List";
  size_t total = 0, pages = 0;
  for (;;) {
    cw::ListMetricsOutput out;
    ASSERT_FALSE(Do("ListMetrics", in, out));
    ++pages;
    total += out.metrics ? out.metrics->size() : 0;
    if (!out.next_token) break;
    EXPECT_EQ(out.metrics->size(), 500u);
    in.next_token = out.next_token;
  }
  EXPECT_EQ(total, 1200u);
  EXPECT_EQ(pages, 3u);

  cw::ListMetricsInput by_dim;
  by_dim.dimensions = std::vector<cw::DimensionFilter>{{"Az", std::nullopt}};
  cw::ListMetricsOutput dim_out;
  ASSERT_FALSE(Do("ListMetrics", by_dim, dim_out));
  EXPECT_EQ(dim_out.metrics->size(), 200u);

  cw::ListMetricsInput by_value;
  by_value.metric_name = "Many";
  by_value.dimensions = std::vector<cw::DimensionFilter>{{"Id", std::string("7")}};
  cw::ListMetricsOutput value_out;
  ASSERT_FALSE(Do("ListMetrics", by_value, value_out));
  ASSERT_EQ(value_out.metrics->size(), 1u);
  EXPECT_EQ(*(*value_out.metrics)[0].namespace_, "List");

  cw::ListMetricsInput bad;
  bad.next_token = "not a token";
  cw::ListMetricsOutput bad_out;
  ExpectError(Do("ListMetrics", bad, bad_out), 400, "InvalidNextToken");
}

TEST_P(ApiTest, ListMetricsDropsMetricsSilentForTwoWeeks) {
  ASSERT_FALSE(Do("PutMetricData", Put("Age", {Datum("Old", 1, kNow - 13 * 86400),
                                              Datum("New", 1, kNow - 60)})));
  clock_.Advance(2 * 86400 * 1000LL);
  cw::ListMetricsInput in;
  in.namespace_ = "Age";
  cw::ListMetricsOutput out;
  ASSERT_FALSE(Do("ListMetrics", in, out));
  ASSERT_EQ(out.metrics->size(), 1u);
  EXPECT_EQ(*(*out.metrics)[0].metric_name, "New");
  in.recently_active = "PT3H";
  cw::ListMetricsOutput recent;
  ASSERT_FALSE(Do("ListMetrics", in, recent));
  EXPECT_TRUE(recent.metrics->empty());
}

TEST_P(ApiTest, AccountsAndRegionsAreIsolated) {
  ASSERT_FALSE(Do("PutMetricData", Put("Iso", {Datum("M", 1)}), "111111111111"));
  cw::ListMetricsInput in;
  cw::ListMetricsOutput mine, theirs;
  ASSERT_FALSE(Do("ListMetrics", in, mine, "111111111111"));
  ASSERT_FALSE(Do("ListMetrics", in, theirs, "222222222222"));
  EXPECT_EQ(mine.metrics->size(), 1u);
  EXPECT_TRUE(theirs.metrics->empty());
}

TEST_P(ApiTest, OperationsNotBuiltYetAnswerNotImplemented) {
  cw::DescribeInsightRulesInput in;
  cw::DescribeInsightRulesOutput out;
  auto e = Do("DescribeInsightRules", in, out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 501);
  EXPECT_EQ(e->code, "NotImplemented");
  EXPECT_NE(e->message.find("DescribeInsightRules"), std::string::npos);
}

TEST_P(ApiTest, UnknownOperationIsInvalidAction) {
  cw::ListMetricsInput in;
  auto call = testing::Send(*frontend_, GetParam(), "NoSuchThing", model::ShapeOf<cw::ListMetricsInput>(),
                            &in, nullptr, nullptr);
  ASSERT_TRUE(call.error);
  EXPECT_EQ(call.error->status, 400);
  EXPECT_EQ(call.error->code, "InvalidAction");
}

TEST_P(ApiTest, EveryResponseHasARequestId) {
  cw::ListMetricsInput in;
  auto call = testing::Send(*frontend_, GetParam(), "ListMetrics", model::ShapeOf<cw::ListMetricsInput>(),
                            &in, nullptr, nullptr);
  bool found = false;
  for (const auto& [k, v] : call.response.headers) {
    if (k == "x-amzn-RequestId") found = v.size() == 36;
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Protocols, ApiTest,
                         ::testing::Values(Protocol::kQuery, Protocol::kJson10, Protocol::kRpcV2Cbor),
                         [](const auto& info) { return std::string(protocol::ProtocolName(info.param)); });

TEST(RegistryTest, KnowsEveryOperationOfTheModel) {
  const auto& r = Registry::CloudWatch();
  EXPECT_EQ(r.size(), 46u);
  for (size_t i = 0; i < model::cw::kOperationCount; ++i) {
    EXPECT_NE(r.Find(model::cw::kOperations[i].name), nullptr);
  }
  for (const char* built :
       {"PutMetricData", "ListMetrics", "GetMetricStatistics", "GetMetricData"}) {
    ASSERT_NE(r.Find(built), nullptr);
    EXPECT_TRUE(r.Find(built)->invoke) << built;
  }
}

}  // namespace
}  // namespace vigil::api
