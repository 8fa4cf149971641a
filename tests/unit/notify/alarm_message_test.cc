// The alarm notification Message and Subject, byte for byte against what AWS sent
// (aws-recorded-answers.md §6; the math-alarm Trigger of aws/aws-lambda-go's
// cloudwatch-alarm-sns-payload-multiple-metrics.json). Expected texts are written by hand.
#include "vigil/notify/alarm_message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vigil/notify/regions.h"

namespace vigil::notify {
namespace {

using alarms::AlarmState;

constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:ops";

alarms::Alarm RecordedAlarm() {
  alarms::Alarm a;
  a.account = "123456789012";
  a.region = "us-east-1";
  a.arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm";
  a.config_updated = Timestamp::FromMillis(1795782600123);  // 2026-11-27T12:30:00.123Z
  alarms::AlarmConfig& c = a.config;
  c.name = "my-alarm";
  c.description = "testing cloudwatch alarms";
  c.ok_actions = {kTopic};
  c.alarm_actions = {kTopic};
  c.namespace_ = "tests";
  c.metric_name = "my-metric1";
  c.dimensions = {{"InstanceId", "abc"}};
  c.statistic = "Average";
  c.period = 10;
  c.unit = "Seconds";
  c.evaluation_periods = 1;
  c.threshold = 21.0;
  c.comparison_operator = "GreaterThanThreshold";
  c.treat_missing_data = "ignore";
  return a;
}

AlarmTransition ToAlarm() {
  AlarmTransition t;
  t.old_state = AlarmState::kInsufficientData;
  t.new_state = AlarmState::kAlarm;
  t.reason =
      "Threshold Crossed: 1 datapoint [21.5 (27/11/26 12:35:00)] was greater than the threshold "
      "(21.0).";
  t.state_change_time = Timestamp::FromMillis(1795782970456);  // 2026-11-27T12:36:10.456Z
  return t;
}

TEST(AlarmMessageTest, MatchesRecordedMessageByteForByte) {
  const std::string expected =
      R"x({"AlarmName":"my-alarm","AlarmDescription":"testing cloudwatch alarms",)x"
      R"x("AWSAccountId":"123456789012",)x"
      R"x("AlarmConfigurationUpdatedTimestamp":"2026-11-27T12:30:00.123+0000",)x"
      R"x("NewStateValue":"ALARM",)x"
      R"x("NewStateReason":"Threshold Crossed: 1 datapoint [21.5 (27/11/26 12:35:00)] was greater )x"
      R"x(than the threshold (21.0).",)x"
      R"x("StateChangeTime":"2026-11-27T12:36:10.456+0000","Region":"US East (N. Virginia)",)x"
      R"x("AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm",)x"
      R"x("OldStateValue":"INSUFFICIENT_DATA",)x"
      R"x("OKActions":["arn:aws:sns:us-east-1:123456789012:ops"],)x"
      R"x("AlarmActions":["arn:aws:sns:us-east-1:123456789012:ops"],)x"
      R"x("InsufficientDataActions":[],"ActionExecutedAfterMuteWindow":false,)x"
      R"x("Trigger":{"MetricName":"my-metric1","Namespace":"tests","StatisticType":"Statistic",)x"
      R"x("Statistic":"AVERAGE","Unit":"Seconds","Dimensions":[{"value":"abc","name":"InstanceId"}],)x"
      R"x("Period":10,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold",)x"
      R"x("Threshold":21.0,"TreatMissingData":"ignore","EvaluateLowSampleCountPercentile":""}})x";
  EXPECT_EQ(AlarmMessageJson(RecordedAlarm(), ToAlarm()), expected);
}

TEST(AlarmMessageTest, KeyOrderIsTheRecordedOrder) {
  auto doc = nlohmann::ordered_json::parse(AlarmMessageJson(RecordedAlarm(), ToAlarm()));
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"AlarmName", "AlarmDescription", "AWSAccountId",
                                            "AlarmConfigurationUpdatedTimestamp", "NewStateValue",
                                            "NewStateReason", "StateChangeTime", "Region",
                                            "AlarmArn", "OldStateValue", "OKActions",
                                            "AlarmActions", "InsufficientDataActions",
                                            "ActionExecutedAfterMuteWindow", "Trigger"}));
}

