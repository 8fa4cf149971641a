// AlarmService over the memory stores: the evaluation schedule (minute and 10-second ticks,
// catch-up, backward jumps), the state machine (initial state, transitions, reasons, history,
// actions once per ARN, disabled actions, SetAlarmState and the return to the evaluated state),
// persistence and resume without re-firing, composites (creation reason, propagation, cycles,
// deletion of referenced alarms, ActionsSuppressor) and mute rules. Time is passed in (a
// ManualClock drives the ticks); nothing sleeps.
#include "vigil/alarms/service.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "vigil/common/clock.h"

namespace vigil::alarms {
namespace {

constexpr int64_t kT0 = 1'795'780'800;  // 2026-11-27T12:00:00Z, a minute boundary
const Scope kScope{"123456789012", "us-east-1"};
constexpr const char* kTopic = "arn:aws:sns:us-east-1:123456789012:t";

class RecordingNotifier final : public Notifier {
 public:
  Status Stage(const ActionRequest& r, const Alarm& alarm, WriteBatch& batch) override {
    std::lock_guard lock(mu);
    EXPECT_EQ(alarm.config.name, r.alarm_name);
    EXPECT_EQ(alarm.status.value, r.new_state);
    batch.puts.emplace_back(std::string("outbox-test/") + std::to_string(requests.size()), r.action_arn);
    requests.push_back(r);
    return OkStatus();
  }
  void Committed(bool durable) override {
    std::lock_guard lock(mu);
    if (durable) committed = requests.size();
  }
  std::mutex mu;
  std::vector<ActionRequest> requests;
  size_t committed = 0;  // requests whose staged records were written
};

AlarmConfig MetricAlarm(std::string name, std::string metric = "m", int period = 60, int n = 1) {
  AlarmConfig c;
  c.name = std::move(name);
  c.namespace_ = "ns";
  c.metric_name = std::move(metric);
  c.statistic = "Maximum";
  c.period = period;
  c.evaluation_periods = n;
  c.threshold = 1.0;
  c.comparison_operator = "GreaterThanThreshold";
  return c;
}

AlarmConfig Composite(std::string name, std::string rule) {
  AlarmConfig c;
  c.kind = AlarmKind::kComposite;
  c.name = std::move(name);
  c.alarm_rule = std::move(rule);
  return c;
}

class AlarmServiceTest : public ::testing::Test {
 protected:
  AlarmServiceTest()
      : metrics_(storage::NewMemoryMetricStore()),
        state_(NewMemoryStateStore()),
        clock_(Timestamp::FromSeconds(kT0)) {
    Restart();
  }

  void Restart() {
    service_ = std::make_unique<AlarmService>(*state_, *metrics_, notifier_);
    ASSERT_TRUE(service_->Load().ok());
    (void)service_->RunDue(clock_.Now());  // the schedule starts now
  }

  void Put(std::string metric, double value, int64_t t, bool high_res = false) {
    storage::Datum d;
    d.series = {kScope.account, kScope.region, "ns", std::move(metric), {}};
    d.high_resolution = high_res;
    d.timestamp = Timestamp::FromSeconds(t);
    d.stats.Add(value, 1);
    ASSERT_TRUE(metrics_->Write({d}).ok());
  }

  PassReport Advance(int64_t seconds) {
    clock_.Advance(seconds * 1000);
    return service_->RunDue(clock_.Now());
  }

  Timestamp Now() const { return clock_.Now(); }

