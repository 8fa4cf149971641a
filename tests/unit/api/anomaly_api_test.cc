// PutAnomalyDetector / DescribeAnomalyDetectors / DeleteAnomalyDetector through the real dispatch
// in all three protocols (docs/anomaly-detection.md "API"): the recorded Describe shape
// (aws-recorded-answers.md §10), the legacy and SingleMetricAnomalyDetector forms, several
// detectors per metric, filters and paging (no types: SINGLE_METRIC only), the quota of 500,
// validation errors, state values derived from the data, and ANOMALY_DETECTION_BAND in
// GetMetricData using a detector's ExcludedTimeRanges.
#include <cmath>

#include "unit/api/api_fixture.h"
#include "vigil/alarms/service.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kNow = kFixtureNow;  // 2026-11-27T12:00:00Z

cw::PutAnomalyDetectorInput Legacy(std::string metric, std::string stat = "Average",
                                   std::vector<cw::Dimension> dims = {}) {
  cw::PutAnomalyDetectorInput in;
  in.namespace_ = "anomns";
  in.metric_name = std::move(metric);
  in.stat = std::move(stat);
  if (!dims.empty()) in.dimensions = std::move(dims);
  return in;
}

cw::PutAnomalyDetectorInput Single(std::string metric, std::string stat = "Average",
                                   std::vector<cw::Dimension> dims = {}) {
  cw::PutAnomalyDetectorInput in;
  cw::SingleMetricAnomalyDetector s;
  s.namespace_ = "anomns";
  s.metric_name = std::move(metric);
  s.stat = std::move(stat);
  if (!dims.empty()) s.dimensions = std::move(dims);
  in.single_metric_anomaly_detector = std::move(s);
  return in;
}

