#include "vigil/notify/alarm_message.h"

#include <nlohmann/json.hpp>

#include "notify/json_out.h"
#include "vigil/common/text.h"
#include "vigil/notify/regions.h"

namespace vigil::notify {
namespace {

using json::AppendKey;
using json::AppendString;

void AppendStringList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    AppendString(out, items[i]);
  }
  out += ']';
}

void AppendOptString(std::string& out, const std::optional<std::string>& s) {
  if (s) {
    AppendString(out, *s);
  } else {
    out += "null";
  }
}

// `[{"value":"abc","name":"InstanceId"}]`: lower-case keys, value first (recorded).
void AppendDimensions(std::string& out, const std::vector<storage::Dimension>& dims) {
  out += '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    out += "{\"value\":";
    AppendString(out, dims[i].value);
    out += ",\"name\":";
    AppendString(out, dims[i].name);
    out += '}';
  }
  out += ']';
}

// One `Trigger.Metrics` entry; AWS writes these keys alphabetically (aws-lambda-go testdata).
void AppendMetricQuery(std::string& out, const alarms::MetricQuerySpec& q) {
  out += '{';
  if (q.account_id) {
    AppendKey(out, "AccountId");
    AppendString(out, *q.account_id);
    out += ',';
  }
  if (q.expression) {
    AppendKey(out, "Expression");
    AppendString(out, *q.expression);
    out += ',';
  }
  AppendKey(out, "Id");
  AppendString(out, q.id);
  if (q.label) {
    out += ',';
    AppendKey(out, "Label");
    AppendString(out, *q.label);
  }
  if (q.metric_stat) {
    const alarms::MetricStatSpec& ms = *q.metric_stat;
    out += ",\"MetricStat\":{\"Metric\":{\"Dimensions\":";
    AppendDimensions(out, ms.dimensions);
    out += ",\"MetricName\":";
    AppendString(out, ms.metric_name);
    out += ",\"Namespace\":";
    AppendString(out, ms.namespace_);
    out += "},\"Period\":";
    AppendInt(out, ms.period);
    out += ",\"Stat\":";
    AppendString(out, ms.stat);
    if (ms.unit) {
      out += ",\"Unit\":";
      AppendString(out, *ms.unit);
    }
    out += '}';
  }
  if (q.period) {
    out += ",\"Period\":";
    AppendInt(out, *q.period);
  }
  out += ",\"ReturnData\":";
  out += q.return_data.value_or(true) ? "true" : "false";
  out += '}';
}

// Period of a math alarm's Trigger: the alarm's own Period when set, else the first MetricStat's.
int MathAlarmPeriod(const alarms::AlarmConfig& c) {
  if (c.period) return *c.period;
  for (const auto& q : c.metrics) {
    if (q.metric_stat) return q.metric_stat->period;
    if (q.period) return *q.period;
  }
  return 60;
}

void AppendTrigger(std::string& out, const alarms::AlarmConfig& c) {
  const bool math = !c.metrics.empty();
  out += '{';
  if (!math) {
    AppendKey(out, "MetricName");
    AppendOptString(out, c.metric_name);
    out += ',';
    AppendKey(out, "Namespace");
    AppendOptString(out, c.namespace_);
    out += ',';
    if (c.extended_statistic) {
      out += "\"StatisticType\":\"ExtendedStatistic\",\"ExtendedStatistic\":";
      AppendString(out, *c.extended_statistic);
    } else {
      out += "\"StatisticType\":\"Statistic\",\"Statistic\":";
      AppendString(out, UpperSnakeStatistic(c.statistic.value_or("")));
    }
    out += ",\"Unit\":";
    AppendOptString(out, c.unit);
    out += ",\"Dimensions\":";
    AppendDimensions(out, c.dimensions);
    out += ',';
  }
  AppendKey(out, "Period");
  AppendInt(out, math ? MathAlarmPeriod(c) : c.period.value_or(60));
  out += ",\"EvaluationPeriods\":";
  AppendInt(out, c.evaluation_periods);
  if (c.datapoints_to_alarm) {
    out += ",\"DatapointsToAlarm\":";
    AppendInt(out, *c.datapoints_to_alarm);
  }
  out += ",\"ComparisonOperator\":";
  AppendString(out, c.comparison_operator);
  if (c.threshold_metric_id) {
    out += ",\"ThresholdMetricId\":";
    AppendString(out, *c.threshold_metric_id);
  } else {
    out += ",\"Threshold\":";
    out += JavaDouble(c.threshold.value_or(0.0));
  }
  out += ",\"TreatMissingData\":";
  AppendString(out, c.treat_missing_data.value_or("missing"));
  out += ",\"EvaluateLowSampleCountPercentile\":";
  AppendString(out, c.evaluate_low_sample_count_percentile.value_or(""));
  if (math) {
    out += ",\"Metrics\":[";
    for (size_t i = 0; i < c.metrics.size(); ++i) {
      if (i) out += ',';
      AppendMetricQuery(out, c.metrics[i]);
    }
    out += ']';
  }
  out += '}';
}

