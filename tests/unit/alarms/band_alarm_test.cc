// Anomaly detection band alarms (ThresholdMetricId naming ANOMALY_DETECTION_BAND) through the
// AlarmService over the memory stores: each band operator, breaches on both sides, M of N, AWS's
// reason texts and StateReasonData for bands, the band being GetMetricData's, the detector
// settings lookups (of a metric and of an expression), a band over a metric math expression, and
// what CompileAlarm refuses. Time is a ManualClock; nothing sleeps.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vigil/alarms/service.h"
#include "vigil/common/clock.h"
#include "vigil/common/text.h"
#include "vigil/query/metric_data.h"

namespace vigil::alarms {
namespace {

constexpr int64_t kT0 = 1'795'780'800;  // 2026-11-27T12:00:00Z, an hour boundary
const Scope kScope{"123456789012", "us-east-1"};

MetricQuerySpec Stat(std::string id, std::string metric, bool return_data = true) {
  MetricQuerySpec m;
  m.id = std::move(id);
  m.metric_stat = MetricStatSpec{"ns", std::move(metric), {}, 60, "Average", std::nullopt};
  m.return_data = return_data;
  return m;
}

MetricQuerySpec Expr(std::string id, std::string expression, bool return_data = true) {
  MetricQuerySpec m;
  m.id = std::move(id);
  m.expression = std::move(expression);
  m.return_data = return_data;
  return m;
}

AlarmConfig BandAlarm(std::string name, std::string op, int n = 1, int m = 1) {
  AlarmConfig c;
  c.name = std::move(name);
  c.evaluation_periods = n;
  c.datapoints_to_alarm = m;
  c.comparison_operator = std::move(op);
  c.threshold_metric_id = "ad1";
  c.metrics = {Stat("m1", "cpu"), Expr("ad1", "ANOMALY_DETECTION_BAND(m1, 2)")};
  return c;
}

class BandAlarmTest : public ::testing::Test {
 protected:
  BandAlarmTest()
      : metrics_(storage::NewMemoryMetricStore()),
        state_(NewMemoryStateStore()),
        clock_(Timestamp::FromSeconds(kT0)),
        service_(*state_, *metrics_, notifier_) {
    EXPECT_TRUE(service_.Load().ok());
    (void)service_.RunDue(clock_.Now());
  }

  void Put(const std::string& metric, double value, int64_t t) {
    storage::Datum d;
    d.series = {kScope.account, kScope.region, "ns", metric, {}};
    d.timestamp = Timestamp::FromSeconds(t);
    d.stats.Add(value, 1);
    ASSERT_TRUE(metrics_->Write({d}).ok());
  }

  // Six hours of one-minute values between 99 and 101 before kT0.
  void PutHistory(const std::string& metric) {
    for (int64_t i = 0; i < 360; ++i) {
      Put(metric, 100 + static_cast<double>((i * 7919) % 11 - 5) * 0.2, kT0 - 6 * 3600 + i * 60);
    }
  }

