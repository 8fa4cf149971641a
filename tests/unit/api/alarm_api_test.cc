// The alarm operations through the real dispatch in all three protocols: the recorded shapes
// (aws-recorded-answers.md §2), DescribeAlarms filters and paging, validation errors, history,
// tags, composites, mute rules, and an evaluation seen through DescribeAlarms.
#include <nlohmann/json.hpp>

#include "unit/api/api_fixture.h"
#include "vigil/alarms/service.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kNow = kFixtureNow;  // 2026-11-27T12:00:00Z

cw::PutMetricAlarmInput Alarm(std::string name, std::string metric = "m", int period = 60) {
  cw::PutMetricAlarmInput in;
  in.alarm_name = std::move(name);
  in.namespace_ = "alarmns";
  in.metric_name = std::move(metric);
  in.statistic = "Sum";
  in.period = period;
  in.evaluation_periods = 1;
  in.threshold = 30;
  in.comparison_operator = "GreaterThanThreshold";
  return in;
}

class AlarmApiTest : public AlarmProtocolApiTest {
 protected:
  void PutAlarm(const cw::PutMetricAlarmInput& in) {
    auto e = Do("PutMetricAlarm", in);
    ASSERT_FALSE(e) << e->code << ": " << e->message;
  }
  cw::DescribeAlarmsOutput Describe(cw::DescribeAlarmsInput in = {}) {
    cw::DescribeAlarmsOutput out;
    auto e = Do("DescribeAlarms", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    EXPECT_TRUE(out.metric_alarms.has_value());
    EXPECT_TRUE(out.composite_alarms.has_value());
    return out;
  }
  cw::MetricAlarm One(std::string name) {
    cw::DescribeAlarmsInput in;
    in.alarm_names = std::vector<std::string>{std::move(name)};
    auto out = Describe(in);
    EXPECT_EQ(out.metric_alarms->size(), 1u);
    return out.metric_alarms->empty() ? cw::MetricAlarm{} : out.metric_alarms->front();
  }
  void ExpectPutError(const cw::PutMetricAlarmInput& in, std::string_view code,
                      std::string_view message = {}) {
    ExpectError(Do("PutMetricAlarm", in), 400, code, message);
  }
};

TEST_P(AlarmApiTest, MinimalAlarmShape) {
  auto in = Alarm("a-1:test");
  in.alarm_description = "a <description> & more";
  PutAlarm(in);
  auto a = One("a-1:test");
  EXPECT_EQ(a.alarm_arn, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a-1:test");
  EXPECT_EQ(a.alarm_description, "a <description> & more");
  EXPECT_EQ(a.actions_enabled, true);
  ASSERT_TRUE(a.alarm_actions && a.ok_actions && a.insufficient_data_actions && a.dimensions);
  EXPECT_TRUE(a.alarm_actions->empty());
  EXPECT_TRUE(a.dimensions->empty());
  EXPECT_EQ(a.state_value, "INSUFFICIENT_DATA");
  EXPECT_EQ(a.state_reason, "Unchecked: Initial alarm creation");
  EXPECT_EQ(a.state_updated_timestamp, Timestamp::FromSeconds(kNow));
  EXPECT_EQ(a.state_transitioned_timestamp, Timestamp::FromSeconds(kNow));
  EXPECT_EQ(a.alarm_configuration_updated_timestamp, Timestamp::FromSeconds(kNow));
  EXPECT_EQ(a.threshold, 30.0);
  EXPECT_EQ(a.statistic, "Sum");
  EXPECT_FALSE(a.extended_statistic || a.treat_missing_data || a.unit || a.datapoints_to_alarm ||
               a.state_reason_data || a.metrics);
}

TEST_P(AlarmApiTest, DescribePagesWithNextToken) {
  for (int i = 0; i < 5; ++i) PutAlarm(Alarm(Numbered("page-", i)));
  cw::DescribeAlarmsInput in;
  in.max_records = 2;
  std::vector<std::string> names;
  for (int page = 0; page < 5; ++page) {
    auto out = Describe(in);
    for (const auto& a : *out.metric_alarms) names.push_back(*a.alarm_name);
    if (!out.next_token) break;
    in.next_token = out.next_token;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"page-0", "page-1", "page-2", "page-3", "page-4"}));
  in.next_token = "garbage";
  cw::DescribeAlarmsOutput out;
  ExpectError(Do("DescribeAlarms", in, out), 400, "InvalidNextToken");
}