  void Create(AlarmConfig c) {
    auto s = service_->PutMetricAlarm(kScope, std::move(c), {}, Now());
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  Alarm Get(std::string_view name) {
    auto a = service_->GetAlarm(kScope, name);
    EXPECT_TRUE(a.has_value()) << name;
    return a.value_or(Alarm{});
  }

  std::vector<HistoryItem> HistoryOf(std::string_view name, HistoryType type) {
    std::vector<HistoryItem> out;
    for (auto& h : service_->History(kScope)) {
      if (h.alarm_name == name && h.type == type) out.push_back(h);
    }
    return out;
  }

  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<StateStore> state_;
  RecordingNotifier notifier_;
  ManualClock clock_;
  std::unique_ptr<AlarmService> service_;
};

TEST_F(AlarmServiceTest, NewAlarmStartsInsufficientDataUnchecked) {
  Create(MetricAlarm("a"));
  Alarm a = Get("a");
  EXPECT_EQ(a.status.value, AlarmState::kInsufficientData);
  EXPECT_EQ(a.status.reason, "Unchecked: Initial alarm creation");
  EXPECT_EQ(a.status.updated, Now());
  EXPECT_EQ(a.arn, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a");
  auto created = HistoryOf("a", HistoryType::kConfigurationUpdate);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].summary, "Alarm \"a\" created");
}

TEST_F(AlarmServiceTest, MinuteAlarmsRunOnMinuteTicksOnly) {
  Create(MetricAlarm("minute"));
  PassReport r = Advance(50);  // ticks :10 .. :50
  EXPECT_EQ(r.ticks, 5);
  EXPECT_EQ(r.evaluations, 0);
  r = Advance(10);  // the minute tick
  EXPECT_EQ(r.ticks, 1);
  EXPECT_EQ(r.evaluations, 1);
  r = Advance(5 * 60);
  EXPECT_EQ(r.ticks, 30);
  EXPECT_EQ(r.evaluations, 5);
}

TEST_F(AlarmServiceTest, HighResolutionAlarmsRunEveryTenSeconds) {
  Create(MetricAlarm("fast", "m", 10));
  Create(MetricAlarm("slow", "m", 60));
  PassReport r = Advance(60);
  EXPECT_EQ(r.ticks, 6);
  EXPECT_EQ(r.evaluations, 6 + 1);
}

TEST_F(AlarmServiceTest, BackwardJumpRunsNothingAndRestartsTheSchedule) {
  Create(MetricAlarm("a"));
  clock_.Set(Timestamp::FromSeconds(kT0 - 3600));
  EXPECT_EQ(service_->RunDue(Now()).ticks, 0);
  EXPECT_EQ(Advance(60).evaluations, 1);
}

TEST_F(AlarmServiceTest, LongJumpsCatchUpAtMostOneDay) {
  Create(MetricAlarm("a"));
  PassReport r = Advance(3 * 86400);
  EXPECT_EQ(r.evaluations, 1441);  // the last day's minute ticks, both ends included
}

TEST_F(AlarmServiceTest, TransitionWritesReasonHistoryAndOneActionPerArn) {
  AlarmConfig c = MetricAlarm("a");
  c.alarm_actions = {kTopic, std::string(kTopic) + "2"};
  c.ok_actions = {kTopic};
  Create(c);
  Put("m", 21.5, kT0 + 5);
  Advance(60);
  Alarm a = Get("a");
  EXPECT_EQ(a.status.value, AlarmState::kAlarm);
  EXPECT_EQ(a.status.reason,
            "Threshold Crossed: 1 datapoint [21.5 (27/11/26 12:00:00)] was greater than the "
            "threshold (1.0).");
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_EQ(data["queryDate"], "2026-11-27T12:01:00.000+0000");
  EXPECT_EQ(data["startDate"], "2026-11-27T12:00:00.000+0000");
  EXPECT_EQ(data["evaluatedDatapoints"][0]["value"], 21.5);
  EXPECT_EQ(a.status.transitioned, Timestamp::FromSeconds(kT0 + 60));
  ASSERT_EQ(notifier_.requests.size(), 2u);
  EXPECT_EQ(notifier_.requests[0].action_arn, kTopic);
  EXPECT_EQ(notifier_.requests[0].old_state, AlarmState::kInsufficientData);
  EXPECT_EQ(notifier_.requests[0].new_state, AlarmState::kAlarm);
  EXPECT_EQ(HistoryOf("a", HistoryType::kStateUpdate).size(), 1u);
  EXPECT_EQ(HistoryOf("a", HistoryType::kAction).size(), 2u);
  // The staged outbox records were written with the transition, and the notifier was told.
  EXPECT_EQ(notifier_.committed, 2u);
  std::vector<std::string> staged;
  ASSERT_TRUE(state_->Scan("outbox-test/", [&](std::string_view, std::string_view v) {
                      staged.emplace_back(v);
                      return true;
                    }).ok());
  EXPECT_EQ(staged, (std::vector<std::string>{kTopic, std::string(kTopic) + "2"}));
  // Same evaluation again: no transition, nothing more sent.
  Advance(60);
  EXPECT_EQ(notifier_.requests.size(), 2u);
  EXPECT_EQ(HistoryOf("a", HistoryType::kStateUpdate).size(), 1u);
}

TEST_F(AlarmServiceTest, DataOlderThanTheAlarmCounts) {
  Put("m", 5, kT0 - 30);
  Create(MetricAlarm("a"));
  Advance(60);  // range [11:57, 12:01): the 11:59 point is in it
  EXPECT_EQ(Get("a").status.value, AlarmState::kAlarm);
}

TEST_F(AlarmServiceTest, DisabledActionsChangeStateButSendNothing) {
  AlarmConfig c = MetricAlarm("a");
  c.alarm_actions = {kTopic};
  c.actions_enabled = false;
  Create(c);
  Put("m", 5, kT0 + 1);
  Advance(60);
  EXPECT_EQ(Get("a").status.value, AlarmState::kAlarm);
  EXPECT_TRUE(notifier_.requests.empty());
  EXPECT_TRUE(HistoryOf("a", HistoryType::kAction).empty());
}

TEST_F(AlarmServiceTest, SetAlarmStateFiresOnlyOnRealChangeAndEvaluationTakesOver) {
  AlarmConfig c = MetricAlarm("a");
  c.alarm_actions = {kTopic};
  Create(c);
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "a", AlarmState::kAlarm, "testing", std::nullopt, Now())
          .ok());
  EXPECT_EQ(notifier_.requests.size(), 1u);
  EXPECT_EQ(Get("a").status.reason, "testing");
  EXPECT_FALSE(Get("a").status.reason_data.has_value());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "a", AlarmState::kAlarm, "again", std::nullopt, Now()).ok());
  EXPECT_EQ(notifier_.requests.size(), 1u);
  Put("m", 0, kT0 + 1);
  Advance(60);
  EXPECT_EQ(Get("a").status.value, AlarmState::kOk);
  auto missing = service_->SetAlarmState(kScope, "nope", AlarmState::kOk, "x", std::nullopt, Now());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kResourceNotFound);
  EXPECT_FALSE(missing.error().has_message);
}