// `TriggeringChildren` from the composite's StateReasonData
// (`{"triggeringAlarms":[{"arn":…,"state":{"value":…,"timestamp":…}}]}`); [] when absent.
void AppendTriggeringChildren(std::string& out, const std::optional<std::string>& reason_data) {
  out += '[';
  if (reason_data) {
    auto doc = nlohmann::json::parse(*reason_data, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.contains("triggeringAlarms") && doc["triggeringAlarms"].is_array()) {
      bool first = true;
      for (const auto& child : doc["triggeringAlarms"]) {
        if (!child.is_object()) continue;
        auto text = [&](const nlohmann::json& obj, const char* key) -> std::string {
          auto it = obj.find(key);
          return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        nlohmann::json state = child.contains("state") && child["state"].is_object()
                                   ? child["state"]
                                   : nlohmann::json::object();
        if (!first) out += ',';
        first = false;
        out += "{\"Arn\":";
        AppendString(out, text(child, "arn"));
        out += ",\"State\":{\"Value\":";
        AppendString(out, text(state, "value"));
        out += ",\"Timestamp\":";
        AppendString(out, text(state, "timestamp"));
        out += "}}";
      }
    }
  }
  out += ']';
}

}  // namespace

AlarmTransition AlarmTransition::From(const alarms::ActionRequest& r) {
  return AlarmTransition{r.old_state, r.new_state, r.reason, r.reason_data, r.state_change_time};
}

std::string UpperSnakeStatistic(std::string_view statistic) {
  std::string out;
  for (size_t i = 0; i < statistic.size(); ++i) {
    char c = statistic[i];
    if (c >= 'A' && c <= 'Z' && i > 0 && statistic[i - 1] >= 'a' && statistic[i - 1] <= 'z') {
      out += '_';
    }
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::string AlarmMessageJson(const alarms::Alarm& alarm, const AlarmTransition& t,
                             const AlarmMessageOptions& options) {
  const alarms::AlarmConfig& c = alarm.config;
  std::string out;
  out.reserve(1024);
  out += "{\"AlarmName\":";
  AppendString(out, c.name);
  out += ",\"AlarmDescription\":";
  AppendOptString(out, c.description);
  out += ",\"AWSAccountId\":";
  AppendString(out, alarm.account);
  out += ",\"AlarmConfigurationUpdatedTimestamp\":";
  AppendString(out, FormatAwsMillis(alarm.config_updated));
  out += ",\"NewStateValue\":";
  AppendString(out, alarms::StateName(t.new_state));
  out += ",\"NewStateReason\":";
  AppendString(out, t.reason);
  out += ",\"StateChangeTime\":";
  AppendString(out, FormatAwsMillis(t.state_change_time));
  out += ",\"Region\":";
  AppendString(out, RegionDisplayName(alarm.region));
  out += ",\"AlarmArn\":";
  AppendString(out, alarm.arn);
  out += ",\"OldStateValue\":";
  AppendString(out, alarms::StateName(t.old_state));
  out += ",\"OKActions\":";
  AppendStringList(out, c.ok_actions);
  out += ",\"AlarmActions\":";
  AppendStringList(out, c.alarm_actions);
  out += ",\"InsufficientDataActions\":";
  AppendStringList(out, c.insufficient_data_actions);
  if (options.include_action_executed_after_mute_window) {
    out += ",\"ActionExecutedAfterMuteWindow\":";
    out += options.action_executed_after_mute_window ? "true" : "false";
  }
  if (c.kind == alarms::AlarmKind::kComposite) {
    out += ",\"AlarmRule\":";
    AppendString(out, c.alarm_rule);
    out += ",\"TriggeringChildren\":";
    AppendTriggeringChildren(out, t.reason_data);
  } else {
    out += ",\"Trigger\":";
    AppendTrigger(out, c);
  }
  out += '}';
  return out;
}

std::string AlarmSubject(std::string_view alarm_name, alarms::AlarmState new_state,
                         std::string_view region_code) {
  std::string head(alarms::StateName(new_state));
  head += ": \"";
  std::string tail = "\" in ";
  tail += RegionDisplayName(region_code);
  if (head.size() + alarm_name.size() + tail.size() <= kMaxSubjectLength) {
    return head + std::string(alarm_name) + tail;
  }
  static constexpr std::string_view kEllipsis = "...";
  size_t budget = kMaxSubjectLength > head.size() + tail.size() + kEllipsis.size()
                      ? kMaxSubjectLength - head.size() - tail.size() - kEllipsis.size()
                      : 0;
  size_t cut = std::min(budget, alarm_name.size());
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && cut < alarm_name.size() &&
         (static_cast<unsigned char>(alarm_name[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  std::string out = head;
  out += alarm_name.substr(0, cut);
  out += kEllipsis;
  out += tail;
  return out;
}

}  // namespace vigil::notify