TEST_P(AlarmApiTest, DescribeFilters) {
  auto a = Alarm("web-1");
  a.alarm_actions = std::vector<std::string>{"arn:aws:sns:us-east-1:123456789012:web"};
  PutAlarm(a);
  PutAlarm(Alarm("web-2"));
  PutAlarm(Alarm("db-1"));
  cw::PutCompositeAlarmInput comp;
  comp.alarm_name = "web-all";
  comp.alarm_rule = "ALARM(web-1) OR ALARM(\"web-2\")";
  ASSERT_FALSE(Do("PutCompositeAlarm", comp));

  cw::DescribeAlarmsInput in;
  in.alarm_name_prefix = "web";
  auto out = Describe(in);
  EXPECT_EQ(out.metric_alarms->size(), 2u);
  EXPECT_TRUE(out.composite_alarms->empty()) << "composites only when AlarmTypes asks";
  in.alarm_types = std::vector<std::string>{"CompositeAlarm", "MetricAlarm"};
  out = Describe(in);
  ASSERT_EQ(out.composite_alarms->size(), 1u);
  EXPECT_EQ(out.composite_alarms->front().alarm_rule, comp.alarm_rule);
  EXPECT_EQ(out.composite_alarms->front().state_value, "OK");

  cw::DescribeAlarmsInput action;
  action.action_prefix = "arn:aws:sns:us-east-1:123456789012:w";
  out = Describe(action);
  ASSERT_EQ(out.metric_alarms->size(), 1u);
  EXPECT_EQ(out.metric_alarms->front().alarm_name, "web-1");

  cw::DescribeAlarmsInput children;
  children.children_of_alarm_name = "web-all";
  out = Describe(children);
  EXPECT_EQ(out.metric_alarms->size(), 2u);
  cw::DescribeAlarmsInput parents;
  parents.parents_of_alarm_name = "web-2";
  out = Describe(parents);
  ASSERT_EQ(out.composite_alarms->size(), 1u);
  EXPECT_EQ(out.composite_alarms->front().alarm_name, "web-all");

  cw::DescribeAlarmsInput state;
  state.state_value = "ALARM";
  EXPECT_TRUE(Describe(state).metric_alarms->empty());

  cw::DescribeAlarmsInput both;
  both.alarm_names = std::vector<std::string>{"web-1"};
  both.alarm_name_prefix = "w";
  cw::DescribeAlarmsOutput ignored;
  ExpectError(Do("DescribeAlarms", both, ignored), 400, "InvalidParameterCombination");
}