TEST_F(AlarmServiceTest, UpdateKeepsState) {
  Create(MetricAlarm("a"));
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "a", AlarmState::kOk, "forced", std::nullopt, Now()).ok());
  AlarmConfig c = MetricAlarm("a");
  c.threshold = 9;
  Create(c);
  EXPECT_EQ(Get("a").status.value, AlarmState::kOk);
  EXPECT_EQ(Get("a").config.threshold, 9.0);
  EXPECT_EQ(HistoryOf("a", HistoryType::kConfigurationUpdate).back().summary,
            "Alarm \"a\" updated");
}

TEST_F(AlarmServiceTest, RestartResumesWithoutRefiring) {
  AlarmConfig c = MetricAlarm("a");
  c.alarm_actions = {kTopic};
  Create(c);
  Put("m", 5, kT0 + 1);
  Advance(60);
  ASSERT_EQ(notifier_.requests.size(), 1u);
  Alarm before = Get("a");
  size_t history = service_->History(kScope).size();
  Restart();
  Alarm after = Get("a");
  EXPECT_EQ(after.status.value, before.status.value);
  EXPECT_EQ(after.status.reason, before.status.reason);
  EXPECT_EQ(after.status.reason_data, before.status.reason_data);
  EXPECT_EQ(after.status.updated, before.status.updated);
  EXPECT_EQ(service_->History(kScope).size(), history);
  Advance(60);
  EXPECT_EQ(notifier_.requests.size(), 1u);
  EXPECT_EQ(service_->History(kScope).size(), history);
}

TEST_F(AlarmServiceTest, DeleteRemovesAlarmKeepsHistoryAndPersists) {
  Create(MetricAlarm("a"));
  ASSERT_TRUE(service_->DeleteAlarms(kScope, {"a", "unknown"}, Now()).ok());
  EXPECT_FALSE(service_->GetAlarm(kScope, "a"));
  EXPECT_EQ(HistoryOf("a", HistoryType::kConfigurationUpdate).back().summary,
            "Alarm \"a\" deleted");
  Restart();
  EXPECT_FALSE(service_->GetAlarm(kScope, "a"));
  EXPECT_EQ(service_->AlarmCount(), 0u);
}

