// AlarmService: definitions, forced states, history, tags and mute rules. The evaluation passes
// and composite propagation are in service_eval.cc.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "alarms/codec.h"
#include "alarms/service_impl.h"
#include "vigil/common/logging.h"

namespace vigil::alarms {
namespace {

constexpr std::string_view kInitialReason = "Unchecked: Initial alarm creation";

ScopeKey KeyOf(const Scope& s) { return {s.account, s.region}; }
RuleScope RuleScopeOf(const ScopeKey& k) { return RuleScope{k.second, k.first}; }

std::string Quoted(std::string_view name) {
  std::string s = "Alarm \"";
  s += name;
  s += "\"";
  return s;
}

}  // namespace

// The ConfigurationUpdate item of a Put: AWS's Create/Update HistoryData.
void AlarmService::Impl::AddConfigurationHistory(const ScopeKey& k, ScopeData& sd, const Entry& e,
                                                 bool created, const std::string& original,
                                                 Timestamp now, Effects& fx) {
  nlohmann::ordered_json data;
  data["version"] = "1.0";
  data["type"] = created ? "Create" : "Update";
  if (!created) data["originalAlarm"] = nlohmann::ordered_json::parse(original);
  data[created ? "createdAlarm" : "updatedAlarm"] =
      nlohmann::ordered_json::parse(codec::ConfigJson(e.alarm));
  HistoryItem h;
  h.alarm_name = e.alarm.config.name;
  h.kind = e.alarm.config.kind;
  h.timestamp = now;
  h.type = HistoryType::kConfigurationUpdate;
  h.summary = Quoted(h.alarm_name) + (created ? " created" : " updated");
  h.data = data.dump();
  AddHistory(k, sd, std::move(h), fx);
}

AlarmService::AlarmService(StateStore& store, storage::MetricStore& metrics, Notifier& notifier)
    : impl_(std::make_unique<Impl>(store, metrics, notifier)) {}
AlarmService::~AlarmService() = default;

void AlarmService::SetAnomalySettings(query::AnomalyBandLookup lookup) {
  impl_->anomaly_settings = std::move(lookup);
}

void AlarmService::SetExpressionAnomalySettings(query::ExpressionBandLookup lookup) {
  impl_->expression_anomaly_settings = std::move(lookup);
}

Status AlarmService::Load() {
  std::lock_guard lock(impl_->mu);
  impl_->scopes.clear();
  int bad = 0;
  RETURN_IF_ERROR(impl_->store.Scan(
      codec::TagPrefix(codec::kAlarmTag), [&](std::string_view, std::string_view v) {
        auto a = codec::DecodeAlarm(v);
        if (!a) {
          ++bad;
          return true;
        }
        Entry e;
        e.alarm = std::move(*a);
        e.generation = impl_->next_generation++;
        ScopeKey k{e.alarm.account, e.alarm.region};
        if (e.alarm.config.kind == AlarmKind::kMetric) {
          auto c = CompileAlarm(e.alarm);
          if (c.ok()) e.compiled = std::make_shared<const CompiledAlarm>(std::move(*c));
        } else {
          auto r = ParseCompositeRule(e.alarm.config.alarm_rule, RuleScopeOf(k));
          if (r.ok()) e.rule = std::move(*r);
        }
        auto& sd = impl_->Data(k);
        if (e.alarm.config.kind == AlarmKind::kComposite) sd.composites.insert(e.alarm.config.name);
        std::string name = e.alarm.config.name;
        sd.alarms.emplace(std::move(name), std::move(e));
        return true;
      }));
  RETURN_IF_ERROR(impl_->store.Scan(
      codec::TagPrefix(codec::kHistoryTag), [&](std::string_view key, std::string_view v) {
        std::string account, region;
        auto h = codec::DecodeHistory(v);
        if (!h || !codec::SplitScope(key, account, region)) {
          ++bad;
          return true;
        }
        impl_->next_sequence = std::max(impl_->next_sequence, h->sequence + 1);
        impl_->Data({account, region}).history.push_back(std::move(*h));
        return true;
      }));
  RETURN_IF_ERROR(impl_->store.Scan(
      codec::TagPrefix(codec::kMuteTag), [&](std::string_view, std::string_view v) {
        auto m = codec::DecodeMute(v);
        if (!m) {
          ++bad;
          return true;
        }
        MuteEntry me;
        me.rule = std::move(*m);
        auto s = MuteSchedule::Parse({me.rule.expression, me.rule.duration, me.rule.timezone,
                                      me.rule.start_date, me.rule.expire_date});
        if (s.ok()) me.schedule = std::move(*s);
        ScopeKey k{me.rule.account, me.rule.region};
        std::string name = me.rule.name;
        impl_->Data(k).mutes.emplace(std::move(name), std::move(me));
        return true;
      }));
  // Actions held for a WaitPeriod survive a restart; a record whose composite was deleted,
  // redefined or has left the state since is dropped (as ReleaseDeferred would drop it).
  WriteBatch stale;
  RETURN_IF_ERROR(impl_->store.Scan(
      codec::TagPrefix(codec::kHeldTag), [&](std::string_view key, std::string_view v) {
        std::string account, region;
        if (!codec::SplitScope(key, account, region)) {
          ++bad;
          return true;
        }
        auto h = codec::DecodeHeld(account, region, v);
        ScopeData& sd = impl_->Data({account, region});
        auto c = h ? sd.alarms.find(h->composite) : sd.alarms.end();
        if (c == sd.alarms.end() || c->second.alarm.config_updated != h->config_updated ||
            c->second.alarm.status.value != h->state) {
          stale.deletes.emplace_back(key);
          return true;
        }
        sd.deferred.push_back(DeferredActions{h->composite, c->second.generation, h->state,
                                              h->deadline, std::move(h->actions)});
        return true;
      }));
  if (!stale.empty()) RETURN_IF_ERROR(impl_->store.Write(stale));
  size_t alarms = 0;
  for (auto& [k, sd] : impl_->scopes) {
    alarms += sd.alarms.size();
    std::stable_sort(sd.history.begin(), sd.history.end(), [](const auto& a, const auto& b) {
      return std::tie(a.timestamp, a.sequence) < std::tie(b.timestamp, b.sequence);
    });
  }
  Logger("alarms")->info("loaded {} alarms in {} scopes{}", alarms, impl_->scopes.size(),
                         bad ? " (some unreadable records skipped)" : "");
  return OkStatus();
}

StateStore& AlarmService::state_store() { return impl_->store; }

Status AlarmService::Reset() {
  std::lock_guard run(impl_->run_mu);
  std::lock_guard lock(impl_->mu);
  impl_->scopes.clear();
  return impl_->store.Reset();
}

Status AlarmService::PutMetricAlarm(const Scope& scope, AlarmConfig config,
                                    const std::map<std::string, std::string>& tags, Timestamp now) {
  config.kind = AlarmKind::kMetric;
  Alarm probe;
  probe.account = scope.account;
  probe.region = scope.region;
  probe.config = config;
  ASSIGN_OR_RETURN(CompiledAlarm compiled, CompileAlarm(probe));

  Effects fx;
  {
    std::lock_guard lock(impl_->mu);
    ScopeKey k = KeyOf(scope);
    ScopeData& sd = impl_->Data(k);
    auto it = sd.alarms.find(config.name);
    if (it != sd.alarms.end() && it->second.alarm.config.kind != AlarmKind::kMetric) {
      return MakeError(ErrorCode::kInvalidParameterCombination,
                       "The alarm " + config.name + " is a composite alarm.");
    }
    bool created = it == sd.alarms.end();
    std::string original;
    if (created) {
      Entry e;
      e.alarm.account = scope.account;
      e.alarm.region = scope.region;
      e.alarm.arn = AlarmArn(RuleScopeOf(k), config.name);
      e.alarm.status = {AlarmState::kInsufficientData, std::string(kInitialReason), std::nullopt,
                        now, now};
      e.alarm.tags = tags;
      it = sd.alarms.emplace(config.name, std::move(e)).first;
    } else {
      original = codec::ConfigJson(it->second.alarm);
    }
    Entry& e = it->second;
    e.alarm.config = std::move(config);
    e.alarm.config_updated = now;
    e.compiled = std::make_shared<const CompiledAlarm>(std::move(compiled));
    e.generation = impl_->next_generation++;
    impl_->PutAlarmRecord(e, fx);

    impl_->AddConfigurationHistory(k, sd, e, created, original, now, fx);
    RETURN_IF_ERROR(impl_->Persist(fx));
  }
  return OkStatus();
}

Status AlarmService::PutCompositeAlarm(const Scope& scope, AlarmConfig config,
                                       const std::map<std::string, std::string>& tags,
                                       Timestamp now) {
  config.kind = AlarmKind::kComposite;
  ScopeKey k = KeyOf(scope);
  ASSIGN_OR_RETURN(CompositeRule rule, ParseCompositeRule(config.alarm_rule, RuleScopeOf(k)));
  Effects fx;
  {
    std::lock_guard lock(impl_->mu);
    ScopeData& sd = impl_->Data(k);
    std::vector<std::string> missing;
    for (const auto& child : rule.children) {
      if (!sd.alarms.contains(child)) missing.push_back(child);
    }
    if (!missing.empty()) return MissingChildrenError(missing);
    RuleGraph graph;
    for (const auto& name : sd.composites) {
      const Entry& c = sd.alarms.find(name)->second;
      if (c.rule) graph.emplace(name, c.rule->children);
    }
    // AWS accepts a rule that closes a cycle and stops evaluating along it
    // (cloudwatch-semantics.md §10); vigil does the same (PropagateToParents' visited set) and
    // reports the path in the log.
    if (auto cycle = FindRuleCycle(graph, config.name, rule.children)) {
      Logger("alarms")->warn("composite alarm {} closes a cycle: {}; evaluation stops along it",
                             config.name, FormatCyclePath(*cycle));
    }
    for (const auto& child : rule.children) {
      size_t parents = 0;
      for (const auto& [name, children] : graph) {
        if (name != config.name &&
            std::find(children.begin(), children.end(), child) != children.end()) {
          ++parents;
        }
      }
      if (parents + 1 > kMaxCompositeParents) {
        return MakeError(ErrorCode::kLimitExceeded,
                         "The alarm " + child + " is already in the rules of " +
                             std::to_string(kMaxCompositeParents) + " composite alarms.");
      }
    }
    if (config.actions_suppressor) {
      std::string s = *config.actions_suppressor;
      std::string prefix = AlarmArn(RuleScopeOf(k), "");
      if (s.starts_with(prefix)) s = s.substr(prefix.size());
      if (!sd.alarms.contains(s)) {
        return MakeError(ErrorCode::kValidationError,
                         "Could not save the composite alarm as the ActionsSuppressor alarm " +
                             *config.actions_suppressor + " does not exist");
      }
    }
    auto it = sd.alarms.find(config.name);
    if (it != sd.alarms.end() && it->second.alarm.config.kind != AlarmKind::kComposite) {
      return MakeError(ErrorCode::kInvalidParameterCombination,
                       "The alarm " + config.name + " is a metric alarm.");
    }
    bool created = it == sd.alarms.end();
    std::string original;
    if (created) {
      Entry e;
      e.alarm.account = scope.account;
      e.alarm.region = scope.region;
      e.alarm.arn = AlarmArn(RuleScopeOf(k), config.name);
      e.alarm.status = {AlarmState::kInsufficientData, std::string(kInitialReason), std::nullopt,
                        now, now};
      e.alarm.tags = tags;
      it = sd.alarms.emplace(config.name, std::move(e)).first;
      sd.composites.insert(config.name);
    } else {
      original = codec::ConfigJson(it->second.alarm);
    }
    Entry& e = it->second;
    e.alarm.config = std::move(config);
    e.alarm.config_updated = now;
    e.rule = std::move(rule);
    e.generation = impl_->next_generation++;
    impl_->PutAlarmRecord(e, fx);

    impl_->AddConfigurationHistory(k, sd, e, created, original, now, fx);

    std::set<std::string> visited;
    impl_->EvaluateComposite(k, sd, e, nullptr, created, now, fx, visited);
    RETURN_IF_ERROR(impl_->Persist(fx));
  }
  return OkStatus();
}

Status AlarmService::DeleteAlarms(const Scope& scope, const std::vector<std::string>& names,
                                  Timestamp now) {
  std::lock_guard lock(impl_->mu);
  ScopeKey k = KeyOf(scope);
  ScopeData& sd = impl_->Data(k);
  std::set<std::string, std::less<>> doomed(names.begin(), names.end());
  // A composite still referencing an alarm that is not deleted with it blocks the deletion.
  for (const auto& name : names) {
    if (!sd.alarms.contains(name)) continue;
    for (const auto& comp : sd.composites) {
      if (doomed.contains(comp)) continue;
      const Entry& c = sd.alarms.find(comp)->second;
      if (c.rule && std::find(c.rule->children.begin(), c.rule->children.end(), name) !=
                        c.rule->children.end()) {
        return ReferencedAlarmDeleteError(name);
      }
    }
  }
  Effects fx;
  for (const auto& name : names) {
    auto it = sd.alarms.find(name);
    if (it == sd.alarms.end()) continue;
    HistoryItem h;
    h.alarm_name = name;
    h.kind = it->second.alarm.config.kind;
    h.timestamp = now;
    h.type = HistoryType::kConfigurationUpdate;
    h.summary = Quoted(name) + " deleted";
    nlohmann::ordered_json data;
    data["version"] = "1.0";
    data["type"] = "Delete";
    data["deletedAlarm"] = nlohmann::ordered_json::parse(codec::ConfigJson(it->second.alarm));
    h.data = data.dump();
    impl_->AddHistory(k, sd, std::move(h), fx);
    fx.batch.deletes.push_back(codec::AlarmKey(k.first, k.second, name));
    sd.composites.erase(name);
    if (std::erase_if(sd.deferred, [&](const DeferredActions& d) { return d.composite == name; })) {
      fx.batch.deletes.push_back(codec::HeldKey(k.first, k.second, name));
    }
    sd.alarms.erase(it);
  }
  return impl_->Persist(fx);
}

std::vector<Alarm> AlarmService::ListAlarms(const Scope& scope) const {
  std::lock_guard lock(impl_->mu);
  std::vector<Alarm> out;
  auto it = impl_->scopes.find(KeyOf(scope));
  if (it == impl_->scopes.end()) return out;
  out.reserve(it->second.alarms.size());
  for (const auto& [name, e] : it->second.alarms) out.push_back(e.alarm);
  return out;
}

std::optional<Alarm> AlarmService::GetAlarm(const Scope& scope, std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->scopes.find(KeyOf(scope));
  if (it == impl_->scopes.end()) return std::nullopt;
  auto a = it->second.alarms.find(name);
  if (a == it->second.alarms.end()) return std::nullopt;
  return a->second.alarm;
}

size_t AlarmService::AlarmCount() const {
  std::lock_guard lock(impl_->mu);
  size_t n = 0;
  for (const auto& [k, sd] : impl_->scopes) n += sd.alarms.size();
  return n;
}

Status AlarmService::SetAlarmState(const Scope& scope, std::string_view name, AlarmState state,
                                   const std::string& reason,
                                   const std::optional<std::string>& reason_data, Timestamp now) {
  Effects fx;
  {
    std::lock_guard lock(impl_->mu);
    ScopeKey k = KeyOf(scope);
    ScopeData& sd = impl_->Data(k);
    auto it = sd.alarms.find(name);
    if (it == sd.alarms.end()) return ApiError::WithoutMessage(ErrorCode::kResourceNotFound);
    Entry& e = it->second;
    if (e.alarm.status.value == state) {
      // No real change: the reason is updated, nothing fires.
      e.alarm.status.reason = reason;
      e.alarm.status.reason_data = reason_data;
      e.alarm.status.updated = now;
      impl_->PutAlarmRecord(e, fx);
    } else {
      std::set<std::string> visited;
      impl_->Transition(k, sd, e, state, reason, reason_data, now, fx, visited);
    }
    RETURN_IF_ERROR(impl_->Persist(fx));
  }
  return OkStatus();
}

Status AlarmService::SetActionsEnabled(const Scope& scope, const std::vector<std::string>& names,
                                       bool enabled, Timestamp now) {
  std::lock_guard lock(impl_->mu);
  ScopeKey k = KeyOf(scope);
  ScopeData& sd = impl_->Data(k);
  Effects fx;
  for (const auto& name : names) {
    auto it = sd.alarms.find(name);
    if (it == sd.alarms.end()) continue;
    Entry& e = it->second;
    if (e.alarm.config.actions_enabled == enabled) continue;
    std::string original = codec::ConfigJson(e.alarm);
    e.alarm.config.actions_enabled = enabled;
    e.alarm.config_updated = now;
    impl_->PutAlarmRecord(e, fx);
    nlohmann::ordered_json data;
    data["version"] = "1.0";
    data["type"] = "Update";
    data["originalAlarm"] = nlohmann::ordered_json::parse(original);
    data["updatedAlarm"] = nlohmann::ordered_json::parse(codec::ConfigJson(e.alarm));
    HistoryItem h;
    h.alarm_name = name;
    h.kind = e.alarm.config.kind;
    h.timestamp = now;
    h.type = HistoryType::kConfigurationUpdate;
    h.summary = Quoted(name) + " updated";
    h.data = data.dump();
    impl_->AddHistory(k, sd, std::move(h), fx);
  }
  return impl_->Persist(fx);
}

std::vector<HistoryItem> AlarmService::History(const Scope& scope) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->scopes.find(KeyOf(scope));
  if (it == impl_->scopes.end()) return {};
  return it->second.history;
}