  void Create(AlarmConfig c) {
    auto s = service_.PutMetricAlarm(kScope, std::move(c), {}, clock_.Now());
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  // Puts `value` in the current minute and runs the evaluation at the next minute.
  void Step(const std::string& metric, double value) {
    Put(metric, value, clock_.Now().seconds() + 10);
    clock_.Advance(60'000);
    (void)service_.RunDue(clock_.Now());
  }

  Alarm Get(std::string_view name) { return service_.GetAlarm(kScope, name).value_or(Alarm{}); }

  // The band GetMetricData answers for `metric` at the minute starting at `t`, as of `as_of`.
  std::pair<double, double> BandAt(const std::string& metric, int64_t t, int64_t as_of) {
    query::MetricDataRequest r;
    query::MetricDataQuery m;
    m.id = "m1";
    m.series = {kScope.account, kScope.region, "ns", metric, {}};
    m.statistic = *query::Statistic::Parse("Average");
    m.period_seconds = 60;
    query::MetricDataQuery b;
    b.id = "ad1";
    b.expression = "ANOMALY_DETECTION_BAND(m1, 2)";
    b.period_seconds = 60;
    r.queries = {m, b};
    r.start = Timestamp::FromSeconds(t);
    r.end = Timestamp::FromSeconds(t + 60);
    auto page = query::GetMetricData(*metrics_, r, Timestamp::FromSeconds(as_of));
    EXPECT_TRUE(page.ok());
    if (!page.ok() || page->results.size() != 3 || page->results[1].values.empty() ||
        page->results[2].values.empty()) {
      ADD_FAILURE() << "no band at " << t;
      return {0, 0};
    }
    return {page->results[1].values[0], page->results[2].values[0]};
  }

  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<StateStore> state_;
  LoggingNotifier notifier_;  // band alarms here have no actions
  ManualClock clock_;
  AlarmService service_;
};

TEST_F(BandAlarmTest, GreaterThanUpperAlarmsAboveAndRecoversWithAwsTexts) {
  PutHistory("cpu");
  Create(BandAlarm("up", "GreaterThanUpperThreshold"));
  Step("cpu", 200);
  Alarm a = Get("up");
  ASSERT_EQ(a.status.value, AlarmState::kAlarm) << a.status.reason;
  const auto [upper, lower] = BandAt("cpu", kT0, kT0 + 60);
  EXPECT_LT(upper, 200);
  EXPECT_GT(upper, 100);
  EXPECT_LT(lower, 100);
  EXPECT_EQ(a.status.reason,
            std::string("Thresholds Crossed: 1 out of the last 1 datapoints [200.0 (27/11/26 "
                        "12:00:00)] was ") +
                "greater than the upper thresholds [" +
                JavaDouble(upper) + "] (minimum 1 datapoint for OK -> ALARM transition).");
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_EQ(data["recentDatapoints"], nlohmann::json::array({200.0}));
  EXPECT_EQ(data["recentUpperThresholds"], nlohmann::json::array({upper}))
      << "the band the alarm used is GetMetricData's";
  EXPECT_FALSE(data.contains("recentLowerThresholds"));
  EXPECT_FALSE(data.contains("threshold"));
  EXPECT_FALSE(data.contains("statistic"));
  EXPECT_EQ(data["evaluatedDatapoints"][0]["threshold"], upper);
  EXPECT_EQ(data["evaluatedDatapoints"][0]["value"], 200.0);

  Step("cpu", 100);
  a = Get("up");
  ASSERT_EQ(a.status.value, AlarmState::kOk) << a.status.reason;
  EXPECT_NE(a.status.reason.find("Thresholds Crossed: 1 out of the last 1 datapoints [100.0 "
                                 "(27/11/26 12:01:00)] was not greater than the upper thresholds ["),
            std::string::npos)
      << a.status.reason;
  // Far below the band is not a breach for the upper side only.
  Step("cpu", 20);
  EXPECT_EQ(Get("up").status.value, AlarmState::kOk);
}

TEST_F(BandAlarmTest, LessThanLowerAlarmsBelowOnly) {
  PutHistory("cpu");
  Create(BandAlarm("low", "LessThanLowerThreshold"));
  Step("cpu", 200);
  Alarm a = Get("low");
  EXPECT_EQ(a.status.value, AlarmState::kOk) << a.status.reason;
  Step("cpu", 20);
  a = Get("low");
  ASSERT_EQ(a.status.value, AlarmState::kAlarm) << a.status.reason;
  const auto [upper, lower] = BandAt("cpu", kT0 + 60, kT0 + 120);
  (void)upper;
  EXPECT_EQ(a.status.reason,
            std::string("Thresholds Crossed: 1 out of the last 1 datapoints [20.0 (27/11/26 "
                        "12:01:00)] was less than the lower thresholds [") +
                JavaDouble(lower) + "] (minimum 1 datapoint for OK -> ALARM transition).");
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_EQ(data["recentLowerThresholds"], nlohmann::json::array({lower}));
  EXPECT_FALSE(data.contains("recentUpperThresholds"));
  EXPECT_EQ(data["evaluatedDatapoints"][0]["threshold"], lower);
}

TEST_F(BandAlarmTest, OutsideTheBandAlarmsOnBothSides) {
  PutHistory("cpu");
  Create(BandAlarm("both", "LessThanLowerOrGreaterThanUpperThreshold"));
  Step("cpu", 200);
  EXPECT_EQ(Get("both").status.value, AlarmState::kAlarm);
  Step("cpu", 100);
  Alarm a = Get("both");
  ASSERT_EQ(a.status.value, AlarmState::kOk);
  EXPECT_NE(a.status.reason.find("was not less than the lower thresholds ["), std::string::npos)
      << a.status.reason;
  EXPECT_NE(a.status.reason.find("] or not greater than the upper thresholds ["),
            std::string::npos)
      << a.status.reason;
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_EQ(data["recentLowerThresholds"].size(), 1u);
  EXPECT_EQ(data["recentUpperThresholds"].size(), 1u);
  EXPECT_FALSE(data["evaluatedDatapoints"][0].contains("threshold"));
  Step("cpu", 20);
  a = Get("both");
  ASSERT_EQ(a.status.value, AlarmState::kAlarm);
  EXPECT_NE(a.status.reason.find("was less than the lower thresholds ["), std::string::npos);
  EXPECT_NE(a.status.reason.find("] or greater than the upper thresholds ["), std::string::npos);
}

TEST_F(BandAlarmTest, TwoOfThreeOutsideTheBand) {
  PutHistory("cpu");
  Create(BandAlarm("mofn", "LessThanLowerOrGreaterThanUpperThreshold", 3, 2));
  Step("cpu", 200);  // X among normal history points: 1 of 3
  EXPECT_EQ(Get("mofn").status.value, AlarmState::kOk);
  Step("cpu", 100);  // X 0
  EXPECT_EQ(Get("mofn").status.value, AlarmState::kOk);
  Step("cpu", 20);  // X 0 X: 2 of 3
  Alarm a = Get("mofn");
  ASSERT_EQ(a.status.value, AlarmState::kAlarm);
  EXPECT_TRUE(a.status.reason.starts_with(
      "Thresholds Crossed: 2 out of the last 3 datapoints [20.0 (27/11/26 12:02:00), 200.0 "
      "(27/11/26 12:00:00)] were less than the lower thresholds ["))
      << a.status.reason;
  EXPECT_TRUE(a.status.reason.ends_with("(minimum 2 datapoints for OK -> ALARM transition)."))
      << a.status.reason;
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_EQ(data["recentDatapoints"], nlohmann::json::array({200.0, 100.0, 20.0}));
  EXPECT_EQ(data["recentUpperThresholds"].size(), 3u);
}

TEST_F(BandAlarmTest, NoBandWithoutHistoryCountsAsMissing) {
  Create(BandAlarm("new", "GreaterThanUpperThreshold"));
  Step("fresh", 1000);
  Step("cpu", 1000);
  EXPECT_EQ(Get("new").status.value, AlarmState::kInsufficientData)
      << "a point without a band cannot be evaluated";
}

TEST_F(BandAlarmTest, DetectorSettingsReachTheBand) {
  PutHistory("cpu");
  std::vector<std::string> asked;
  service_.SetAnomalySettings([&](const storage::SeriesKey& s, const query::Statistic& stat) {
    asked.push_back(s.metric_name + "/" + stat.text());
    query::AnomalyBandSettings out;
    out.excluded.emplace_back(Timestamp::FromSeconds(kT0 - 86400), Timestamp::FromSeconds(kT0));
    return std::optional<query::AnomalyBandSettings>(out);
  });
  Create(BandAlarm("excl", "GreaterThanUpperThreshold"));
  Step("cpu", 200);
  EXPECT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), "cpu/Average");
  EXPECT_EQ(Get("excl").status.value, AlarmState::kInsufficientData)
      << "every training point excluded: no band, nothing to evaluate";
}

TEST_F(BandAlarmTest, BandOfAMetricMathExpression) {
  PutHistory("cpu");
  AlarmConfig c = BandAlarm("math", "LessThanLowerOrGreaterThanUpperThreshold");
  c.metrics = {Stat("m1", "cpu", false), Expr("e1", "m1 * 2"),
               Expr("ad1", "ANOMALY_DETECTION_BAND(e1)")};
  Create(c);
  Step("cpu", 101);  // e1 = 202, inside a band around 200
  Alarm a = Get("math");
  ASSERT_EQ(a.status.value, AlarmState::kOk) << a.status.reason;
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_GT(data["recentUpperThresholds"][0].get<double>(), 202);
  EXPECT_LT(data["recentLowerThresholds"][0].get<double>(), 202);
  EXPECT_GT(data["recentLowerThresholds"][0].get<double>(), 150) << "trained on e1, not m1";
  Step("cpu", 150);  // e1 = 300
  EXPECT_EQ(Get("math").status.value, AlarmState::kAlarm);
}

TEST_F(BandAlarmTest, MathDetectorSettingsReachTheBandOfAnExpression) {
  // SetExpressionAnomalySettings: the band over e1 asks for e1's settings with the alarm's
  // queries; excluding every training point leaves no band, so nothing can be evaluated.
  PutHistory("cpu");
  std::vector<std::string> asked;
  service_.SetExpressionAnomalySettings(
      [&](const std::vector<query::MetricDataQuery>& queries, std::string_view id) {
        asked.emplace_back(id);
        EXPECT_EQ(queries.size(), 3u);
        query::AnomalyBandSettings out;
        out.excluded.emplace_back(Timestamp::FromSeconds(kT0 - 86400),
                                  Timestamp::FromSeconds(kT0));
        return std::optional<query::AnomalyBandSettings>(out);
      });
  AlarmConfig c = BandAlarm("math", "LessThanLowerOrGreaterThanUpperThreshold");
  c.metrics = {Stat("m1", "cpu", false), Expr("e1", "m1 * 2"),
               Expr("ad1", "ANOMALY_DETECTION_BAND(e1)")};
  Create(c);
  Step("cpu", 150);  // e1 = 300: far outside the band it would have without the settings
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), "e1");
  EXPECT_EQ(Get("math").status.value, AlarmState::kInsufficientData)
      << "every training point excluded: no band, nothing to evaluate";
}