TEST_F(AlarmServiceTest, CompositeCreationReasonAndPropagation) {
  Create(MetricAlarm("c1", "m1"));
  Create(MetricAlarm("c2", "m2"));
  AlarmConfig comp = Composite("comp", "ALARM(c1) OR ALARM(c2)");
  comp.alarm_actions = {kTopic};
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, comp, {}, Now()).ok());
  Alarm c = Get("comp");
  EXPECT_EQ(c.status.value, AlarmState::kOk);
  EXPECT_EQ(c.status.reason,
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:comp was created and its alarm rule "
            "evaluates to OK");
  auto data = nlohmann::json::parse(*c.status.reason_data);
  ASSERT_EQ(data["triggeringAlarms"].size(), 2u);
  EXPECT_EQ(data["triggeringAlarms"][0]["state"]["value"], "INSUFFICIENT_DATA");

  Put("m1", 5, kT0 + 1);
  Advance(60);
  c = Get("comp");
  EXPECT_EQ(c.status.value, AlarmState::kAlarm);
  data = nlohmann::json::parse(*c.status.reason_data);
  ASSERT_EQ(data["triggeringAlarms"].size(), 1u);
  EXPECT_EQ(data["triggeringAlarms"][0]["arn"],
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:c1");
  ASSERT_EQ(notifier_.requests.size(), 1u);
  EXPECT_EQ(notifier_.requests[0].kind, AlarmKind::kComposite);

  // c2 -> ALARM leaves the composite in ALARM: the reason is not rewritten.
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "c2", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  data = nlohmann::json::parse(*Get("comp").status.reason_data);
  EXPECT_EQ(data["triggeringAlarms"][0]["arn"],
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:c1");
  EXPECT_EQ(HistoryOf("comp", HistoryType::kStateUpdate).size(), 2u);
}

TEST_F(AlarmServiceTest, CompositeRulesMustNameExistingAlarmsAndMayCloseCycles) {
  Create(MetricAlarm("c1"));
  auto missing =
      service_->PutCompositeAlarm(kScope, Composite("x", "ALARM(c1) AND OK(nope)"), {}, Now());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kValidationError);
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, Composite("x", "ALARM(c1)"), {}, Now()).ok());
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, Composite("y", "ALARM(x)"), {}, Now()).ok());
  auto referenced = service_->DeleteAlarms(kScope, {"c1"}, Now());
  ASSERT_FALSE(referenced.ok());
  EXPECT_EQ(referenced.error().code, ErrorCode::kValidationError);
  // A rule that closes a cycle is accepted, as AWS does; a change that reaches the cycle stops
  // there instead of looping (x = ALARM(c1) OR ALARM(y), y = ALARM(x)).
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, Composite("x", "ALARM(c1) OR ALARM(y)"), {},
                                          Now())
                  .ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "c1", AlarmState::kAlarm, "r", std::nullopt, Now()).ok());
  EXPECT_EQ(Get("x").status.value, AlarmState::kAlarm);
  EXPECT_EQ(Get("y").status.value, AlarmState::kAlarm);
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "c1", AlarmState::kOk, "r", std::nullopt, Now()).ok());
  // x stays in ALARM: y (in ALARM) holds it, and the cycle is not re-entered.
  EXPECT_EQ(Get("x").status.value, AlarmState::kAlarm);
  // Deleting the parents with the child is fine.
  EXPECT_TRUE(service_->DeleteAlarms(kScope, {"y", "x", "c1"}, Now()).ok());
}

TEST_F(AlarmServiceTest, ActionsSuppressorInAlarmSuppressesCompositeActions) {
  Create(MetricAlarm("child", "m1"));
  Create(MetricAlarm("maintenance", "m2"));
  AlarmConfig comp = Composite("comp", "ALARM(child)");
  comp.alarm_actions = {kTopic};
  comp.actions_suppressor = "maintenance";
  comp.actions_suppressor_wait_period = 120;
  comp.actions_suppressor_extension_period = 60;
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, comp, {}, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "maintenance", AlarmState::kAlarm, "x", std::nullopt, Now())
          .ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  Alarm c = Get("comp");
  EXPECT_EQ(c.status.value, AlarmState::kAlarm);
  EXPECT_EQ(c.actions_suppressed_by, "Alarm");
  EXPECT_TRUE(notifier_.requests.empty());
}

TEST_F(AlarmServiceTest, ActionsSuppressorWaitPeriodHoldsThenReleasesActions) {
  Create(MetricAlarm("child", "m1"));
  Create(MetricAlarm("maintenance", "m2"));
  AlarmConfig comp = Composite("comp", "ALARM(child)");
  comp.alarm_actions = {kTopic};
  comp.actions_suppressor = "maintenance";
  comp.actions_suppressor_wait_period = 30;
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, comp, {}, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  EXPECT_EQ(Get("comp").actions_suppressed_by, "WaitPeriod");
  EXPECT_TRUE(notifier_.requests.empty());
  Advance(20);
  EXPECT_TRUE(notifier_.requests.empty());
  Advance(10);
  ASSERT_EQ(notifier_.requests.size(), 1u);
  EXPECT_FALSE(Get("comp").actions_suppressed_by.has_value());
}

