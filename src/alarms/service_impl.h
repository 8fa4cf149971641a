// AlarmService's private state, shared by service.cc (definitions, state, history, tags, mute
// rules) and service_eval.cc (the evaluation passes and composite propagation).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alarms/metric_source.h"
#include "vigil/alarms/composite_rule.h"
#include "vigil/alarms/mute_schedule.h"
#include "vigil/alarms/service.h"

namespace vigil::alarms {

using ScopeKey = std::pair<std::string, std::string>;  // (account, region)

struct Entry {
  Alarm alarm;
  std::shared_ptr<const CompiledAlarm> compiled;  // metric alarms
  std::optional<CompositeRule> rule;              // composite alarms
  uint64_t generation = 0;                        // bumped by every definition change
};

struct MuteEntry {
  MuteRule rule;
  std::optional<MuteSchedule> schedule;
};

// Composite actions held back by ActionsSuppressorWaitPeriod.
struct DeferredActions {
  std::string composite;
  uint64_t generation = 0;
  AlarmState state = AlarmState::kAlarm;
  Timestamp deadline;
  std::vector<ActionRequest> actions;
};

struct ScopeData {
  std::map<std::string, Entry, std::less<>> alarms;
  std::set<std::string, std::less<>> composites;
  std::vector<HistoryItem> history;  // oldest first
  std::map<std::string, MuteEntry, std::less<>> mutes;
  std::vector<DeferredActions> deferred;
};

// What a locked section produced: writes to persist and the actions whose outbox records Persist
// stages into the same batch.
struct Effects {
  WriteBatch batch;
  struct Action {
    ScopeKey scope;
    ActionRequest request;
    Timestamp at;  // when the action runs (its Action history item's time)
  };
  std::vector<Action> actions;
  int64_t transitions = 0;
};

class AlarmService::Impl {
 public:
  Impl(StateStore& s, storage::MetricStore& m, Notifier& n) : store(s), metrics(m), notifier(n) {}

  StateStore& store;
  storage::MetricStore& metrics;
  Notifier& notifier;

  mutable std::mutex mu;
  std::map<ScopeKey, ScopeData> scopes;
  uint64_t next_sequence = 1;
  uint64_t next_generation = 1;

  // Detector settings for band alarms (SetAnomalySettings, before the first pass).
  query::AnomalyBandLookup anomaly_settings;
  query::ExpressionBandLookup expression_anomaly_settings;  // SetExpressionAnomalySettings

  std::mutex run_mu;                 // serialises evaluation passes
  std::optional<int64_t> last_tick;  // seconds, a multiple of 10

  // --- helpers (mu held) ---
  void AddConfigurationHistory(const ScopeKey& k, ScopeData& sd, const Entry& e, bool created,
                               const std::string& original, Timestamp now, Effects& fx);
  ScopeData& Data(const ScopeKey& k) { return scopes[k]; }
  void PutAlarmRecord(const Entry& e, Effects& fx);
  void AddHistory(const ScopeKey& k, ScopeData& sd, HistoryItem item, Effects& fx);
  // Moves `e` to `state`: status, StateUpdate history, actions, composite parents.
  void Transition(const ScopeKey& k, ScopeData& sd, Entry& e, AlarmState state, std::string reason,
                  std::optional<std::string> reason_data, Timestamp now, Effects& fx,
                  std::set<std::string>& visited);
  // Re-evaluates the composites that reference `child` after it changed.
  void PropagateToParents(const ScopeKey& k, ScopeData& sd, const Entry& child, Timestamp now,
                          Effects& fx, std::set<std::string>& visited);
  // The composite's state from its children; transitions when it differs. `created` writes the
  // creation reason with every child.
  void EvaluateComposite(const ScopeKey& k, ScopeData& sd, Entry& composite, const Entry* trigger,
                         bool created, Timestamp now, Effects& fx, std::set<std::string>& visited);
  std::optional<std::string> MutedBy(const ScopeData& sd, std::string_view alarm,
                                     Timestamp now) const;
  // Stages fx's actions with the notifier (their outbox records and Action history items join
  // fx.batch), persists fx.batch, then tells the notifier whether the staged records are durable
  // (mu held, so writes reach the store in the order of the changes).
  Status Persist(Effects& fx);

  // --- without mu ---
  PassReport EvaluatePass(Timestamp tick, bool high_resolution_only);
  // Drops history items older than `cutoff` (memory and store).
  void PruneHistory(Timestamp cutoff);
  void ReleaseDeferred(Timestamp now);
};

std::string StateUpdateData(const AlarmStatus& old_status, const AlarmStatus& new_status);

}  // namespace vigil::alarms
