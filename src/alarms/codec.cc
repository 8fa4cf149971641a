#include "alarms/codec.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace vigil::alarms::codec {
namespace {

using nlohmann::json;

std::string Key(std::string_view tag, std::string_view account, std::string_view region) {
  std::string k(tag);
  k += '\0';
  k += account;
  k += '\0';
  k += region;
  k += '\0';
  return k;
}

template <typename T>
void PutOpt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <typename T>
void GetOpt(const json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) v = it->get<T>();
}
void PutTime(json& j, const char* key, Timestamp t) { j[key] = t.millis; }
Timestamp GetTime(const json& j, const char* key) { return Timestamp{j.value(key, int64_t{0})}; }

json Dims(const std::vector<storage::Dimension>& dims) {
  json a = json::array();
  for (const auto& d : dims) a.push_back({{"name", d.name}, {"value", d.value}});
  return a;
}
std::vector<storage::Dimension> GetDims(const json& j) {
  std::vector<storage::Dimension> out;
  if (!j.is_array()) return out;
  for (const auto& d : j)
    out.push_back({d.at("name").get<std::string>(), d.at("value").get<std::string>()});
  return out;
}

json Metrics(const std::vector<MetricQuerySpec>& ms) {
  json a = json::array();
  for (const auto& m : ms) {
    json q = {{"id", m.id}};
    if (m.metric_stat) {
      const auto& s = *m.metric_stat;
      json st = {{"namespace", s.namespace_},
                 {"metricName", s.metric_name},
                 {"dimensions", Dims(s.dimensions)},
                 {"period", s.period},
                 {"stat", s.stat}};
      PutOpt(st, "unit", s.unit);
      q["metricStat"] = std::move(st);
    }
    PutOpt(q, "expression", m.expression);
    PutOpt(q, "label", m.label);
    PutOpt(q, "returnData", m.return_data);
    PutOpt(q, "period", m.period);
    PutOpt(q, "accountId", m.account_id);
    a.push_back(std::move(q));
  }
  return a;
}
std::vector<MetricQuerySpec> GetMetrics(const json& j) {
  std::vector<MetricQuerySpec> out;
  if (!j.is_array()) return out;
  for (const auto& q : j) {
    MetricQuerySpec m;
    m.id = q.at("id").get<std::string>();
    if (auto it = q.find("metricStat"); it != q.end()) {
      MetricStatSpec s;
      s.namespace_ = it->at("namespace").get<std::string>();
      s.metric_name = it->at("metricName").get<std::string>();
      s.dimensions = GetDims(it->value("dimensions", json::array()));
      s.period = it->at("period").get<int>();
      s.stat = it->at("stat").get<std::string>();
      GetOpt(*it, "unit", s.unit);
      m.metric_stat = std::move(s);
    }
    GetOpt(q, "expression", m.expression);
    GetOpt(q, "label", m.label);
    GetOpt(q, "returnData", m.return_data);
    GetOpt(q, "period", m.period);
    GetOpt(q, "accountId", m.account_id);
    out.push_back(std::move(m));
  }
  return out;
}