TEST_F(AlarmServiceTest, ActionsSuppressorExtensionPeriodAfterSuppressorLeavesAlarm) {
  Create(MetricAlarm("child", "m1"));
  Create(MetricAlarm("maintenance", "m2"));
  AlarmConfig comp = Composite("comp", "ALARM(child)");
  comp.alarm_actions = {kTopic};
  comp.actions_suppressor = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:maintenance";
  comp.actions_suppressor_wait_period = 0;
  comp.actions_suppressor_extension_period = 120;
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, comp, {}, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "maintenance", AlarmState::kAlarm, "x", std::nullopt, Now())
          .ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "maintenance", AlarmState::kOk, "x", std::nullopt, Now())
          .ok());
  clock_.Advance(60'000);
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  EXPECT_EQ(Get("comp").actions_suppressed_by, "ExtensionPeriod");
  EXPECT_TRUE(notifier_.requests.empty());
  // Past the extension, with no wait period: the next transition's actions go out at once.
  clock_.Advance(120'000);
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kOk, "x", std::nullopt, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "y", std::nullopt, Now()).ok());
  EXPECT_EQ(notifier_.requests.size(), 1u);
  EXPECT_FALSE(Get("comp").actions_suppressed_by.has_value());
}

TEST_F(AlarmServiceTest, HeldActionsAndExtensionPeriodSurviveRestart) {
  Create(MetricAlarm("child", "m1"));
  Create(MetricAlarm("maintenance", "m2"));
  AlarmConfig comp = Composite("comp", "ALARM(child)");
  comp.alarm_actions = {kTopic};
  comp.actions_suppressor = "maintenance";
  comp.actions_suppressor_wait_period = 30;
  comp.actions_suppressor_extension_period = 120;
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, comp, {}, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  EXPECT_EQ(Get("comp").actions_suppressed_by, "WaitPeriod");
  // The process restarts inside the wait period: the held action is still released on time.
  Restart();
  Advance(20);
  EXPECT_TRUE(notifier_.requests.empty());
  Advance(10);
  ASSERT_EQ(notifier_.requests.size(), 1u);
  EXPECT_EQ(notifier_.requests[0].new_state, AlarmState::kAlarm);
  EXPECT_EQ(notifier_.requests[0].alarm_name, "comp");
  // Released once: another restart does not send it again.
  Restart();
  Advance(60);
  EXPECT_EQ(notifier_.requests.size(), 1u);

  // The suppressor leaves ALARM, the process restarts, and the extension period still holds.
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "maintenance", AlarmState::kAlarm, "x", std::nullopt, Now())
          .ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "maintenance", AlarmState::kOk, "x", std::nullopt, Now())
          .ok());
  Restart();
  // (The evaluations above put the data-less child, and so comp, back out of ALARM.)
  ASSERT_NE(Get("comp").status.value, AlarmState::kAlarm);
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  EXPECT_EQ(Get("comp").actions_suppressed_by, "ExtensionPeriod");
  EXPECT_EQ(notifier_.requests.size(), 1u);
}

TEST_F(AlarmServiceTest, HeldActionsAreCancelledDurablyWhenTheSuppressorAlarms) {
  Create(MetricAlarm("child", "m1"));
  Create(MetricAlarm("maintenance", "m2"));
  AlarmConfig comp = Composite("comp", "ALARM(child)");
  comp.alarm_actions = {kTopic};
  comp.actions_suppressor = "maintenance";
  comp.actions_suppressor_wait_period = 30;
  ASSERT_TRUE(service_->PutCompositeAlarm(kScope, comp, {}, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "child", AlarmState::kAlarm, "x", std::nullopt, Now()).ok());
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "maintenance", AlarmState::kAlarm, "x", std::nullopt, Now())
          .ok());
  Restart();
  Advance(60);
  EXPECT_TRUE(notifier_.requests.empty());
}

