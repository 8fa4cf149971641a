// AlarmService: transitions, composite propagation, actions and the evaluation passes.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "alarms/codec.h"
#include "alarms/service_impl.h"
#include "vigil/common/logging.h"

namespace vigil::alarms {
namespace {

constexpr int64_t kTickSeconds = 10;
// A clock jump longer than this runs only the ticks of its last day (docs/alarms.md).
constexpr int64_t kMaxCatchUpSeconds = 86400;
// CloudWatch keeps alarm history for 30 days; pruned at every whole hour.
constexpr int64_t kHistoryRetentionSeconds = 30 * 86400;

nlohmann::ordered_json StateObject(const AlarmStatus& s) {
  nlohmann::ordered_json j;
  j["stateValue"] = std::string(StateName(s.value));
  j["stateReason"] = s.reason;
  if (s.reason_data) {
    auto parsed = nlohmann::ordered_json::parse(*s.reason_data, nullptr, false);
    if (!parsed.is_discarded()) j["stateReasonData"] = std::move(parsed);
  }
  return j;
}

const std::vector<std::string>& ActionsFor(const AlarmConfig& c, AlarmState s) {
  switch (s) {
    case AlarmState::kOk:
      return c.ok_actions;
    case AlarmState::kAlarm:
      return c.alarm_actions;
    case AlarmState::kInsufficientData:
      break;
  }
  return c.insufficient_data_actions;
}

std::string StripArn(const ScopeKey& k, const std::string& name_or_arn) {
  std::string prefix = AlarmArn(RuleScope{k.second, k.first}, "");
  return name_or_arn.starts_with(prefix) ? name_or_arn.substr(prefix.size()) : name_or_arn;
}

}  // namespace

std::string StateUpdateData(const AlarmStatus& old_status, const AlarmStatus& new_status) {
  nlohmann::ordered_json j;
  j["version"] = "1.0";
  j["oldState"] = StateObject(old_status);
  j["newState"] = StateObject(new_status);
  return j.dump();
}

void AlarmService::Impl::PutAlarmRecord(const Entry& e, Effects& fx) {
  fx.batch.puts.emplace_back(codec::AlarmKey(e.alarm.account, e.alarm.region, e.alarm.config.name),
                             codec::EncodeAlarm(e.alarm));
}

void AlarmService::Impl::AddHistory(const ScopeKey& k, ScopeData& sd, HistoryItem item,
                                    Effects& fx) {
  item.sequence = next_sequence++;
  fx.batch.puts.emplace_back(codec::HistoryKey(k.first, k.second, item.timestamp, item.sequence),
                             codec::EncodeHistory(item));
  sd.history.push_back(std::move(item));
}

Status AlarmService::Impl::Persist(Effects& fx) {
  bool staged = !fx.actions.empty();
  for (auto& a : fx.actions) {
    ScopeData& sd = Data(a.scope);
    auto it = sd.alarms.find(a.request.alarm_name);
    Status s = it == sd.alarms.end()
                   ? MakeError(ErrorCode::kResourceNotFound, "The alarm no longer exists.")
                   : notifier.Stage(a.request, it->second.alarm, fx.batch);
    HistoryItem h;
    h.alarm_name = a.request.alarm_name;
    h.kind = a.request.kind;
    h.timestamp = a.at;
    h.type = HistoryType::kAction;
    nlohmann::ordered_json d;
    if (s.ok()) {
      h.summary = "Successfully executed action " + a.request.action_arn;
      d["actionState"] = "Succeeded";
    } else {
      h.summary = "Failed to execute action " + a.request.action_arn + ". Received error: \"" +
                  s.error().message + "\"";
      d["actionState"] = "Failed";
      d["error"] = s.error().message;
    }
    d["stateUpdateTimestamp"] = a.request.state_change_time.millis;
    d["notificationResource"] = a.request.action_arn;
    h.data = d.dump();
    AddHistory(a.scope, sd, std::move(h), fx);
  }
  fx.actions.clear();
  if (fx.batch.empty()) return OkStatus();
  Status s = store.Write(fx.batch);
  fx.batch = WriteBatch();
  if (staged) notifier.Committed(s.ok());
  if (!s.ok()) Logger("alarms")->error("persisting alarm state failed: {}", s.error().message);
  return s;
}

std::optional<std::string> AlarmService::Impl::MutedBy(const ScopeData& sd, std::string_view alarm,
                                                       Timestamp now) const {
  for (const auto& [name, m] : sd.mutes) {
    if (m.schedule && MuteTargetsInclude(m.rule.alarm_names, alarm) && m.schedule->IsMuted(now)) {
      return name;
    }
  }
  return std::nullopt;
}

void AlarmService::Impl::Transition(const ScopeKey& k, ScopeData& sd, Entry& e, AlarmState state,
                                    std::string reason, std::optional<std::string> reason_data,
                                    Timestamp now, Effects& fx, std::set<std::string>& visited) {
  AlarmStatus old = e.alarm.status;
  if (old.value == AlarmState::kAlarm && state != AlarmState::kAlarm) e.alarm.left_alarm_at = now;
  e.alarm.status = AlarmStatus{state, std::move(reason), std::move(reason_data), now, now};
  ++fx.transitions;

  HistoryItem h;
  h.alarm_name = e.alarm.config.name;
  h.kind = e.alarm.config.kind;
  h.timestamp = now;
  h.type = HistoryType::kStateUpdate;
  h.summary = "Alarm updated from ";
  h.summary += StateName(old.value);
  h.summary += " to ";
  h.summary += StateName(state);
  h.data = StateUpdateData(old, e.alarm.status);
  AddHistory(k, sd, std::move(h), fx);

  // Actions: the new state's list, when enabled, not muted and (composites) not suppressed.
  const AlarmConfig& cfg = e.alarm.config;
  const auto& list = ActionsFor(cfg, state);
  std::vector<ActionRequest> requests;
  if (cfg.actions_enabled && !list.empty()) {
    for (const auto& arn : list) {
      ActionRequest r;
      r.account = k.first;
      r.region = k.second;
      r.action_arn = arn;
      r.alarm_name = cfg.name;
      r.alarm_arn = e.alarm.arn;
      r.kind = cfg.kind;
      r.old_state = old.value;
      r.new_state = state;
      r.reason = e.alarm.status.reason;
      r.reason_data = e.alarm.status.reason_data;
      r.state_change_time = now;
      requests.push_back(std::move(r));
    }
  }
  bool suppressed = false;
  if (cfg.kind == AlarmKind::kComposite) {
    e.alarm.actions_suppressed_by.reset();
    e.alarm.actions_suppressed_reason.reset();
    e.alarm.suppression_until.reset();
    if (cfg.actions_suppressor) {
      std::string sup_name = StripArn(k, *cfg.actions_suppressor);
      auto s = sd.alarms.find(sup_name);
      if (s != sd.alarms.end()) {
        const Entry& sup = s->second;
        int64_t extension = cfg.actions_suppressor_extension_period.value_or(60);
        int64_t wait = cfg.actions_suppressor_wait_period.value_or(60);
        if (sup.alarm.status.value == AlarmState::kAlarm) {
          suppressed = true;
          e.alarm.actions_suppressed_by = "Alarm";
          e.alarm.actions_suppressed_reason = "Alarm " + sup_name + " is in ALARM state";
        } else if (sup.alarm.left_alarm_at && now.millis < sup.alarm.left_alarm_at->millis + extension * 1000) {
          suppressed = true;
          e.alarm.actions_suppressed_by = "ExtensionPeriod";
          e.alarm.actions_suppressed_reason =
              "Actions are suppressed by ExtensionPeriod after " + sup_name + " left ALARM";
          e.alarm.suppression_until = Timestamp{sup.alarm.left_alarm_at->millis + extension * 1000};
        } else if (wait > 0 && !requests.empty()) {
          suppressed = true;
          e.alarm.actions_suppressed_by = "WaitPeriod";
          e.alarm.actions_suppressed_reason =
              "Actions are held for the WaitPeriod while waiting for " + sup_name;
          e.alarm.suppression_until = Timestamp{now.millis + wait * 1000};
          std::erase_if(sd.deferred,
                        [&](const DeferredActions& d) { return d.composite == cfg.name; });
          fx.batch.puts.emplace_back(
              codec::HeldKey(k.first, k.second, cfg.name),
              codec::EncodeHeld(codec::HeldActions{cfg.name, state, *e.alarm.suppression_until,
                                                   e.alarm.config_updated, requests}));
          sd.deferred.push_back(DeferredActions{cfg.name, e.generation, state,
                                                *e.alarm.suppression_until, std::move(requests)});
          requests.clear();
        }
      }
    }
  }
  PutAlarmRecord(e, fx);
  if (!suppressed && !requests.empty()) {
    if (auto rule = MutedBy(sd, cfg.name, now)) {
      for (const auto& r : requests) {
        HistoryItem a;
        a.alarm_name = cfg.name;
        a.kind = cfg.kind;
        a.timestamp = now;
        a.type = HistoryType::kAction;
        a.summary =
            "Action " + r.action_arn + " was not executed: the alarm is muted by rule " + *rule;
        nlohmann::ordered_json d;
        d["actionState"] = "Muted";
        d["stateUpdateTimestamp"] = now.millis;
        d["notificationResource"] = r.action_arn;
        d["muteRule"] = *rule;
        a.data = d.dump();
        AddHistory(k, sd, std::move(a), fx);
      }
    } else {
      for (auto& r : requests) fx.actions.push_back(Effects::Action{k, std::move(r), now});
    }
  }
  // A suppressor entering ALARM cancels the actions its composites hold for the WaitPeriod.
  if (state == AlarmState::kAlarm) {
    std::erase_if(sd.deferred, [&](const DeferredActions& d) {
      auto c = sd.alarms.find(d.composite);
      bool cancel = c != sd.alarms.end() && c->second.alarm.config.actions_suppressor &&
                    StripArn(k, *c->second.alarm.config.actions_suppressor) == cfg.name;
      if (cancel) fx.batch.deletes.push_back(codec::HeldKey(k.first, k.second, d.composite));
      return cancel;
    });
  }
  PropagateToParents(k, sd, e, now, fx, visited);
}

void AlarmService::Impl::PropagateToParents(const ScopeKey& k, ScopeData& sd, const Entry& child,
                                            Timestamp now, Effects& fx,
                                            std::set<std::string>& visited) {
  if (sd.composites.empty()) return;
  visited.insert(child.alarm.config.name);
  std::vector<std::string> parents;
  for (const auto& name : sd.composites) {
    const Entry& c = sd.alarms.find(name)->second;
    if (c.rule && std::find(c.rule->children.begin(), c.rule->children.end(),
                            child.alarm.config.name) != c.rule->children.end()) {
      parents.push_back(name);
    }
  }
  for (const auto& name : parents) {
    if (visited.contains(name)) {
      Logger("alarms")->warn("composite {} is in a cycle with {}: evaluation stops there", name,
                             child.alarm.config.name);
      continue;
    }
    auto it = sd.alarms.find(name);
    if (it == sd.alarms.end()) continue;
    EvaluateComposite(k, sd, it->second, &child, false, now, fx, visited);
  }
}

void AlarmService::Impl::EvaluateComposite(const ScopeKey& k, ScopeData& sd, Entry& composite,
                                           const Entry* trigger, bool created, Timestamp now,
                                           Effects& fx, std::set<std::string>& visited) {
  if (!composite.rule) return;
  auto lookup = [&](std::string_view name) -> std::optional<AlarmState> {
    auto it = sd.alarms.find(name);
    if (it == sd.alarms.end()) return std::nullopt;
    return it->second.alarm.status.value;
  };
  AlarmState next = CompositeStateFor(EvaluateRule(*composite.rule, lookup));
  if (next == composite.alarm.status.value) return;
  RuleScope rs{k.second, k.first};
  std::vector<TriggeringAlarm> triggering;
  std::string reason;
  if (created || trigger == nullptr) {
    for (const auto& child : composite.rule->children) {
      auto it = sd.alarms.find(child);
      if (it == sd.alarms.end()) continue;
      triggering.push_back(
          TriggeringAlarm{child, it->second.alarm.status.value, it->second.alarm.status.updated});
    }
    reason = CompositeCreatedReason(rs, composite.alarm.config.name, next);
    if (!created) {
      // An update that changes the rule's value: the same text, "updated" for "created".
      auto pos = reason.find(" was created ");
      if (pos != std::string::npos) reason.replace(pos, 13, " was updated ");
    }
  } else {
    TriggeringAlarm t{trigger->alarm.config.name, trigger->alarm.status.value,
                      trigger->alarm.status.updated};
    reason = CompositeTransitionReason(rs, t);
    triggering.push_back(std::move(t));
  }
  Transition(k, sd, composite, next, std::move(reason), CompositeReasonData(rs, triggering), now,
             fx, visited);
}

void AlarmService::Impl::ReleaseDeferred(Timestamp now) {
  Effects fx;
  {
    std::lock_guard lock(mu);
    for (auto& [k, sd] : scopes) {
      for (auto it = sd.deferred.begin(); it != sd.deferred.end();) {
        if (it->deadline > now) {
          ++it;
          continue;
        }
        auto c = sd.alarms.find(it->composite);
        if (c != sd.alarms.end() && c->second.generation == it->generation &&
            c->second.alarm.status.value == it->state) {
          for (auto& r : it->actions) fx.actions.push_back(Effects::Action{k, std::move(r), now});
          c->second.alarm.actions_suppressed_by.reset();
          c->second.alarm.actions_suppressed_reason.reset();
          c->second.alarm.suppression_until.reset();
          PutAlarmRecord(c->second, fx);
        }
        fx.batch.deletes.push_back(codec::HeldKey(k.first, k.second, it->composite));
        it = sd.deferred.erase(it);
      }
    }
    (void)Persist(fx);
  }
}

PassReport AlarmService::Impl::EvaluatePass(Timestamp tick, bool high_resolution_only) {
  struct Job {
    ScopeData* scope;
    const ScopeKey* key;
    std::string name;
    uint64_t generation;
    std::shared_ptr<const CompiledAlarm> compiled;
    AlarmState current;
  };
  struct Outcome {
    size_t job;
    AlarmState state;
    std::string reason;
    std::string data;
  };
  PassReport report;
  report.ticks = 1;
  std::vector<Job> jobs;
  {
    std::lock_guard lock(mu);
    for (auto& [k, sd] : scopes) {
      for (auto& [name, e] : sd.alarms) {
        if (!e.compiled) continue;
        if (high_resolution_only && e.compiled->period >= 60) continue;
        jobs.push_back(Job{&sd, &k, name, e.generation, e.compiled, e.alarm.status.value});
      }
    }
  }
  std::vector<Outcome> outcomes;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& j = jobs[i];
    auto range =
        FetchRange(metrics, *j.compiled, tick, anomaly_settings, expression_anomaly_settings);
    ++report.evaluations;
    if (!range.ok()) {
      ++report.errors;
      Logger("alarms")->debug("alarm {}: evaluation failed: {}", j.name, range.error().message);
      continue;
    }
    Evaluation e = Evaluate(j.compiled->rule, *range, j.current);
    if (e.state == j.current) continue;
    outcomes.push_back(Outcome{i, e.state, ReasonText(j.compiled->rule, e, *range),
                               MetricReasonData(*j.compiled, e, *range, tick)});
  }
  if (outcomes.empty()) return report;
  Effects fx;
  {
    std::lock_guard lock(mu);
    for (auto& o : outcomes) {
      const Job& j = jobs[o.job];
      auto it = j.scope->alarms.find(j.name);
      if (it == j.scope->alarms.end()) continue;
      Entry& e = it->second;
      // Changed meanwhile (updated, or forced by SetAlarmState): the next tick decides.
      if (e.generation != j.generation || e.alarm.status.value != j.current) continue;
      std::set<std::string> visited;
      Transition(*j.key, *j.scope, e, o.state, std::move(o.reason), std::move(o.data), tick, fx,
                 visited);
    }
    (void)Persist(fx);
  }
  report.transitions = fx.transitions;
  return report;
}