class AnomalyApiTest : public AlarmProtocolApiTest {
 protected:
  void PutDetector(const cw::PutAnomalyDetectorInput& in) {
    cw::PutAnomalyDetectorOutput out;
    auto e = Do("PutAnomalyDetector", in, out);
    ASSERT_FALSE(e) << e->code << ": " << e->message;
  }
  cw::DescribeAnomalyDetectorsOutput Describe(cw::DescribeAnomalyDetectorsInput in = {}) {
    cw::DescribeAnomalyDetectorsOutput out;
    auto e = Do("DescribeAnomalyDetectors", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    EXPECT_TRUE(out.anomaly_detectors.has_value());
    if (!out.anomaly_detectors) out.anomaly_detectors.emplace();
    return out;
  }
  // Hourly points: a daily pattern over the `days` days before kNow.
  void PutHistory(const std::string& metric, int days) {
    std::vector<cw::MetricDatum> batch;
    for (int64_t t = kNow - days * 86400; t < kNow; t += 300) {
      const double v = 100 + 50 * std::sin(2 * M_PI * static_cast<double>(t % 86400) / 86400);
      batch.push_back(Datum(metric, v, t));
      if (batch.size() == 1000) {
        PutOk(Put("anomns", std::move(batch)));
        batch.clear();
      }
    }
    if (!batch.empty()) PutOk(Put("anomns", std::move(batch)));
  }
};

TEST_P(AnomalyApiTest, LegacyFormDescribesAsRecorded) {
  PutDetector(Legacy("latency", "Average", {{"Host", "a"}}));
  auto out = Describe();
  ASSERT_EQ(out.anomaly_detectors->size(), 1u);
  const cw::AnomalyDetector& d = out.anomaly_detectors->front();
  EXPECT_EQ(d.namespace_, "anomns");
  EXPECT_EQ(d.metric_name, "latency");
  EXPECT_EQ(d.stat, "Average");
  ASSERT_TRUE(d.dimensions.has_value());
  ASSERT_EQ(d.dimensions->size(), 1u);
  EXPECT_EQ((*d.dimensions)[0].name, "Host");
  ASSERT_TRUE(d.single_metric_anomaly_detector.has_value());
  EXPECT_EQ(d.single_metric_anomaly_detector->account_id, "123456789012");
  EXPECT_EQ(d.single_metric_anomaly_detector->namespace_, "anomns");
  EXPECT_EQ(d.single_metric_anomaly_detector->metric_name, "latency");
  EXPECT_EQ(d.single_metric_anomaly_detector->stat, "Average");
  ASSERT_TRUE(d.configuration.has_value());
  ASSERT_TRUE(d.configuration->excluded_time_ranges.has_value());
  EXPECT_TRUE(d.configuration->excluded_time_ranges->empty());
  EXPECT_FALSE(d.configuration->metric_timezone.has_value());
  EXPECT_EQ(d.state_value, "PENDING_TRAINING") << "no data yet";
  EXPECT_FALSE(out.next_token.has_value());
}

TEST_P(AnomalyApiTest, OnePerStatisticCoexistAndPutReplaces) {
  PutDetector(Single("latency", "Average"));
  PutDetector(Single("latency", "p99"));
  PutDetector(Legacy("latency", "Average"));  // the same detector as the first
  auto in = Single("latency", "p99");
  cw::AnomalyDetectorConfiguration c;
  c.metric_timezone = "Europe/Berlin";
  c.excluded_time_ranges = std::vector<cw::Range>{
      {Timestamp::FromSeconds(kNow - 7200), Timestamp::FromSeconds(kNow - 3600)}};
  in.configuration = c;
  PutDetector(in);
  auto out = Describe();
  ASSERT_EQ(out.anomaly_detectors->size(), 2u);
  std::vector<std::string> stats;
  for (const auto& d : *out.anomaly_detectors) stats.push_back(*d.stat);
  std::sort(stats.begin(), stats.end());
  EXPECT_EQ(stats, (std::vector<std::string>{"Average", "p99"}));
  for (const auto& d : *out.anomaly_detectors) {
    if (d.stat != "p99") continue;
    EXPECT_EQ(d.configuration->metric_timezone, "Europe/Berlin");
    ASSERT_EQ(d.configuration->excluded_time_ranges->size(), 1u);
    EXPECT_EQ((*d.configuration->excluded_time_ranges)[0].start_time,
              Timestamp::FromSeconds(kNow - 7200));
  }
}

TEST_P(AnomalyApiTest, DeleteAndResourceNotFound) {
  PutDetector(Single("latency"));
  cw::DeleteAnomalyDetectorInput del;
  del.namespace_ = "anomns";
  del.metric_name = "latency";
  del.stat = "Average";
  cw::DeleteAnomalyDetectorOutput dout;
  auto e = Do("DeleteAnomalyDetector", del, dout);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  EXPECT_TRUE(Describe().anomaly_detectors->empty());
  ExpectError(Do("DeleteAnomalyDetector", del, dout), 404, "ResourceNotFoundException");
  // The SingleMetricAnomalyDetector form names the same detector.
  PutDetector(Legacy("latency", "Sum"));
  cw::DeleteAnomalyDetectorInput del2;
  del2.single_metric_anomaly_detector = Single("latency", "Sum").single_metric_anomaly_detector;
  e = Do("DeleteAnomalyDetector", del2, dout);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  EXPECT_TRUE(Describe().anomaly_detectors->empty());
}

TEST_P(AnomalyApiTest, FiltersAndPaging) {
  PutDetector(Single("a", "Average", {{"Host", "h1"}, {"Az", "z1"}}));
  PutDetector(Single("a", "Sum", {{"Host", "h2"}}));
  PutDetector(Single("b", "Average"));
  auto in = Single("c");
  in.single_metric_anomaly_detector->namespace_ = "otherns";
  PutDetector(in);
  cw::DescribeAnomalyDetectorsInput f;
  f.namespace_ = "anomns";
  EXPECT_EQ(Describe(f).anomaly_detectors->size(), 3u);
  f.metric_name = "a";
  EXPECT_EQ(Describe(f).anomaly_detectors->size(), 2u);
  f.dimensions = std::vector<cw::Dimension>{{"Host", "h1"}};
  auto one = Describe(f);
  ASSERT_EQ(one.anomaly_detectors->size(), 1u);
  EXPECT_EQ(one.anomaly_detectors->front().stat, "Average");
  cw::DescribeAnomalyDetectorsInput types;
  types.anomaly_detector_types = std::vector<std::string>{"METRIC_MATH"};
  EXPECT_TRUE(Describe(types).anomaly_detectors->empty());
  types.anomaly_detector_types = std::vector<std::string>{"SINGLE_METRIC", "METRIC_MATH"};
  EXPECT_EQ(Describe(types).anomaly_detectors->size(), 4u);
  // Pages of 3 then 1, no repeats.
  cw::DescribeAnomalyDetectorsInput page;
  page.max_results = 3;
  auto p1 = Describe(page);
  ASSERT_EQ(p1.anomaly_detectors->size(), 3u);
  ASSERT_TRUE(p1.next_token.has_value());
  page.next_token = p1.next_token;
  auto p2 = Describe(page);
  ASSERT_EQ(p2.anomaly_detectors->size(), 1u);
  EXPECT_FALSE(p2.next_token.has_value());
  for (const auto& d : *p1.anomaly_detectors) {
    EXPECT_FALSE(d.metric_name == p2.anomaly_detectors->front().metric_name &&
                 d.namespace_ == p2.anomaly_detectors->front().namespace_);
  }
  cw::DescribeAnomalyDetectorsOutput out;
  page.next_token = "garbage";
  ExpectError(Do("DescribeAnomalyDetectors", page, out), 400, "InvalidNextToken");
  cw::DescribeAnomalyDetectorsInput bad;
  bad.anomaly_detector_types = std::vector<std::string>{"BOTH"};
  ExpectError(Do("DescribeAnomalyDetectors", bad, out), 400, "ValidationError");
  bad.anomaly_detector_types.reset();
  bad.max_results = 101;
  ExpectError(Do("DescribeAnomalyDetectors", bad, out), 400, "InvalidParameterValue",
              "The parameter MaxResults must be between 1 and 100.");
}

TEST_P(AnomalyApiTest, DetectorsArePerAccount) {
  PutDetector(Single("latency"));
  cw::DescribeAnomalyDetectorsOutput other;
  auto e =
      Do("DescribeAnomalyDetectors", cw::DescribeAnomalyDetectorsInput{}, other, "111122223333");
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  ASSERT_TRUE(other.anomaly_detectors.has_value());
  EXPECT_TRUE(other.anomaly_detectors->empty());
  cw::DeleteAnomalyDetectorInput del;
  del.single_metric_anomaly_detector = Single("latency").single_metric_anomaly_detector;
  cw::DeleteAnomalyDetectorOutput dout;
  ExpectError(Do("DeleteAnomalyDetector", del, dout, "111122223333"), 404,
              "ResourceNotFoundException");
  EXPECT_EQ(Describe().anomaly_detectors->size(), 1u);
}

TEST_P(AnomalyApiTest, ValidationErrors) {
  cw::PutAnomalyDetectorOutput out;
  auto mixed = Single("a");
  mixed.stat = "Sum";
  ExpectError(Do("PutAnomalyDetector", mixed, out), 400, "InvalidParameterCombination");
  auto missing = Legacy("a");
  missing.stat.reset();
  ExpectError(Do("PutAnomalyDetector", missing, out), 400, "MissingParameter",
              "The parameter Stat is required.");
  ExpectError(Do("PutAnomalyDetector", Legacy("a", "Median"), out), 400, "ValidationError");
  auto tz = Legacy("a");
  tz.configuration.emplace();
  tz.configuration->metric_timezone = "Mars/Olympus";
  ExpectError(Do("PutAnomalyDetector", tz, out), 400, "InvalidParameterValue");
  auto many = Legacy("a");
  many.configuration.emplace();
  many.configuration->excluded_time_ranges.emplace();
  for (int i = 0; i < 11; ++i) {
    many.configuration->excluded_time_ranges->push_back(
        {Timestamp::FromSeconds(kNow + i * 10), Timestamp::FromSeconds(kNow + i * 10 + 5)});
  }
  ExpectError(Do("PutAnomalyDetector", many, out), 400, "InvalidParameterValue");
  many.configuration->excluded_time_ranges->resize(10);  // 10 is fine, also in the future
  auto e = Do("PutAnomalyDetector", many, out);
  EXPECT_FALSE(e) << e->code << ": " << e->message;
  auto inverted = Legacy("b");
  inverted.configuration.emplace();
  inverted.configuration->excluded_time_ranges =
      std::vector<cw::Range>{{Timestamp::FromSeconds(kNow), Timestamp::FromSeconds(kNow - 60)}};
  ExpectError(Do("PutAnomalyDetector", inverted, out), 400, "InvalidParameterValue");
  cw::PutAnomalyDetectorInput math;
  math.metric_math_anomaly_detector.emplace();
  cw::MetricDataQuery q;
  q.id = "e1";
  q.expression = "TIME_SERIES(1) +";
  math.metric_math_anomaly_detector->metric_data_queries = std::vector<cw::MetricDataQuery>{q};
  ExpectError(Do("PutAnomalyDetector", math, out), 400, "ValidationError");
  EXPECT_EQ(Describe().anomaly_detectors->size(), 1u);
}

cw::PutAnomalyDetectorInput MathDetector(std::string expression = "m1 * 2") {
  cw::PutAnomalyDetectorInput in;
  cw::MetricDataQuery m;
  m.id = "m1";
  m.metric_stat = cw::MetricStat{cw::Metric{"anomns", "cpu", std::nullopt}, 300, "Average", {}};
  m.return_data = false;
  cw::MetricDataQuery e;
  e.id = "e1";
  e.expression = std::move(expression);
  e.return_data = true;
  in.metric_math_anomaly_detector.emplace();
  in.metric_math_anomaly_detector->metric_data_queries = std::vector<cw::MetricDataQuery>{m, e};
  return in;
}

TEST_P(AnomalyApiTest, MetricMathDetectorPutDescribeDelete) {
  auto in = MathDetector();
  in.configuration.emplace();
  in.configuration->metric_timezone = "Europe/Berlin";
  PutDetector(in);
  PutDetector(Legacy("cpu"));
  cw::DescribeAnomalyDetectorsInput both;
  both.anomaly_detector_types = std::vector<std::string>{"SINGLE_METRIC", "METRIC_MATH"};
  auto all = Describe(both);
  ASSERT_EQ(all.anomaly_detectors->size(), 2u);
  const cw::AnomalyDetector* math = nullptr;
  for (const auto& d : *all.anomaly_detectors) {
    if (d.metric_math_anomaly_detector) math = &d;
  }
  ASSERT_NE(math, nullptr);
  EXPECT_FALSE(math->single_metric_anomaly_detector || math->namespace_ || math->metric_name ||
               math->stat);
  const auto& qs = math->metric_math_anomaly_detector->metric_data_queries;
  ASSERT_TRUE(qs);
  ASSERT_EQ(qs->size(), 2u);
  EXPECT_EQ((*qs)[0].id, "m1");
  ASSERT_TRUE((*qs)[0].metric_stat);
  EXPECT_EQ((*qs)[0].metric_stat->metric.metric_name, "cpu");
  EXPECT_EQ((*qs)[0].return_data, false);
  EXPECT_EQ((*qs)[1].expression, "m1 * 2");
  ASSERT_TRUE(math->configuration);
  EXPECT_EQ(math->configuration->metric_timezone, "Europe/Berlin");
  EXPECT_EQ(math->state_value, "PENDING_TRAINING");

  cw::DescribeAnomalyDetectorsInput types;
  types.anomaly_detector_types = std::vector<std::string>{"METRIC_MATH"};
  auto only_math = Describe(types);
  ASSERT_EQ(only_math.anomaly_detectors->size(), 1u);
  EXPECT_TRUE(only_math.anomaly_detectors->front().metric_math_anomaly_detector);
  types.anomaly_detector_types = std::vector<std::string>{"SINGLE_METRIC"};
  auto only_single = Describe(types);
  ASSERT_EQ(only_single.anomaly_detectors->size(), 1u);
  EXPECT_TRUE(only_single.anomaly_detectors->front().single_metric_anomaly_detector);
  cw::DescribeAnomalyDetectorsInput by_metric;
  by_metric.metric_name = "cpu";
  EXPECT_EQ(Describe(by_metric).anomaly_detectors->size(), 1u) << "filters name single metrics";

  PutHistory("cpu", 7);
  PutDetector(MathDetector());  // the same queries: replaces (the time zone goes)
  types.anomaly_detector_types = std::vector<std::string>{"METRIC_MATH"};
  only_math = Describe(types);
  ASSERT_EQ(only_math.anomaly_detectors->size(), 1u);
  EXPECT_EQ(only_math.anomaly_detectors->front().state_value, "TRAINED");
  EXPECT_FALSE(only_math.anomaly_detectors->front().configuration->metric_timezone);

  PutDetector(MathDetector("m1 + 1"));  // other queries: another detector
  EXPECT_EQ(Describe(types).anomaly_detectors->size(), 2u);

  cw::DeleteAnomalyDetectorInput del;
  del.metric_math_anomaly_detector = MathDetector().metric_math_anomaly_detector;
  cw::DeleteAnomalyDetectorOutput dout;
  auto e = Do("DeleteAnomalyDetector", del, dout);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  ExpectError(Do("DeleteAnomalyDetector", del, dout), 404, "ResourceNotFoundException");
  ASSERT_EQ(Describe(types).anomaly_detectors->size(), 1u);
  EXPECT_EQ((*Describe(types).anomaly_detectors->front()
                  .metric_math_anomaly_detector->metric_data_queries)[1]
                .expression,
            "m1 + 1");
  EXPECT_EQ(Describe(both).anomaly_detectors->size(), 2u);
  EXPECT_EQ(Describe().anomaly_detectors->size(), 1u) << "no types: SINGLE_METRIC only";
}

TEST_P(AnomalyApiTest, MetricMathDetectorValidation) {
  cw::PutAnomalyDetectorOutput out;
  auto two = MathDetector();
  (*two.metric_math_anomaly_detector->metric_data_queries)[0].return_data = true;
  ExpectError(Do("PutAnomalyDetector", two, out), 400, "ValidationError",
              "MetricMathAnomalyDetector.MetricDataQueries must have exactly one query with "
              "ReturnData set to true, and it must be an Expression.");
  auto stat = MathDetector();
  (*stat.metric_math_anomaly_detector->metric_data_queries)[0].return_data = true;
  (*stat.metric_math_anomaly_detector->metric_data_queries)[1].return_data = false;
  ExpectError(Do("PutAnomalyDetector", stat, out), 400, "ValidationError");
  auto mixed = MathDetector();
  mixed.namespace_ = "anomns";
  ExpectError(Do("PutAnomalyDetector", mixed, out), 400, "InvalidParameterCombination");
  auto unknown = MathDetector("m9 * 2");
  ExpectError(Do("PutAnomalyDetector", unknown, out), 400, "ValidationError");
  auto empty = MathDetector();
  empty.metric_math_anomaly_detector->metric_data_queries.reset();
  ExpectError(Do("PutAnomalyDetector", empty, out), 400, "MissingParameter");
  auto dup = MathDetector();
  (*dup.metric_math_anomaly_detector->metric_data_queries)[1].id = "m1";
  ExpectError(Do("PutAnomalyDetector", dup, out), 400, "ValidationError");
  cw::DescribeAnomalyDetectorsInput math;
  math.anomaly_detector_types = std::vector<std::string>{"METRIC_MATH"};
  EXPECT_TRUE(Describe(math).anomaly_detectors->empty());
}

// botocore, DescribeAnomalyDetectorsInput.AnomalyDetectorTypes: "If empty, defaults to
// SINGLE_METRIC". Metric math detectors are listed only when METRIC_MATH is asked for.
TEST_P(AnomalyApiTest, DescribeDefaultsToSingleMetric) {
  PutDetector(MathDetector());
  PutDetector(Single("cpu"));
  auto none = Describe();
  ASSERT_EQ(none.anomaly_detectors->size(), 1u);
  EXPECT_TRUE(none.anomaly_detectors->front().single_metric_anomaly_detector);
  EXPECT_FALSE(none.anomaly_detectors->front().metric_math_anomaly_detector);
  cw::DescribeAnomalyDetectorsInput empty;
  empty.anomaly_detector_types = std::vector<std::string>{};
  auto listed = Describe(empty);
  ASSERT_EQ(listed.anomaly_detectors->size(), 1u);
  EXPECT_TRUE(listed.anomaly_detectors->front().single_metric_anomaly_detector);
  // Paging over the default never reaches the metric math detector either (it sorts first).
  cw::DescribeAnomalyDetectorsInput page;
  page.max_results = 1;
  auto p1 = Describe(page);
  ASSERT_EQ(p1.anomaly_detectors->size(), 1u);
  EXPECT_TRUE(p1.anomaly_detectors->front().single_metric_anomaly_detector);
  EXPECT_FALSE(p1.next_token.has_value());
  cw::DescribeAnomalyDetectorsInput math;
  math.anomaly_detector_types = std::vector<std::string>{"METRIC_MATH"};
  auto only_math = Describe(math);
  ASSERT_EQ(only_math.anomaly_detectors->size(), 1u);
  EXPECT_TRUE(only_math.anomaly_detectors->front().metric_math_anomaly_detector);
  math.anomaly_detector_types->push_back("SINGLE_METRIC");
  EXPECT_EQ(Describe(math).anomaly_detectors->size(), 2u);
}

// cloudwatch-semantics.md §9: 500 models per region. Both kinds count, per account and region;
// a Put that replaces an existing detector's configuration does not add one. The 501st is
// LimitExceededException (PutAnomalyDetector's modelled error, HTTP 400).
TEST_P(AnomalyApiTest, AtMost500DetectorsPerAccountAndRegion) {
  constexpr std::string_view kLimitMessage =
      "The maximum number of anomaly detection models (500) for this account and region has "
      "been reached. Delete an anomaly detection model before creating another.";
  PutDetector(MathDetector());
  for (int i = 0; i < 499; ++i) PutDetector(Single(Numbered("m", i)));
  cw::PutAnomalyDetectorOutput out;
  ExpectError(Do("PutAnomalyDetector", Single("m499"), out), 400, "LimitExceededException",
              kLimitMessage);
  ExpectError(Do("PutAnomalyDetector", Legacy("m0", "Sum"), out), 400, "LimitExceededException",
              kLimitMessage);
  ExpectError(Do("PutAnomalyDetector", MathDetector("m1 + 1"), out), 400, "LimitExceededException",
              kLimitMessage);
  // Replacing existing detectors' configurations is not a new detector.
  auto again = Legacy("m7");
  again.configuration.emplace();
  again.configuration->metric_timezone = "Europe/Berlin";
  PutDetector(again);
  auto math_again = MathDetector();
  math_again.metric_characteristics = cw::MetricCharacteristics{true};
  PutDetector(math_again);
  // Validation comes first: an invalid Put is not a quota error.
  ExpectError(Do("PutAnomalyDetector", Legacy("m499", "Median"), out), 400, "ValidationError");
  // Another account has its own quota.
  auto e = Do("PutAnomalyDetector", Single("m499"), out, "111122223333");
  EXPECT_FALSE(e) << e->code << ": " << e->message;

  cw::DescribeAnomalyDetectorsInput all;
  all.anomaly_detector_types = std::vector<std::string>{"SINGLE_METRIC", "METRIC_MATH"};
  size_t listed = 0;
  bool replaced = false;
  for (;;) {
    auto page = Describe(all);
    listed += page.anomaly_detectors->size();
    for (const auto& d : *page.anomaly_detectors) {
      if (d.metric_name == "m7") replaced = d.configuration->metric_timezone == "Europe/Berlin";
    }
    if (!page.next_token) break;
    all.next_token = page.next_token;
  }
  EXPECT_EQ(listed, 500u);
  EXPECT_TRUE(replaced);

  // A Delete frees a place, for either kind.
  cw::DeleteAnomalyDetectorInput del;
  del.metric_math_anomaly_detector = MathDetector().metric_math_anomaly_detector;
  cw::DeleteAnomalyDetectorOutput dout;
  e = Do("DeleteAnomalyDetector", del, dout);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  PutDetector(Single("m499"));
  ExpectError(Do("PutAnomalyDetector", Single("m500"), out), 400, "LimitExceededException");
}

// botocore's DeleteAnomalyDetectorInput: with SingleMetricAnomalyDetector, or with
// MetricMathAnomalyDetector, none of Namespace, MetricName, Dimensions, Stat nor the other form
// may be given (the same for PutAnomalyDetectorInput).
TEST_P(AnomalyApiTest, FormsCannotBeMixed) {
  PutDetector(Single("cpu"));
  PutDetector(MathDetector());
  cw::DeleteAnomalyDetectorOutput dout;
  cw::DeleteAnomalyDetectorInput single_and_legacy;
  single_and_legacy.single_metric_anomaly_detector = Single("cpu").single_metric_anomaly_detector;
  single_and_legacy.metric_name = "cpu";
  ExpectError(Do("DeleteAnomalyDetector", single_and_legacy, dout), 400,
              "InvalidParameterCombination",
              "When using SingleMetricAnomalyDetector, you cannot include Namespace, MetricName, "
              "Dimensions or Stat.");
  cw::DeleteAnomalyDetectorInput math_and_single;
  math_and_single.metric_math_anomaly_detector = MathDetector().metric_math_anomaly_detector;
  math_and_single.single_metric_anomaly_detector = Single("cpu").single_metric_anomaly_detector;
  ExpectError(Do("DeleteAnomalyDetector", math_and_single, dout), 400,
              "InvalidParameterCombination",
              "When using MetricMathAnomalyDetector, you cannot include Namespace, MetricName, "
              "Dimensions, Stat or SingleMetricAnomalyDetector.");
  cw::DeleteAnomalyDetectorInput math_and_legacy;
  math_and_legacy.metric_math_anomaly_detector = MathDetector().metric_math_anomaly_detector;
  math_and_legacy.stat = "Average";
  ExpectError(Do("DeleteAnomalyDetector", math_and_legacy, dout), 400,
              "InvalidParameterCombination");
  ExpectError(Do("DeleteAnomalyDetector", cw::DeleteAnomalyDetectorInput{}, dout), 400,
              "MissingParameter", "The parameter Namespace is required.");
  cw::PutAnomalyDetectorOutput out;
  auto put_both = MathDetector();
  put_both.single_metric_anomaly_detector = Single("mem").single_metric_anomaly_detector;
  ExpectError(Do("PutAnomalyDetector", put_both, out), 400, "InvalidParameterCombination");
  // Nothing was deleted or added.
  cw::DescribeAnomalyDetectorsInput all;
  all.anomaly_detector_types = std::vector<std::string>{"SINGLE_METRIC", "METRIC_MATH"};
  EXPECT_EQ(Describe(all).anomaly_detectors->size(), 2u);
}

// Configuration.ExcludedTimeRanges: at most 10 (botocore: "You can specify as many as 10 time
// ranges"), each StartTime strictly before its EndTime (vigil's reading of a range).
TEST_P(AnomalyApiTest, ExcludedTimeRangesAreChecked) {
  cw::PutAnomalyDetectorOutput out;
  auto many = Single("cpu");
  many.configuration.emplace();
  many.configuration->excluded_time_ranges.emplace();
  for (int i = 0; i < 11; ++i) {
    const int64_t start = kNow - 86400 + i * 60;
    many.configuration->excluded_time_ranges->push_back(
        {Timestamp::FromSeconds(start), Timestamp::FromSeconds(start + 30)});
  }
  ExpectError(Do("PutAnomalyDetector", many, out), 400, "InvalidParameterValue",
              "The collection Configuration.ExcludedTimeRanges must not have a size greater than "
              "10.");
  auto ranges = Single("cpu");
  ranges.configuration.emplace();
  ranges.configuration->excluded_time_ranges = std::vector<cw::Range>{
      {Timestamp::FromSeconds(kNow - 7200), Timestamp::FromSeconds(kNow - 3600)},
      {Timestamp::FromSeconds(kNow - 600), Timestamp::FromSeconds(kNow - 1200)}};
  ExpectError(Do("PutAnomalyDetector", ranges, out), 400, "InvalidParameterValue",
              "The parameter Configuration.ExcludedTimeRanges.member.2.StartTime must be before "
              "its EndTime.");
  (*ranges.configuration->excluded_time_ranges)[1].end_time = Timestamp::FromSeconds(kNow - 600);
  // An empty range (StartTime == EndTime) is refused too.
  ExpectError(Do("PutAnomalyDetector", ranges, out), 400, "InvalidParameterValue");
  EXPECT_TRUE(Describe().anomaly_detectors->empty());
}

TEST_P(AnomalyApiTest, StateValueFollowsTheData) {
  PutDetector(Legacy("none"));
  PutDetector(Legacy("little"));
  PutDetector(Legacy("week"));
  PutOk(Put("anomns", {Datum("little", 1, kNow - 600), Datum("little", 2, kNow - 300)}));
  PutHistory("week", 7);
  std::map<std::string, std::string> state;
  const auto out = Describe();
  for (const auto& d : *out.anomaly_detectors) state[*d.metric_name] = *d.state_value;
  EXPECT_EQ(state["none"], "PENDING_TRAINING");
  EXPECT_EQ(state["little"], "TRAINED_INSUFFICIENT_DATA");
  EXPECT_EQ(state["week"], "TRAINED");
}

TEST_P(AnomalyApiTest, BandInGetMetricDataUsesTheDetectorsExcludedRanges) {
  PutHistory("cpu", 3);
  cw::GetMetricDataInput in;
  cw::MetricDataQuery m;
  m.id = "m1";
  m.metric_stat = cw::MetricStat{cw::Metric{"anomns", "cpu", std::nullopt}, 300, "Average", {}};
  cw::MetricDataQuery b;
  b.id = "band";
  b.expression = "ANOMALY_DETECTION_BAND(m1, 3)";
  in.metric_data_queries = {m, b};
  in.start_time = Timestamp::FromSeconds(kNow - 6 * 3600);
  in.end_time = Timestamp::FromSeconds(kNow);
  in.scan_by = "TimestampAscending";
  cw::GetMetricDataOutput out;
  auto e = Do("GetMetricData", in, out);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  ASSERT_EQ(out.metric_data_results->size(), 3u);
  const std::vector<double> values =
      (*out.metric_data_results)[0].values.value_or(std::vector<double>{});
  const std::vector<double> upper =
      (*out.metric_data_results)[1].values.value_or(std::vector<double>{});
  const std::vector<double> lower =
      (*out.metric_data_results)[2].values.value_or(std::vector<double>{});
  EXPECT_EQ((*out.metric_data_results)[1].id, "band");
  ASSERT_EQ(values.size(), 72u);
  ASSERT_EQ(upper.size(), values.size());
  ASSERT_EQ(lower.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_GE(upper[i], values[i]);
    EXPECT_LE(lower[i], values[i]);
  }
  // A detector excluding all the history: no band until the model has an hour of new data.
  auto d = Legacy("cpu");
  d.configuration.emplace();
  d.configuration->excluded_time_ranges = std::vector<cw::Range>{
      {Timestamp::FromSeconds(kNow - 30 * 86400), Timestamp::FromSeconds(kNow - 5 * 3600)}};
  PutDetector(d);
  cw::GetMetricDataOutput out2;
  e = Do("GetMetricData", in, out2);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  ASSERT_EQ(out2.metric_data_results->size(), 3u);
  const auto times = (*out2.metric_data_results)[1].timestamps.value_or(std::vector<Timestamp>{});
  ASSERT_FALSE(times.empty());
  EXPECT_GE(times.front(), Timestamp::FromSeconds(kNow - 4 * 3600));
  EXPECT_LT(times.size(), values.size());
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(AnomalyApiTest);

}  // namespace
}  // namespace vigil::api::testing