TEST_P(AlarmApiTest, ValidationErrors) {
  auto p = Alarm("v");
  p.period = 90;
  ExpectPutError(p, "InvalidParameterValue",
                 "The parameter Period must be 10, 20, 30 or a multiple of 60.");
  p = Alarm("v");
  p.evaluation_periods = 1441;
  ExpectPutError(p, "InvalidParameterValue",
                 "Metrics cannot be checked across more than a day (EvaluationPeriods * Period "
                 "must be <= 86400).");
  p = Alarm("v");
  p.datapoints_to_alarm = 2;
  ExpectPutError(p, "ValidationError",
                 "DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
  p = Alarm("v");
  p.extended_statistic = "p99";
  ExpectPutError(p, "InvalidParameterCombination");
  p = Alarm("v");
  p.statistic.reset();
  p.extended_statistic = "tm99";
  PutAlarm(p);
  p.extended_statistic = "TM(5%:95%)";
  ExpectPutError(p, "InvalidParameterValue");
  p = Alarm("v");
  p.alarm_actions = std::vector<std::string>(6, "arn:aws:sns:us-east-1:123456789012:t");
  auto e = Do("PutMetricAlarm", p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400);
}

TEST_P(AlarmApiTest, EvaluationShowsInDescribeAndHistory) {
  PutAlarm(Alarm("eval"));
  PutOk(Put("alarmns", {Datum("m", 31, kNow - 50)}));
  service_.EvaluateAll(Timestamp::FromSeconds(kNow));
  auto a = One("eval");
  EXPECT_EQ(a.state_value, "ALARM");
  EXPECT_EQ(a.state_reason,
            "Threshold Crossed: 1 datapoint [31.0 (27/11/26 11:59:00)] was greater than the "
            "threshold (30.0).");
  ASSERT_TRUE(a.state_reason_data);
  auto data = nlohmann::json::parse(*a.state_reason_data);
  EXPECT_EQ(data["statistic"], "Sum");
  EXPECT_FALSE(data.contains("unit"));

  cw::DescribeAlarmHistoryInput h;
  h.alarm_name = "eval";
  h.max_records = 1;
  h.scan_by = "TimestampAscending";
  cw::DescribeAlarmHistoryOutput out;
  ASSERT_FALSE(Do("DescribeAlarmHistory", h, out));
  ASSERT_EQ(out.alarm_history_items->size(), 1u);
  EXPECT_EQ(out.alarm_history_items->front().history_item_type, "ConfigurationUpdate");
  ASSERT_TRUE(out.next_token);
  h.next_token = out.next_token;
  cw::DescribeAlarmHistoryOutput second;
  ASSERT_FALSE(Do("DescribeAlarmHistory", h, second));
  ASSERT_EQ(second.alarm_history_items->size(), 1u);
  EXPECT_EQ(second.alarm_history_items->front().history_item_type, "StateUpdate");
  EXPECT_EQ(second.alarm_history_items->front().history_summary,
            "Alarm updated from INSUFFICIENT_DATA to ALARM");
}

TEST_P(AlarmApiTest, SetAlarmStateOnMissingAlarm) {
  cw::SetAlarmStateInput in;
  in.alarm_name = "nope";
  in.state_value = "OK";
  in.state_reason = "x";
  auto e = Do("SetAlarmState", in);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "ResourceNotFound");
  EXPECT_TRUE(e->message.empty());
  PutAlarm(Alarm("bad-json"));
  in.alarm_name = "bad-json";
  in.state_reason_data = "{not json";
  ExpectError(Do("SetAlarmState", in), 400, "InvalidFormat");
}

TEST_P(AlarmApiTest, TagsOnAlarmArns) {
  auto in = Alarm("tagged");
  in.tags = std::vector<cw::Tag>{{"a", "1"}};
  PutAlarm(in);
  const std::string arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:tagged";
  cw::TagResourceInput tag{arn, {{"b", "2"}}};
  cw::TagResourceOutput tag_out;
  ASSERT_FALSE(Do("TagResource", tag, tag_out));
  cw::UntagResourceInput untag{arn, {"a"}};
  cw::UntagResourceOutput untag_out;
  ASSERT_FALSE(Do("UntagResource", untag, untag_out));
  cw::ListTagsForResourceInput list{arn};
  cw::ListTagsForResourceOutput out;
  ASSERT_FALSE(Do("ListTagsForResource", list, out));
  ASSERT_TRUE(out.tags);
  ASSERT_EQ(out.tags->size(), 1u);
  EXPECT_EQ(out.tags->front().key, "b");
  cw::DeleteAlarmsInput del{{"tagged"}};
  ASSERT_FALSE(Do("DeleteAlarms", del));
  cw::ListTagsForResourceOutput after;
  ASSERT_FALSE(Do("ListTagsForResource", list, after));
  ASSERT_TRUE(after.tags);
  EXPECT_TRUE(after.tags->empty());
  ExpectError(Do("TagResource", tag, tag_out), 404, "ResourceNotFoundException");
}