json ConfigObject(const AlarmConfig& c) {
  json j;
  j["kind"] = c.kind == AlarmKind::kMetric ? "metric" : "composite";
  j["alarmName"] = c.name;
  PutOpt(j, "alarmDescription", c.description);
  j["actionsEnabled"] = c.actions_enabled;
  j["okActions"] = c.ok_actions;
  j["alarmActions"] = c.alarm_actions;
  j["insufficientDataActions"] = c.insufficient_data_actions;
  if (c.kind == AlarmKind::kMetric) {
    PutOpt(j, "namespace", c.namespace_);
    PutOpt(j, "metricName", c.metric_name);
    j["dimensions"] = Dims(c.dimensions);
    PutOpt(j, "statistic", c.statistic);
    PutOpt(j, "extendedStatistic", c.extended_statistic);
    PutOpt(j, "period", c.period);
    PutOpt(j, "unit", c.unit);
    j["evaluationPeriods"] = c.evaluation_periods;
    PutOpt(j, "datapointsToAlarm", c.datapoints_to_alarm);
    PutOpt(j, "threshold", c.threshold);
    j["comparisonOperator"] = c.comparison_operator;
    PutOpt(j, "treatMissingData", c.treat_missing_data);
    PutOpt(j, "evaluateLowSampleCountPercentile", c.evaluate_low_sample_count_percentile);
    if (!c.metrics.empty()) j["metrics"] = Metrics(c.metrics);
    PutOpt(j, "thresholdMetricId", c.threshold_metric_id);
  } else {
    j["alarmRule"] = c.alarm_rule;
    PutOpt(j, "actionsSuppressor", c.actions_suppressor);
    PutOpt(j, "actionsSuppressorWaitPeriod", c.actions_suppressor_wait_period);
    PutOpt(j, "actionsSuppressorExtensionPeriod", c.actions_suppressor_extension_period);
  }
  return j;
}

AlarmConfig GetConfig(const json& j) {
  AlarmConfig c;
  c.kind = j.value("kind", std::string("metric")) == "metric" ? AlarmKind::kMetric
                                                              : AlarmKind::kComposite;
  c.name = j.at("alarmName").get<std::string>();
  GetOpt(j, "alarmDescription", c.description);
  c.actions_enabled = j.value("actionsEnabled", true);
  c.ok_actions = j.value("okActions", std::vector<std::string>{});
  c.alarm_actions = j.value("alarmActions", std::vector<std::string>{});
  c.insufficient_data_actions = j.value("insufficientDataActions", std::vector<std::string>{});
  GetOpt(j, "namespace", c.namespace_);
  GetOpt(j, "metricName", c.metric_name);
  c.dimensions = GetDims(j.value("dimensions", json::array()));
  GetOpt(j, "statistic", c.statistic);
  GetOpt(j, "extendedStatistic", c.extended_statistic);
  GetOpt(j, "period", c.period);
  GetOpt(j, "unit", c.unit);
  c.evaluation_periods = j.value("evaluationPeriods", 1);
  GetOpt(j, "datapointsToAlarm", c.datapoints_to_alarm);
  GetOpt(j, "threshold", c.threshold);
  c.comparison_operator = j.value("comparisonOperator", std::string());
  GetOpt(j, "treatMissingData", c.treat_missing_data);
  GetOpt(j, "evaluateLowSampleCountPercentile", c.evaluate_low_sample_count_percentile);
  c.metrics = GetMetrics(j.value("metrics", json::array()));
  GetOpt(j, "thresholdMetricId", c.threshold_metric_id);
  c.alarm_rule = j.value("alarmRule", std::string());
  GetOpt(j, "actionsSuppressor", c.actions_suppressor);
  GetOpt(j, "actionsSuppressorWaitPeriod", c.actions_suppressor_wait_period);
  GetOpt(j, "actionsSuppressorExtensionPeriod", c.actions_suppressor_extension_period);
  return c;
}

}  // namespace

std::string TagPrefix(std::string_view tag) {
  std::string k(tag);
  k += '\0';
  return k;
}
std::string AlarmKey(std::string_view account, std::string_view region, std::string_view name) {
  std::string k = Key(kAlarmTag, account, region);
  k += name;
  return k;
}
std::string MuteKey(std::string_view account, std::string_view region, std::string_view name) {
  std::string k = Key(kMuteTag, account, region);
  k += name;
  return k;
}
std::string HeldKey(std::string_view account, std::string_view region, std::string_view name) {
  std::string k = Key(kHeldTag, account, region);
  k += name;
  return k;
}
std::string HistoryKey(std::string_view account, std::string_view region, Timestamp t,
                       uint64_t sequence) {
  std::string k = Key(kHistoryTag, account, region);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(t.millis),
                static_cast<unsigned long long>(sequence));
  k += buf;
  return k;
}
bool SplitScope(std::string_view key, std::string& account, std::string& region) {
  auto a = key.find('\0');
  if (a == std::string_view::npos) return false;
  auto b = key.find('\0', a + 1);
  if (b == std::string_view::npos) return false;
  auto c = key.find('\0', b + 1);
  if (c == std::string_view::npos) return false;
  account = std::string(key.substr(a + 1, b - a - 1));
  region = std::string(key.substr(b + 1, c - b - 1));
  return true;
}