void AlarmService::Impl::PruneHistory(Timestamp cutoff) {
  std::lock_guard lock(mu);
  Effects fx;
  for (auto& [k, sd] : scopes) {
    size_t before = sd.history.size();
    std::erase_if(sd.history, [&](const HistoryItem& h) { return h.timestamp < cutoff; });
    if (sd.history.size() == before) continue;
    fx.batch.delete_ranges.emplace_back(codec::HistoryKey(k.first, k.second, Timestamp{0}, 0),
                                        codec::HistoryKey(k.first, k.second, cutoff, 0));
  }
  (void)Persist(fx);
}

PassReport AlarmService::RunDue(Timestamp now) {
  std::lock_guard run(impl_->run_mu);
  PassReport total;
  const int64_t now_tick =
      now.seconds() - ((now.seconds() % kTickSeconds) + kTickSeconds) % kTickSeconds;
  if (!impl_->last_tick || now_tick < *impl_->last_tick) {
    impl_->last_tick = now_tick;
    return total;
  }
  int64_t from = *impl_->last_tick + kTickSeconds;
  if (now_tick - from > kMaxCatchUpSeconds) {
    from = now_tick - kMaxCatchUpSeconds;
    from -= ((from % kTickSeconds) + kTickSeconds) % kTickSeconds;
  }
  for (int64_t t = from; t <= now_tick; t += kTickSeconds) {
    Timestamp tick = Timestamp::FromSeconds(t);
    impl_->ReleaseDeferred(tick);
    if (t % 3600 == 0) impl_->PruneHistory(Timestamp::FromSeconds(t - kHistoryRetentionSeconds));
    PassReport r = impl_->EvaluatePass(tick, t % 60 != 0);
    total.ticks += 1;
    total.evaluations += r.evaluations;
    total.transitions += r.transitions;
    total.errors += r.errors;
  }
  impl_->last_tick = now_tick;
  return total;
}

PassReport AlarmService::EvaluateAll(Timestamp now) {
  std::lock_guard run(impl_->run_mu);
  impl_->ReleaseDeferred(now);
  return impl_->EvaluatePass(now, false);
}

}  // namespace vigil::alarms