TEST_P(AlarmApiTest, MuteRuleRoundTrip) {
  cw::PutAlarmMuteRuleInput in;
  in.name = "nightly";
  in.description = "quiet nights";
  in.rule.schedule.expression = "cron(0 22 * * *)";
  in.rule.schedule.duration = "PT8H";
  in.mute_targets = cw::MuteTargets{{"web-1"}};
  ASSERT_FALSE(Do("PutAlarmMuteRule", in));
  cw::GetAlarmMuteRuleInput get{"nightly"};
  cw::GetAlarmMuteRuleOutput out;
  auto e = Do("GetAlarmMuteRule", get, out);
  ASSERT_FALSE(e) << e->message;
  EXPECT_EQ(out.alarm_mute_rule_arn,
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:nightly");
  EXPECT_EQ(out.mute_type, "RECURRING");
  EXPECT_EQ(out.status, "SCHEDULED");  // 12:00 UTC is outside 22:00-06:00
  ASSERT_TRUE(out.rule);
  EXPECT_EQ(out.rule->schedule.duration, "PT8H");
  cw::ListAlarmMuteRulesInput list;
  list.alarm_name = "web-1";
  cw::ListAlarmMuteRulesOutput listed;
  ASSERT_FALSE(Do("ListAlarmMuteRules", list, listed));
  ASSERT_EQ(listed.alarm_mute_rule_summaries->size(), 1u);
  list.statuses = std::vector<std::string>{"ACTIVE"};
  cw::ListAlarmMuteRulesOutput active;
  ASSERT_FALSE(Do("ListAlarmMuteRules", list, active));
  ASSERT_TRUE(active.alarm_mute_rule_summaries);
  EXPECT_TRUE(active.alarm_mute_rule_summaries->empty());
  in.rule.schedule.duration = "forever";
  auto bad = Do("PutAlarmMuteRule", in);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  cw::DeleteAlarmMuteRuleInput del{"nightly"};
  ASSERT_FALSE(Do("DeleteAlarmMuteRule", del));
  ExpectError(Do("GetAlarmMuteRule", get, out), 404, "ResourceNotFoundException");
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(AlarmApiTest);

// /_vigil/clock and /_vigil/alarms/evaluate through Frontend::Handle.
class AdminClockTest : public ::testing::Test {
 protected:
  AdminClockTest()
      : metrics_(storage::NewMemoryMetricStore()),
        state_(alarms::NewMemoryStateStore()),
        service_(*state_, *metrics_, notifier_) {
    EXPECT_TRUE(service_.Load().ok());
    (void)service_.RunDue(clock_.Now());
  }
  std::unique_ptr<Frontend> Make(bool manual) {
    Services s;
    s.metrics = metrics_.get();
    s.clock = &clock_;
    s.alarms = &service_;
    s.manual_clock = manual ? &clock_ : nullptr;
    return std::make_unique<Frontend>(s);
  }
  static HttpResponse Post(Frontend& f, std::string path, std::string body) {
    HttpRequest r;
    r.method = "POST";
    r.target = std::move(path);
    r.body = std::move(body);
    return f.Handle(r);
  }
  void Alarm(std::string name) {
    alarms::AlarmConfig c;
    c.name = std::move(name);
    c.namespace_ = "ns";
    c.metric_name = "m";
    c.statistic = "Sum";
    c.period = 60;
    c.threshold = 1;
    c.comparison_operator = "GreaterThanThreshold";
    ASSERT_TRUE(service_.PutMetricAlarm({"123456789012", "us-east-1"}, c, {}, clock_.Now()).ok());
  }
  ManualClock clock_{Timestamp::FromSeconds(kNow)};
  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<alarms::StateStore> state_;
  alarms::LoggingNotifier notifier_;
  alarms::AlarmService service_;
};

TEST_F(AdminClockTest, AdvanceRunsDueEvaluationsBeforeAnswering) {
  auto f = Make(true);
  Alarm("a");
  auto r = Post(*f, "/_vigil/clock", R"({"advance": 120})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["now"], kNow + 120);
  EXPECT_EQ(j["ticks"], 12);
  EXPECT_EQ(j["evaluations"], 2);
  EXPECT_EQ(clock_.Now(), Timestamp::FromSeconds(kNow + 120));
  r = Post(*f, "/_vigil/clock", R"({"now": 1795780000})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(clock_.Now(), Timestamp::FromSeconds(1795780000));
  EXPECT_EQ(Post(*f, "/_vigil/clock", R"({"advance": -1})").status, 400);
  EXPECT_EQ(Post(*f, "/_vigil/clock", R"({"now": 1, "advance": 1})").status, 400);
  EXPECT_EQ(Post(*f, "/_vigil/clock", "not json").status, 400);
}

TEST_F(AdminClockTest, SystemClockRefusesToMoveButEvaluatesOnDemand) {
  auto f = Make(false);
  Alarm("a");
  EXPECT_EQ(Post(*f, "/_vigil/clock", R"({"advance": 60})").status, 409);
  EXPECT_EQ(clock_.Now(), Timestamp::FromSeconds(kNow));
  auto r = Post(*f, "/_vigil/alarms/evaluate", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["evaluations"], 1);
  EXPECT_EQ(nlohmann::json::parse(r.body)["transitions"], 0);  // no data, stays INSUFFICIENT_DATA
}

}  // namespace
}  // namespace vigil::api::testing
