// Anomaly detection band alarms through the real dispatch in all three protocols: PutMetricAlarm's
// validation of ThresholdMetricId and the band operators (AWS's text where one is public), no
// Auto Scaling actions on a band alarm, DescribeAlarms echoing ThresholdMetricId and Metrics, and
// an evaluation seen through DescribeAlarms.
#include <nlohmann/json.hpp>

#include "unit/api/api_fixture.h"
#include "vigil/alarms/service.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kNow = kFixtureNow;  // 2026-11-27T12:00:00Z

cw::MetricDataQuery StatQuery(std::string id, std::string metric) {
  cw::MetricDataQuery q;
  q.id = std::move(id);
  q.metric_stat = cw::MetricStat{cw::Metric{"bandns", std::move(metric), std::nullopt}, 60,
                                 "Average", {}};
  q.return_data = true;
  return q;
}

cw::MetricDataQuery ExprQuery(std::string id, std::string expression) {
  cw::MetricDataQuery q;
  q.id = std::move(id);
  q.expression = std::move(expression);
  q.return_data = true;
  return q;
}

cw::PutMetricAlarmInput BandAlarm(std::string name,
                                  std::string op = "LessThanLowerOrGreaterThanUpperThreshold") {
  cw::PutMetricAlarmInput in;
  in.alarm_name = std::move(name);
  in.evaluation_periods = 1;
  in.comparison_operator = std::move(op);
  in.threshold_metric_id = "ad1";
  auto band = ExprQuery("ad1", "ANOMALY_DETECTION_BAND(m1, 2)");
  band.label = "cpu (expected)";
  in.metrics = std::vector<cw::MetricDataQuery>{StatQuery("m1", "cpu"), band};
  return in;
}

