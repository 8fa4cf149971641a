#include "api/operations/alarm_common.h"

#include "api/convert.h"
#include "vigil/alarms/composite_rule.h"
#include "vigil/common/base64.h"

namespace vigil::api::ops {

Result<alarms::AlarmService*> AlarmsOf(const RequestContext& ctx) {
  if (ctx.services == nullptr || ctx.services->alarms == nullptr) {
    return MakeError(ErrorCode::kInternalFailure, "the alarm service is not running");
  }
  return ctx.services->alarms;
}

alarms::Scope ScopeOf(const RequestContext& ctx) { return alarms::Scope{ctx.account, ctx.region}; }

std::vector<cw::MetricDataQuery> ToWireMetrics(const std::vector<alarms::MetricQuerySpec>& ms) {
  std::vector<cw::MetricDataQuery> out;
  for (const auto& m : ms) {
    cw::MetricDataQuery q;
    q.id = m.id;
    if (m.metric_stat) {
      cw::MetricStat s;
      s.metric.namespace_ = m.metric_stat->namespace_;
      s.metric.metric_name = m.metric_stat->metric_name;
      s.metric.dimensions = ToWireDimensions(m.metric_stat->dimensions);
      s.period = m.metric_stat->period;
      s.stat = m.metric_stat->stat;
      s.unit = m.metric_stat->unit;
      q.metric_stat = std::move(s);
    }
    q.expression = m.expression;
    q.label = m.label;
    q.return_data = m.return_data;
    q.period = m.period;
    q.account_id = m.account_id;
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<alarms::MetricQuerySpec> FromWireMetrics(const std::vector<cw::MetricDataQuery>& qs) {
  std::vector<alarms::MetricQuerySpec> out;
  for (const auto& q : qs) {
    alarms::MetricQuerySpec m;
    m.id = q.id;
    if (q.metric_stat) {
      alarms::MetricStatSpec s;
      s.namespace_ = q.metric_stat->metric.namespace_.value_or("");
      s.metric_name = q.metric_stat->metric.metric_name.value_or("");
      s.dimensions = ToStoreDimensions(q.metric_stat->metric.dimensions);
      s.period = q.metric_stat->period;
      s.stat = q.metric_stat->stat;
      s.unit = q.metric_stat->unit;
      m.metric_stat = std::move(s);
    }
    m.expression = q.expression;
    m.label = q.label;
    m.return_data = q.return_data;
    m.period = q.period;
    m.account_id = q.account_id;
    out.push_back(std::move(m));
  }
  return out;
}

cw::MetricAlarm ToWireMetricAlarm(const alarms::Alarm& a) {
  const auto& c = a.config;
  cw::MetricAlarm m;
  m.alarm_name = c.name;
  m.alarm_arn = a.arn;
  m.alarm_description = c.description;
  m.alarm_configuration_updated_timestamp = a.config_updated;
  m.actions_enabled = c.actions_enabled;
  m.ok_actions = c.ok_actions;
  m.alarm_actions = c.alarm_actions;
  m.insufficient_data_actions = c.insufficient_data_actions;
  m.state_value = std::string(alarms::StateName(a.status.value));
  m.state_reason = a.status.reason;
  m.state_reason_data = a.status.reason_data;
  m.state_updated_timestamp = a.status.updated;
  m.state_transitioned_timestamp = a.status.transitioned;
  m.metric_name = c.metric_name;
  m.namespace_ = c.namespace_;
  m.statistic = c.statistic;
  m.extended_statistic = c.extended_statistic;
  m.dimensions = ToWireDimensions(c.dimensions);
  m.period = c.period;
  m.unit = c.unit;
  m.evaluation_periods = c.evaluation_periods;
  m.datapoints_to_alarm = c.datapoints_to_alarm;
  m.threshold = c.threshold;
  m.comparison_operator = c.comparison_operator;
  m.treat_missing_data = c.treat_missing_data;
  m.evaluate_low_sample_count_percentile = c.evaluate_low_sample_count_percentile;
  if (!c.metrics.empty()) m.metrics = ToWireMetrics(c.metrics);
  m.threshold_metric_id = c.threshold_metric_id;
  return m;
}

cw::CompositeAlarm ToWireCompositeAlarm(const alarms::Alarm& a) {
  const auto& c = a.config;
  cw::CompositeAlarm m;
  m.actions_enabled = c.actions_enabled;
  m.alarm_actions = c.alarm_actions;
  m.alarm_arn = a.arn;
  m.alarm_configuration_updated_timestamp = a.config_updated;
  m.alarm_description = c.description;
  m.alarm_name = c.name;
  m.alarm_rule = c.alarm_rule;
  m.insufficient_data_actions = c.insufficient_data_actions;
  m.ok_actions = c.ok_actions;
  m.state_reason = a.status.reason;
  m.state_reason_data = a.status.reason_data;
  m.state_updated_timestamp = a.status.updated;
  m.state_value = std::string(alarms::StateName(a.status.value));
  m.state_transitioned_timestamp = a.status.transitioned;
  m.actions_suppressed_by = a.actions_suppressed_by;
  m.actions_suppressed_reason = a.actions_suppressed_reason;
  m.actions_suppressor = c.actions_suppressor;
  m.actions_suppressor_wait_period = c.actions_suppressor_wait_period;
  m.actions_suppressor_extension_period = c.actions_suppressor_extension_period;
  return m;
}

std::optional<std::string> AlarmNameFromArn(const RequestContext& ctx, std::string_view arn) {
  std::string prefix = alarms::AlarmArn(alarms::RuleScope{ctx.region, ctx.account}, "");
  if (!arn.starts_with(prefix) || arn.size() == prefix.size()) return std::nullopt;
  return std::string(arn.substr(prefix.size()));
}

std::map<std::string, std::string> TagMap(const std::optional<std::vector<cw::Tag>>& tags) {
  std::map<std::string, std::string> out;
  if (tags) {
    for (const auto& t : *tags) out[t.key] = t.value;
  }
  return out;
}

std::string EncodeToken(std::string_view kind, std::string_view position) {
  std::string raw(kind);
  raw += '\n';
  raw += position;
  return Base64Encode(raw);
}

Result<std::string> DecodeToken(std::string_view kind, const std::string& token) {
  auto raw = Base64Decode(token);
  std::string prefix(kind);
  prefix += '\n';
  if (!raw || !raw->starts_with(prefix)) {
    return MakeError(ErrorCode::kInvalidNextToken, "The service returned an invalid NextToken.");
  }
  return raw->substr(prefix.size());
}

}  // namespace vigil::api::ops