std::optional<std::map<std::string, std::string>> AlarmService::Tags(const Scope& scope,
                                                                     std::string_view name) const {
  auto a = GetAlarm(scope, name);
  if (!a) return std::nullopt;
  return a->tags;
}

Status AlarmService::TagAlarm(const Scope& scope, std::string_view name,
                              const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(impl_->mu);
  ScopeData& sd = impl_->Data(KeyOf(scope));
  auto it = sd.alarms.find(name);
  if (it == sd.alarms.end()) return ApiError::WithoutMessage(ErrorCode::kResourceNotFound);
  for (const auto& [key, value] : tags) it->second.alarm.tags[key] = value;
  Effects fx;
  impl_->PutAlarmRecord(it->second, fx);
  return impl_->Persist(fx);
}

Status AlarmService::UntagAlarm(const Scope& scope, std::string_view name,
                                const std::vector<std::string>& keys) {
  std::lock_guard lock(impl_->mu);
  ScopeData& sd = impl_->Data(KeyOf(scope));
  auto it = sd.alarms.find(name);
  if (it == sd.alarms.end()) return ApiError::WithoutMessage(ErrorCode::kResourceNotFound);
  for (const auto& key : keys) it->second.alarm.tags.erase(key);
  Effects fx;
  impl_->PutAlarmRecord(it->second, fx);
  return impl_->Persist(fx);
}