class BandAlarmApiTest : public AlarmProtocolApiTest {
 protected:
  void PutAlarm(const cw::PutMetricAlarmInput& in) {
    auto e = Do("PutMetricAlarm", in);
    ASSERT_FALSE(e) << e->code << ": " << e->message;
  }
  cw::MetricAlarm One(std::string name) {
    cw::DescribeAlarmsInput in;
    in.alarm_names = std::vector<std::string>{std::move(name)};
    cw::DescribeAlarmsOutput out;
    auto e = Do("DescribeAlarms", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    if (!out.metric_alarms || out.metric_alarms->size() != 1) {
      ADD_FAILURE() << "alarm not found";
      return {};
    }
    return out.metric_alarms->front();
  }
  void ExpectPutError(const cw::PutMetricAlarmInput& in, std::string_view code,
                      std::string_view message = {}) {
    ExpectError(Do("PutMetricAlarm", in), 400, code, message);
  }
  // Six hours of one-minute values between 99 and 101 before kNow, the last at 11:58.
  void PutHistory() {
    std::vector<cw::MetricDatum> batch;
    for (int64_t i = 0; i < 359; ++i) {
      batch.push_back(Datum("cpu", 100 + static_cast<double>((i * 7919) % 11 - 5) * 0.2,
                            kNow - 6 * 3600 + i * 60));
    }
    PutOk(Put("bandns", std::move(batch)));
  }
};

TEST_P(BandAlarmApiTest, ValidationErrors) {
  auto p = BandAlarm("v");
  p.threshold_metric_id.reset();
  ExpectPutError(p, "ValidationError",
                 "ComparisonOperators for ranges require ThresholdMetricId to be set");
  p = BandAlarm("v", "GreaterThanThreshold");
  ExpectPutError(p, "InvalidParameterCombination");
  p = BandAlarm("v");
  p.threshold = 3;
  ExpectPutError(p, "InvalidParameterCombination",
                 "The parameters Threshold and ThresholdMetricId are mutually exclusive.");
  p = BandAlarm("v");
  p.threshold_metric_id = "nope";
  ExpectPutError(p, "ValidationError",
                 "The ThresholdMetricId nope does not match the Id of any metric in Metrics.");
  p = BandAlarm("v");
  p.threshold_metric_id = "m1";
  ExpectPutError(p, "ValidationError",
                 "The ThresholdMetricId m1 must be the Id of an ANOMALY_DETECTION_BAND "
                 "expression in Metrics.");
  p = BandAlarm("v");
  (*p.metrics)[1].expression = "ANOMALY_DETECTION_BAND(m1) * 2";
  ExpectPutError(p, "ValidationError");
  p = BandAlarm("v");
  p.metrics->push_back(StatQuery("m2", "mem"));
  ExpectPutError(p, "ValidationError",
                 "Exactly one element of the metrics list should return data.");
  p = BandAlarm("v");
  (*p.metrics)[0].return_data = false;  // the metric the band is compared with must return data
  ExpectPutError(p, "ValidationError",
                 "Exactly one element of the metrics list should return data.");
  p = BandAlarm("v");
  p.metrics.reset();
  p.namespace_ = "bandns";
  p.metric_name = "cpu";
  p.statistic = "Average";
  p.period = 60;
  ExpectPutError(p, "MissingParameter");
  cw::DescribeAlarmsOutput out;
  ASSERT_FALSE(Do("DescribeAlarms", cw::DescribeAlarmsInput{}, out));
  EXPECT_TRUE(out.metric_alarms->empty());
}

// botocore's PutMetricAlarm: "Alarms based on anomaly detection models cannot have Auto Scaling
// actions" (ThresholdMetricId: "If your alarm uses this parameter, it cannot have Auto Scaling
// actions"). EC2 Auto Scaling and Application Auto Scaling policies share the `autoscaling`
// service in their ARNs; every action list is checked.
TEST_P(BandAlarmApiTest, AutoScalingActionsAreRefused) {
  const std::string ec2_policy =
      "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:"
      "5a0b6b5c-1c1e-4d7e-9c1e-8f3f9d7e1a2b:autoScalingGroupName/web:policyName/scale-out";
  const std::string app_policy =
      "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:"
      "0e8c7f2a-3b1d-4c5e-8f9a-1b2c3d4e5f60:resource/ecs/service/default/web:policyName/out";
  auto p = BandAlarm("scale");
  p.alarm_actions = std::vector<std::string>{ec2_policy};
  ExpectPutError(p, "ValidationError",
                 std::string("Alarms based on anomaly detection models cannot have Auto "
                             "Scaling actions: AlarmActions has ") +
                     ec2_policy + ".");
  p = BandAlarm("scale");
  p.ok_actions = std::vector<std::string>{"arn:aws:sns:us-east-1:123456789012:ops", app_policy};
  ExpectPutError(p, "ValidationError",
                 std::string("Alarms based on anomaly detection models cannot have Auto "
                             "Scaling actions: OKActions has ") +
                     app_policy + ".");
  p = BandAlarm("scale");
  p.insufficient_data_actions =
      std::vector<std::string>{"arn:aws-cn:autoscaling:cn-north-1:123456789012:scalingPolicy:x"};
  ExpectPutError(p, "ValidationError");
  cw::DescribeAlarmsOutput out;
  ASSERT_FALSE(Do("DescribeAlarms", cw::DescribeAlarmsInput{}, out));
  EXPECT_TRUE(out.metric_alarms->empty());

  // Other actions are fine on a band alarm, and a static-threshold alarm may scale.
  p = BandAlarm("scale");
  p.alarm_actions = std::vector<std::string>{"arn:aws:sns:us-east-1:123456789012:ops",
                                             "arn:aws:lambda:us-east-1:123456789012:function:f",
                                             "arn:aws:automate:us-east-1:ec2:reboot"};
  PutAlarm(p);
  cw::PutMetricAlarmInput fixed;
  fixed.alarm_name = "static-scale";
  fixed.namespace_ = "bandns";
  fixed.metric_name = "cpu";
  fixed.statistic = "Average";
  fixed.period = 60;
  fixed.evaluation_periods = 1;
  fixed.threshold = 80;
  fixed.comparison_operator = "GreaterThanThreshold";
  fixed.alarm_actions = std::vector<std::string>{ec2_policy};
  PutAlarm(fixed);
  EXPECT_EQ(One("scale").alarm_actions->size(), 3u);
  const auto scaling = One("static-scale").alarm_actions;
  ASSERT_TRUE(scaling.has_value());
  EXPECT_EQ(*scaling, std::vector<std::string>{ec2_policy});
}

TEST_P(BandAlarmApiTest, DescribeEchoesThresholdMetricIdAndMetrics) {
  PutAlarm(BandAlarm("echo", "GreaterThanUpperThreshold"));
  auto a = One("echo");
  EXPECT_EQ(a.threshold_metric_id, "ad1");
  EXPECT_EQ(a.comparison_operator, "GreaterThanUpperThreshold");
  EXPECT_FALSE(a.threshold.has_value());
  EXPECT_FALSE(a.metric_name.has_value());
  ASSERT_TRUE(a.metrics);
  ASSERT_EQ(a.metrics->size(), 2u);
  EXPECT_EQ((*a.metrics)[1].id, "ad1");
  EXPECT_EQ((*a.metrics)[1].expression, "ANOMALY_DETECTION_BAND(m1, 2)");
  EXPECT_EQ((*a.metrics)[1].label, "cpu (expected)");
  EXPECT_EQ(a.state_value, "INSUFFICIENT_DATA");
}

TEST_P(BandAlarmApiTest, EvaluationShowsInDescribe) {
  PutHistory();
  PutAlarm(BandAlarm("eval"));
  PutOk(Put("bandns", {Datum("cpu", 250, kNow - 50)}));
  service_.EvaluateAll(Timestamp::FromSeconds(kNow));
  auto a = One("eval");
  EXPECT_EQ(a.state_value, "ALARM");
  ASSERT_TRUE(a.state_reason);
  EXPECT_TRUE(a.state_reason->starts_with(
      "Thresholds Crossed: 1 out of the last 1 datapoints [250.0 (27/11/26 11:59:00)] was less "
      "than the lower thresholds ["))
      << *a.state_reason;
  ASSERT_TRUE(a.state_reason_data);
  auto data = nlohmann::json::parse(*a.state_reason_data);
  EXPECT_EQ(data["recentDatapoints"], nlohmann::json::array({250.0}));
  EXPECT_EQ(data["recentLowerThresholds"].size(), 1u);
  EXPECT_EQ(data["recentUpperThresholds"].size(), 1u);
  EXPECT_LT(data["recentUpperThresholds"][0].get<double>(), 250.0);
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(BandAlarmApiTest);

}  // namespace
}  // namespace vigil::api::testing