TEST_F(BandAlarmTest, CompileRefusesWhatItCannotEvaluate) {
  auto put = [&](AlarmConfig c) { return service_.PutMetricAlarm(kScope, c, {}, clock_.Now()); };
  AlarmConfig c = BandAlarm("x", "GreaterThanUpperThreshold");
  c.threshold_metric_id.reset();
  Status s = put(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "ComparisonOperators for ranges require ThresholdMetricId to be set");
  c = BandAlarm("x", "GreaterThanThreshold");
  EXPECT_FALSE(put(c).ok()) << "ThresholdMetricId with a static operator";
  c = BandAlarm("x", "GreaterThanUpperThreshold");
  c.threshold_metric_id = "m1";
  s = put(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  c.threshold_metric_id = "nope";
  EXPECT_FALSE(put(c).ok());
  EXPECT_TRUE(service_.ListAlarms(kScope).empty());
  EXPECT_TRUE(put(BandAlarm("x", "GreaterThanUpperThreshold")).ok());
}

TEST(BandExpressionTest, RecognisesTheCall) {
  EXPECT_TRUE(IsBandExpression("ANOMALY_DETECTION_BAND(m1)"));
  EXPECT_TRUE(IsBandExpression(" ANOMALY_DETECTION_BAND(m1, 3)"));
  EXPECT_FALSE(IsBandExpression("ANOMALY_DETECTION_BAND(m1) * 2"));
  EXPECT_FALSE(IsBandExpression("m1"));
  EXPECT_FALSE(IsBandExpression("ANOMALY_DETECTION_BAND("));
}

}  // namespace
}  // namespace vigil::alarms