std::string EncodeAlarm(const Alarm& a) {
  json j;
  j["account"] = a.account;
  j["region"] = a.region;
  j["arn"] = a.arn;
  j["config"] = ConfigObject(a.config);
  PutTime(j, "configUpdated", a.config_updated);
  j["state"] = {{"value", std::string(StateName(a.status.value))},
                {"reason", a.status.reason},
                {"updated", a.status.updated.millis},
                {"transitioned", a.status.transitioned.millis}};
  if (a.status.reason_data) j["state"]["reasonData"] = *a.status.reason_data;
  j["tags"] = a.tags;
  PutOpt(j, "suppressedBy", a.actions_suppressed_by);
  PutOpt(j, "suppressedReason", a.actions_suppressed_reason);
  if (a.suppression_until) j["suppressionUntil"] = a.suppression_until->millis;
  if (a.left_alarm_at) j["leftAlarmAt"] = a.left_alarm_at->millis;
  return j.dump();
}

std::optional<Alarm> DecodeAlarm(std::string_view text) {
  try {
    json j = json::parse(text);
    Alarm a;
    a.account = j.at("account").get<std::string>();
    a.region = j.at("region").get<std::string>();
    a.arn = j.at("arn").get<std::string>();
    a.config = GetConfig(j.at("config"));
    a.config_updated = GetTime(j, "configUpdated");
    const json& s = j.at("state");
    a.status.value =
        ParseState(s.at("value").get<std::string>()).value_or(AlarmState::kInsufficientData);
    a.status.reason = s.value("reason", std::string());
    GetOpt(s, "reasonData", a.status.reason_data);
    a.status.updated = GetTime(s, "updated");
    a.status.transitioned = GetTime(s, "transitioned");
    a.tags = j.value("tags", std::map<std::string, std::string>{});
    GetOpt(j, "suppressedBy", a.actions_suppressed_by);
    GetOpt(j, "suppressedReason", a.actions_suppressed_reason);
    if (j.contains("suppressionUntil")) a.suppression_until = GetTime(j, "suppressionUntil");
    if (j.contains("leftAlarmAt")) a.left_alarm_at = GetTime(j, "leftAlarmAt");
    return a;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string EncodeHistory(const HistoryItem& h) {
  json j = {
      {"name", h.alarm_name},       {"kind", h.kind == AlarmKind::kMetric ? "metric" : "composite"},
      {"time", h.timestamp.millis}, {"type", std::string(HistoryTypeName(h.type))},
      {"summary", h.summary},       {"data", h.data},
      {"seq", h.sequence}};
  return j.dump();
}

std::optional<HistoryItem> DecodeHistory(std::string_view text) {
  try {
    json j = json::parse(text);
    HistoryItem h;
    h.alarm_name = j.at("name").get<std::string>();
    h.kind = j.value("kind", std::string("metric")) == "metric" ? AlarmKind::kMetric
                                                                : AlarmKind::kComposite;
    h.timestamp = GetTime(j, "time");
    auto type = ParseHistoryType(j.at("type").get<std::string>());
    if (!type) return std::nullopt;
    h.type = *type;
    h.summary = j.value("summary", std::string());
    h.data = j.value("data", std::string());
    h.sequence = j.value("seq", uint64_t{0});
    return h;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string EncodeMute(const MuteRule& m) {
  json j = {{"account", m.account},
            {"region", m.region},
            {"name", m.name},
            {"arn", m.arn},
            {"expression", m.expression},
            {"duration", m.duration},
            {"alarmNames", m.alarm_names},
            {"tags", m.tags},
            {"updated", m.last_updated.millis}};
  PutOpt(j, "description", m.description);
  PutOpt(j, "timezone", m.timezone);
  if (m.start_date) j["start"] = m.start_date->millis;
  if (m.expire_date) j["expire"] = m.expire_date->millis;
  return j.dump();
}

std::optional<MuteRule> DecodeMute(std::string_view text) {
  try {
    json j = json::parse(text);
    MuteRule m;
    m.account = j.at("account").get<std::string>();
    m.region = j.at("region").get<std::string>();
    m.name = j.at("name").get<std::string>();
    m.arn = j.at("arn").get<std::string>();
    m.expression = j.at("expression").get<std::string>();
    m.duration = j.at("duration").get<std::string>();
    m.alarm_names = j.value("alarmNames", std::vector<std::string>{});
    m.tags = j.value("tags", std::map<std::string, std::string>{});
    m.last_updated = GetTime(j, "updated");
    GetOpt(j, "description", m.description);
    GetOpt(j, "timezone", m.timezone);
    if (j.contains("start")) m.start_date = GetTime(j, "start");
    if (j.contains("expire")) m.expire_date = GetTime(j, "expire");
    return m;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string ConfigJson(const Alarm& a) {
  json j = ConfigObject(a.config);
  j.erase("kind");
  j["alarmArn"] = a.arn;
  j["alarmConfigurationUpdatedTimestamp"] = FormatAwsMillis(a.config_updated);
  return j.dump();
}

std::string EncodeHeld(const HeldActions& h) {
  json j;
  j["composite"] = h.composite;
  j["state"] = std::string(StateName(h.state));
  PutTime(j, "deadline", h.deadline);
  PutTime(j, "configUpdated", h.config_updated);
  json actions = json::array();
  for (const auto& r : h.actions) {
    json a;
    a["actionArn"] = r.action_arn;
    a["alarmName"] = r.alarm_name;
    a["alarmArn"] = r.alarm_arn;
    a["kind"] = std::string(AlarmKindName(r.kind));
    a["oldState"] = std::string(StateName(r.old_state));
    a["newState"] = std::string(StateName(r.new_state));
    a["reason"] = r.reason;
    PutOpt(a, "reasonData", r.reason_data);
    PutTime(a, "stateChangeTime", r.state_change_time);
    actions.push_back(std::move(a));
  }
  j["actions"] = std::move(actions);
  return j.dump();
}

std::optional<HeldActions> DecodeHeld(std::string_view account, std::string_view region,
                                      std::string_view text) {
  try {
    json j = json::parse(text);
    HeldActions h;
    h.composite = j.at("composite").get<std::string>();
    auto state = ParseState(j.at("state").get<std::string>());
    if (!state) return std::nullopt;
    h.state = *state;
    h.deadline = GetTime(j, "deadline");
    h.config_updated = GetTime(j, "configUpdated");
    for (const auto& a : j.at("actions")) {
      ActionRequest r;
      r.account = std::string(account);
      r.region = std::string(region);
      r.action_arn = a.at("actionArn").get<std::string>();
      r.alarm_name = a.at("alarmName").get<std::string>();
      r.alarm_arn = a.at("alarmArn").get<std::string>();
      r.kind = a.at("kind").get<std::string>() == AlarmKindName(AlarmKind::kComposite)
                   ? AlarmKind::kComposite
                   : AlarmKind::kMetric;
      auto old_state = ParseState(a.at("oldState").get<std::string>());
      auto new_state = ParseState(a.at("newState").get<std::string>());
      if (!old_state || !new_state) return std::nullopt;
      r.old_state = *old_state;
      r.new_state = *new_state;
      r.reason = a.value("reason", std::string());
      GetOpt(a, "reasonData", r.reason_data);
      r.state_change_time = GetTime(a, "stateChangeTime");
      h.actions.push_back(std::move(r));
    }
    return h;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace vigil::alarms::codec
