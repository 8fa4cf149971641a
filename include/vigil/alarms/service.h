// AlarmService: the alarm engine. It owns every alarm of every (account, region) in memory,
// persists them through a StateStore, evaluates them on the injected clock's schedule through the
// same query path GetMetricData uses, records history and hands actions to a Notifier.
//
// Evaluation schedule (docs/alarms.md): time is cut into 10-second ticks. At every tick that is a
// whole minute every alarm is evaluated; at every other tick only the high-resolution alarms
// (Period 10, 20 or 30). RunDue(now) runs, in order, every tick after the last one run up to
// `now`, so a manual clock that jumps 5 minutes runs 5 minute-evaluations before it returns. An
// evaluation at tick T looks at the EvaluationRangeLength(N) periods ending at T (for sub-minute
// periods, at T rounded down to the period).
//
// State machine: a metric alarm moves to what the pure evaluation function (evaluation.h) says;
// a transition writes the new state and one StateUpdate history item atomically, then submits one
// ActionRequest per action of the new state's list (ActionsEnabled and not muted) and records one
// Action history item each. A composite alarm is re-evaluated whenever one of its children
// changes state; evaluation stops along a cycle.
//
// Thread safety: every public method may be called from any thread. Alarm definitions are
// guarded by one mutex; evaluation reads a snapshot of the definitions, queries the metric store
// without the lock and applies transitions under it (an alarm updated meanwhile is skipped).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/alarms/alarm.h"
#include "vigil/alarms/notifier.h"
#include "vigil/alarms/state_store.h"
#include "vigil/common/result.h"
#include "vigil/query/metric_data.h"
#include "vigil/storage/metric_store.h"

namespace vigil::alarms {

struct Scope {
  std::string account;
  std::string region;
};

// Evaluation pass counters (for /_vigil/alarms/evaluate, logs and the benchmark).
struct PassReport {
  int64_t ticks = 0;
  int64_t evaluations = 0;
  int64_t transitions = 0;
  int64_t errors = 0;
};

class AlarmService {
 public:
  AlarmService(StateStore& store, storage::MetricStore& metrics, Notifier& notifier);
  ~AlarmService();
  AlarmService(const AlarmService&) = delete;
  AlarmService& operator=(const AlarmService&) = delete;

  // Reads every alarm, history item and mute rule from the store. Call once before use.
  Status Load();
  // The anomaly detector settings (ExcludedTimeRanges, MetricTimezone) band alarms train their
  // ANOMALY_DETECTION_BAND with, as GetMetricData does. Call before the first RunDue; without
  // it band alarms use the defaults.
  void SetAnomalySettings(query::AnomalyBandLookup lookup);
  // The same for bands over an Expression (MetricMathAnomalyDetector settings).
  void SetExpressionAnomalySettings(query::ExpressionBandLookup lookup);
  // Wipes every alarm, history item and mute rule (POST /_vigil/reset).
  Status Reset();

  // --- definitions -------------------------------------------------------------------------
  // Creates or updates. A new alarm starts in INSUFFICIENT_DATA ("Unchecked: Initial alarm
  // creation"); an update keeps the state. `tags` are applied on creation only (as AWS does).
  // The caller validated the definition (api/operations/put_metric_alarm.cc).
  Status PutMetricAlarm(const Scope& scope, AlarmConfig config,
                        const std::map<std::string, std::string>& tags, Timestamp now);
  // Validates the rule (grammar, children exist, no cycle), creates or updates, and evaluates the
  // composite at once.
  Status PutCompositeAlarm(const Scope& scope, AlarmConfig config,
                           const std::map<std::string, std::string>& tags, Timestamp now);
  // Deletes the named alarms that exist (unknown names are ignored, as AWS does); refuses to
  // delete an alarm a composite depends on.
  Status DeleteAlarms(const Scope& scope, const std::vector<std::string>& names, Timestamp now);
  // Every alarm of the scope, sorted by name.
  std::vector<Alarm> ListAlarms(const Scope& scope) const;
  std::optional<Alarm> GetAlarm(const Scope& scope, std::string_view name) const;

  // --- state -------------------------------------------------------------------------------
  // ResourceNotFound for an unknown alarm. Changes the state (and fires actions) only when it
  // really changes; the reason is taken verbatim and no StateReasonData is added unless given.
  Status SetAlarmState(const Scope& scope, std::string_view name, AlarmState state,
                       const std::string& reason, const std::optional<std::string>& reason_data,
                       Timestamp now);
  // Flips ActionsEnabled on the named alarms that exist.
  Status SetActionsEnabled(const Scope& scope, const std::vector<std::string>& names, bool enabled,
                           Timestamp now);

  // --- history -----------------------------------------------------------------------------
  // Every history item of the scope, oldest first.
  std::vector<HistoryItem> History(const Scope& scope) const;

  // --- tags (alarm ARNs) --------------------------------------------------------------------
  // nullopt: no such alarm (ListTagsForResource answers an empty list for it).
  std::optional<std::map<std::string, std::string>> Tags(const Scope& scope,
                                                         std::string_view name) const;
  Status TagAlarm(const Scope& scope, std::string_view name,
                  const std::map<std::string, std::string>& tags);
  Status UntagAlarm(const Scope& scope, std::string_view name,
                    const std::vector<std::string>& keys);

  // --- mute rules --------------------------------------------------------------------------
  Status PutMuteRule(MuteRule rule);
  std::optional<MuteRule> GetMuteRule(const Scope& scope, std::string_view name) const;
  std::vector<MuteRule> ListMuteRules(const Scope& scope) const;
  // Deleting a rule that does not exist succeeds (the operation models no error).
  Status DeleteMuteRule(const Scope& scope, std::string_view name);

  // --- evaluation --------------------------------------------------------------------------
  // Runs every due tick up to `now` (see the schedule above). Serialised: concurrent callers
  // wait, and the later one finds less to do.
  PassReport RunDue(Timestamp now);
  // Evaluates every alarm once, as at `now`, whatever the schedule.
  PassReport EvaluateAll(Timestamp now);

  size_t AlarmCount() const;

  // The store the service persists to. Other records live beside the alarms' under their own
  // tag (anomaly detectors: "anom", api/operations/anomaly_detectors.cc); Reset wipes them too.
  StateStore& state_store();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::alarms