Status AlarmService::PutMuteRule(MuteRule rule) {
  ASSIGN_OR_RETURN(MuteSchedule schedule,
                   MuteSchedule::Parse({rule.expression, rule.duration, rule.timezone,
                                        rule.start_date, rule.expire_date}));
  RETURN_IF_ERROR(ValidateMuteTargets(rule.alarm_names));
  std::lock_guard lock(impl_->mu);
  ScopeKey k{rule.account, rule.region};
  ScopeData& sd = impl_->Data(k);
  Effects fx;
  fx.batch.puts.emplace_back(codec::MuteKey(k.first, k.second, rule.name), codec::EncodeMute(rule));
  auto& me = sd.mutes[rule.name];
  if (me.rule.name.empty()) {
    me.rule = std::move(rule);
  } else {
    auto tags = std::move(me.rule.tags);  // tags are set on creation only
    me.rule = std::move(rule);
    me.rule.tags = std::move(tags);
    fx.batch.puts.back().second = codec::EncodeMute(me.rule);
  }
  me.schedule = std::move(schedule);
  return impl_->Persist(fx);
}

std::optional<MuteRule> AlarmService::GetMuteRule(const Scope& scope, std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->scopes.find(KeyOf(scope));
  if (it == impl_->scopes.end()) return std::nullopt;
  auto m = it->second.mutes.find(name);
  if (m == it->second.mutes.end()) return std::nullopt;
  return m->second.rule;
}

std::vector<MuteRule> AlarmService::ListMuteRules(const Scope& scope) const {
  std::lock_guard lock(impl_->mu);
  std::vector<MuteRule> out;
  auto it = impl_->scopes.find(KeyOf(scope));
  if (it == impl_->scopes.end()) return out;
  for (const auto& [name, m] : it->second.mutes) out.push_back(m.rule);
  return out;
}

Status AlarmService::DeleteMuteRule(const Scope& scope, std::string_view name) {
  std::lock_guard lock(impl_->mu);
  ScopeKey k = KeyOf(scope);
  ScopeData& sd = impl_->Data(k);
  auto it = sd.mutes.find(name);
  if (it == sd.mutes.end()) return OkStatus();  // DeleteAlarmMuteRule is idempotent
  sd.mutes.erase(it);
  Effects fx;
  fx.batch.deletes.push_back(codec::MuteKey(k.first, k.second, name));
  return impl_->Persist(fx);
}

}  // namespace vigil::alarms