TEST_F(AlarmServiceTest, MuteRuleHoldsActionsInsideItsWindow) {
  AlarmConfig c = MetricAlarm("a");
  c.alarm_actions = {kTopic};
  Create(c);
  MuteRule rule;
  rule.account = kScope.account;
  rule.region = kScope.region;
  rule.name = "quiet";
  rule.arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:quiet";
  rule.expression = "at(2026-11-27T12:00)";
  rule.duration = "PT1H";
  rule.alarm_names = {"a"};
  rule.last_updated = Now();
  ASSERT_TRUE(service_->PutMuteRule(rule).ok());
  Put("m", 5, kT0 + 1);
  Advance(60);
  EXPECT_EQ(Get("a").status.value, AlarmState::kAlarm);
  EXPECT_TRUE(notifier_.requests.empty());
  auto muted = HistoryOf("a", HistoryType::kAction);
  ASSERT_EQ(muted.size(), 1u);
  EXPECT_NE(muted[0].summary.find("muted by rule quiet"), std::string::npos);
  // After the window, a new transition fires.
  clock_.Set(Timestamp::FromSeconds(kT0 + 3600 + 50));
  ASSERT_TRUE(service_->SetAlarmState(kScope, "a", AlarmState::kOk, "x", std::nullopt, Now()).ok());
  EXPECT_TRUE(notifier_.requests.empty());  // no OK actions configured
  ASSERT_TRUE(
      service_->SetAlarmState(kScope, "a", AlarmState::kAlarm, "y", std::nullopt, Now()).ok());
  EXPECT_EQ(notifier_.requests.size(), 1u);
  ASSERT_TRUE(service_->DeleteMuteRule(kScope, "quiet").ok());
  EXPECT_FALSE(service_->GetMuteRule(kScope, "quiet"));
}

TEST_F(AlarmServiceTest, TagsAddRemoveAndPersist) {
  ASSERT_TRUE(service_->PutMetricAlarm(kScope, MetricAlarm("a"), {{"k1", "v1"}}, Now()).ok());
  ASSERT_TRUE(service_->TagAlarm(kScope, "a", {{"k2", "v2"}}).ok());
  ASSERT_TRUE(service_->UntagAlarm(kScope, "a", {"k1"}).ok());
  Restart();
  auto tags = service_->Tags(kScope, "a");
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (std::map<std::string, std::string>{{"k2", "v2"}}));
  EXPECT_FALSE(service_->Tags(kScope, "gone"));
}

TEST_F(AlarmServiceTest, HistoryIsKeptThirtyDays) {
  Create(MetricAlarm("a"));
  ASSERT_EQ(service_->History(kScope).size(), 1u);
  Advance(29 * 86400);
  ASSERT_TRUE(service_->SetAlarmState(kScope, "a", AlarmState::kOk, "x", std::nullopt, Now()).ok());
  Advance(86400 + 3600);  // past 30 days for the creation item only
  auto history = service_->History(kScope);
  ASSERT_FALSE(history.empty());
  for (const auto& h : history) EXPECT_NE(h.type, HistoryType::kConfigurationUpdate);
  Restart();
  for (const auto& h : service_->History(kScope)) {
    EXPECT_NE(h.type, HistoryType::kConfigurationUpdate) << "pruned items stay pruned on disk";
  }
}

TEST_F(AlarmServiceTest, ScopesAreIsolated) {
  Create(MetricAlarm("a"));
  EXPECT_TRUE(service_->ListAlarms(Scope{"111111111111", "us-east-1"}).empty());
  EXPECT_TRUE(service_->ListAlarms(Scope{kScope.account, "eu-west-1"}).empty());
  EXPECT_EQ(service_->ListAlarms(kScope).size(), 1u);
}

TEST_F(AlarmServiceTest, MathAlarmEvaluatesTheReturnDataExpression) {
  AlarmConfig c;
  c.name = "math";
  c.evaluation_periods = 1;
  c.threshold = 10;
  c.comparison_operator = "GreaterThanThreshold";
  MetricQuerySpec m1;
  m1.id = "m1";
  m1.metric_stat = MetricStatSpec{"ns", "m", {}, 60, "Sum", std::nullopt};
  m1.return_data = false;
  MetricQuerySpec e1;
  e1.id = "e1";
  e1.expression = "m1 * 2";
  c.metrics = {m1, e1};
  Create(c);
  Put("m", 6, kT0 + 1);  // 6 * 2 = 12 > 10; m alone (6) would not breach
  Advance(60);
  Alarm a = Get("math");
  EXPECT_EQ(a.status.value, AlarmState::kAlarm) << a.status.reason;
  EXPECT_EQ(a.status.reason,
            "Threshold Crossed: 1 datapoint [12.0 (27/11/26 12:00:00)] was greater than the "
            "threshold (10.0).");
  auto data = nlohmann::json::parse(*a.status.reason_data);
  EXPECT_FALSE(data.contains("statistic"));
  EXPECT_EQ(data["evaluatedDatapoints"][0]["value"], 12.0);
}

}  // namespace
}  // namespace vigil::alarms