TEST(AlarmMessageTest, OlderFormWithoutMuteWindowFlag) {
  AlarmMessageOptions o;
  o.include_action_executed_after_mute_window = false;
  std::string m = AlarmMessageJson(RecordedAlarm(), ToAlarm(), o);
  EXPECT_EQ(m.find("ActionExecutedAfterMuteWindow"), std::string::npos);
  EXPECT_NE(m.find(R"x("InsufficientDataActions":[],"Trigger":{)x"), std::string::npos);
}

TEST(AlarmMessageTest, NoUnitNoDescriptionAreNullAndDefaultsAreSpelledOut) {
  alarms::Alarm a = RecordedAlarm();
  a.config.unit.reset();
  a.config.description.reset();
  a.config.treat_missing_data.reset();
  a.config.datapoints_to_alarm = 2;
  a.config.evaluation_periods = 3;
  std::string m = AlarmMessageJson(a, ToAlarm());
  EXPECT_NE(m.find(R"x("AlarmDescription":null,)x"), std::string::npos) << m;
  EXPECT_NE(m.find(R"x("Unit":null,"Dimensions":)x"), std::string::npos) << m;
  EXPECT_NE(m.find(R"x("EvaluationPeriods":3,"DatapointsToAlarm":2,"ComparisonOperator")x"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(R"x("TreatMissingData":"missing","EvaluateLowSampleCountPercentile":"")x"),
            std::string::npos)
      << m;
}

TEST(AlarmMessageTest, ExtendedStatisticForm) {
  alarms::Alarm a = RecordedAlarm();
  a.config.statistic.reset();
  a.config.extended_statistic = "p99";
  a.config.evaluate_low_sample_count_percentile = "ignore";
  a.config.threshold = 1.0e7;
  std::string m = AlarmMessageJson(a, ToAlarm());
  EXPECT_NE(m.find(R"x("StatisticType":"ExtendedStatistic","ExtendedStatistic":"p99","Unit":)x"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(R"x("Threshold":1.0E7,"TreatMissingData":"ignore",)x"
                   R"x("EvaluateLowSampleCountPercentile":"ignore"})x"),
            std::string::npos)
      << m;
}

TEST(AlarmMessageTest, MathAlarmTriggerCarriesMetrics) {
  alarms::Alarm a = RecordedAlarm();
  alarms::AlarmConfig& c = a.config;
  c.namespace_.reset();
  c.metric_name.reset();
  c.statistic.reset();
  c.unit.reset();
  c.period.reset();
  c.dimensions.clear();
  c.threshold = 0.0;
  c.treat_missing_data = "missing";
  alarms::MetricQuerySpec e1;
  e1.id = "e1";
  e1.expression = "m1*1";
  e1.label = "Expression1";
  e1.return_data = true;
  alarms::MetricQuerySpec m1;
  m1.id = "m1";
  m1.metric_stat = alarms::MetricStatSpec{"AWS/EC2", "NetworkOut", {{"InstanceId", "TestInstance"}},
                                          60,        "Average",    std::nullopt};
  m1.return_data = false;
  c.metrics = {e1, m1};
  std::string m = AlarmMessageJson(a, ToAlarm());
  const std::string trigger =
      R"x("Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold",)x"
      R"x("Threshold":0.0,"TreatMissingData":"missing","EvaluateLowSampleCountPercentile":"",)x"
      R"x("Metrics":[{"Expression":"m1*1","Id":"e1","Label":"Expression1","ReturnData":true},)x"
      R"x({"Id":"m1","MetricStat":{"Metric":{"Dimensions":[{"value":"TestInstance",)x"
      R"x("name":"InstanceId"}],"MetricName":"NetworkOut","Namespace":"AWS/EC2"},"Period":60,)x"
      R"x("Stat":"Average"},"ReturnData":false}]}})x";
  ASSERT_GE(m.size(), trigger.size());
  EXPECT_EQ(m.substr(m.size() - trigger.size()), trigger);
}

TEST(AlarmMessageTest, AnomalyBandAlarmNamesItsThresholdMetric) {
  alarms::Alarm a = RecordedAlarm();
  a.config.threshold.reset();
  a.config.threshold_metric_id = "ad1";
  std::string m = AlarmMessageJson(a, ToAlarm());
  EXPECT_NE(m.find(R"x("ThresholdMetricId":"ad1","TreatMissingData")x"), std::string::npos) << m;
  EXPECT_EQ(m.find("\"Threshold\":"), std::string::npos) << m;
}

TEST(AlarmMessageTest, CompositeAlarmCarriesRuleAndTriggeringChildren) {
  alarms::Alarm a;
  a.account = "123456789012";
  a.region = "eu-west-1";
  a.arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:parent";
  a.config_updated = Timestamp::FromMillis(1795782600123);
  a.config.kind = alarms::AlarmKind::kComposite;
  a.config.name = "parent";
  a.config.alarm_rule = "ALARM(\"child\")";
  a.config.alarm_actions = {kTopic};
  AlarmTransition t = ToAlarm();
  t.old_state = AlarmState::kOk;
  t.reason = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:child transitioned to ALARM";
  t.reason_data =
      R"x({"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:child",)x"
      R"x("state":{"value":"ALARM","timestamp":"2026-11-27T12:36:00.000+0000"}}]})x";
  const std::string expected =
      R"x({"AlarmName":"parent","AlarmDescription":null,"AWSAccountId":"123456789012",)x"
      R"x("AlarmConfigurationUpdatedTimestamp":"2026-11-27T12:30:00.123+0000",)x"
      R"x("NewStateValue":"ALARM",)x"
      R"x("NewStateReason":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:child transitioned )x"
      R"x(to ALARM","StateChangeTime":"2026-11-27T12:36:10.456+0000","Region":"EU (Ireland)",)x"
      R"x("AlarmArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:parent",)x"
      R"x("OldStateValue":"OK","OKActions":[],)x"
      R"x("AlarmActions":["arn:aws:sns:us-east-1:123456789012:ops"],)x"
      R"x("InsufficientDataActions":[],"ActionExecutedAfterMuteWindow":false,)x"
      R"x("AlarmRule":"ALARM(\"child\")",)x"
      R"x("TriggeringChildren":[{"Arn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:child",)x"
      R"x("State":{"Value":"ALARM","Timestamp":"2026-11-27T12:36:00.000+0000"}}]})x";
  EXPECT_EQ(AlarmMessageJson(a, t), expected);
  t.reason_data = "not json";
  EXPECT_NE(AlarmMessageJson(a, t).find(R"x("TriggeringChildren":[]})x"), std::string::npos);
}

TEST(AlarmMessageTest, StringsAreEscapedTheJacksonWay) {
  alarms::Alarm a = RecordedAlarm();
  a.config.description = "line1\nline2 \"q\" back\\slash tab\t ctl\x01 url/path caf\xC3\xA9";
  std::string m = AlarmMessageJson(a, ToAlarm());
  EXPECT_NE(m.find(R"x("AlarmDescription":"line1\nline2 \"q\" back\\slash tab\t ctl\u0001 )x"
                   "url/path caf\xC3\xA9\""),
            std::string::npos)
      << m;
  EXPECT_TRUE(nlohmann::json::accept(m));
}

TEST(AlarmMessageTest, TransitionFromActionRequest) {
  alarms::ActionRequest r;
  r.old_state = AlarmState::kAlarm;
  r.new_state = AlarmState::kOk;
  r.reason = "why";
  r.reason_data = "{}";
  r.state_change_time = Timestamp::FromMillis(42);
  AlarmTransition t = AlarmTransition::From(r);
  EXPECT_EQ(t.old_state, AlarmState::kAlarm);
  EXPECT_EQ(t.new_state, AlarmState::kOk);
  EXPECT_EQ(t.reason, "why");
  EXPECT_EQ(t.reason_data, "{}");
  EXPECT_EQ(t.state_change_time.millis, 42);
}

TEST(AlarmMessageTest, StatisticsAreUpperSnakeCase) {
  EXPECT_EQ(UpperSnakeStatistic("Average"), "AVERAGE");
  EXPECT_EQ(UpperSnakeStatistic("SampleCount"), "SAMPLE_COUNT");
  EXPECT_EQ(UpperSnakeStatistic("Sum"), "SUM");
  EXPECT_EQ(UpperSnakeStatistic("Minimum"), "MINIMUM");
  EXPECT_EQ(UpperSnakeStatistic("Maximum"), "MAXIMUM");
}

TEST(AlarmSubjectTest, StateNameAndRegionLongName) {
  EXPECT_EQ(AlarmSubject("my-alarm", AlarmState::kAlarm, "us-east-1"),
            "ALARM: \"my-alarm\" in US East (N. Virginia)");
  EXPECT_EQ(AlarmSubject("cpu", AlarmState::kOk, "eu-west-1"), "OK: \"cpu\" in EU (Ireland)");
  EXPECT_EQ(AlarmSubject("cpu", AlarmState::kInsufficientData, "ap-southeast-2"),
            "INSUFFICIENT_DATA: \"cpu\" in Asia Pacific (Sydney)");
  EXPECT_EQ(AlarmSubject("cpu", AlarmState::kAlarm, "local-1"), "ALARM: \"cpu\" in local-1");
}

TEST(AlarmSubjectTest, LongNamesAreCutToOneHundredCharacters) {
  // Exactly 100 characters: kept whole.
  const std::string tail = "\" in US East (N. Virginia)";  // 26
  const std::string head = "ALARM: \"";                    // 8
  std::string fits(100 - head.size() - tail.size(), 'a');
  EXPECT_EQ(AlarmSubject(fits, AlarmState::kAlarm, "us-east-1"), head + fits + tail);
  EXPECT_EQ((head + fits + tail).size(), 100u);
  // One more: the name is cut and ends in "...", the whole is 100 characters.
  std::string longer = fits + "b";
  std::string s = AlarmSubject(longer, AlarmState::kAlarm, "us-east-1");
  EXPECT_EQ(s, head + std::string(fits.size() - 3, 'a') + "..." + tail);
  EXPECT_EQ(s.size(), kMaxSubjectLength);
  // A 255-character name.
  std::string huge(255, 'x');
  s = AlarmSubject(huge, AlarmState::kInsufficientData, "ap-southeast-1");
  EXPECT_EQ(s.size(), kMaxSubjectLength);
  EXPECT_EQ(s.substr(s.size() - 32), "...\" in Asia Pacific (Singapore)");
}

TEST(AlarmSubjectTest, CutNeverSplitsUtf8) {
  std::string name;
  for (int i = 0; i < 60; ++i) name += "\xC3\xA9";  // é, 2 bytes
  std::string s = AlarmSubject(name, AlarmState::kAlarm, "us-east-1");
  EXPECT_LE(s.size(), kMaxSubjectLength);
  size_t dots = s.find("...");
  ASSERT_NE(dots, std::string::npos);
  // Everything between the opening quote and the dots is whole two-byte characters.
  EXPECT_EQ((dots - 8) % 2, 0u);
}

TEST(RegionsTest, CommercialRegionsHaveLongNames) {
  EXPECT_EQ(RegionLongName("us-east-1"), "US East (N. Virginia)");
  EXPECT_EQ(RegionLongName("us-west-2"), "US West (Oregon)");
  EXPECT_EQ(RegionLongName("eu-central-1"), "EU (Frankfurt)");
  EXPECT_EQ(RegionLongName("sa-east-1"), "South America (Sao Paulo)");
  EXPECT_EQ(RegionLongName("ap-northeast-1"), "Asia Pacific (Tokyo)");
  EXPECT_EQ(RegionLongName("me-central-1"), "Middle East (UAE)");
  EXPECT_EQ(RegionLongName("nowhere-1"), std::nullopt);
  EXPECT_EQ(RegionDisplayName("nowhere-1"), "nowhere-1");
}

}  // namespace
}  // namespace vigil::notify
