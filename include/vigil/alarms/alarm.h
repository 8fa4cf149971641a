// The alarm model: what PutMetricAlarm / PutCompositeAlarm define, the state the evaluator keeps,
// history items and mute rules. Plain structs shared by the service (service.h), the persistence
// codec (src/alarms/codec.cc) and the API layer, which maps them to and from the wire shapes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/alarms/evaluation.h"
#include "vigil/common/time.h"
#include "vigil/storage/metric_store.h"

namespace vigil::alarms {

enum class AlarmKind : uint8_t { kMetric, kComposite };
std::string_view AlarmKindName(AlarmKind k);  // "MetricAlarm", "CompositeAlarm"

// A MetricStat of an alarm's `Metrics` entry.
struct MetricStatSpec {
  std::string namespace_;
  std::string metric_name;
  std::vector<storage::Dimension> dimensions;  // as given
  int period = 60;
  std::string stat;
  std::optional<std::string> unit;
};

// One entry of an alarm's `Metrics` (a MetricDataQuery).
struct MetricQuerySpec {
  std::string id;
  std::optional<MetricStatSpec> metric_stat;
  std::optional<std::string> expression;
  std::optional<std::string> label;
  std::optional<bool> return_data;
  std::optional<int> period;
  std::optional<std::string> account_id;
};

// Whether `expression` is a call of ANOMALY_DETECTION_BAND: what a band alarm's
// ThresholdMetricId must name.
bool IsBandExpression(std::string_view expression);

// What the user defined. Optional members are echoed by DescribeAlarms only when they were set.
struct AlarmConfig {
  AlarmKind kind = AlarmKind::kMetric;
  std::string name;
  std::optional<std::string> description;
  bool actions_enabled = true;
  std::vector<std::string> ok_actions;
  std::vector<std::string> alarm_actions;
  std::vector<std::string> insufficient_data_actions;

  // Metric alarms: either the single-metric fields or `metrics`.
  std::optional<std::string> namespace_;
  std::optional<std::string> metric_name;
  std::vector<storage::Dimension> dimensions;  // as given
  std::optional<std::string> statistic;
  std::optional<std::string> extended_statistic;
  std::optional<int> period;
  std::optional<std::string> unit;
  int evaluation_periods = 1;
  std::optional<int> datapoints_to_alarm;
  std::optional<double> threshold;
  std::string comparison_operator;
  std::optional<std::string> treat_missing_data;
  std::optional<std::string> evaluate_low_sample_count_percentile;
  std::vector<MetricQuerySpec> metrics;
  std::optional<std::string> threshold_metric_id;

  // Composite alarms.
  std::string alarm_rule;
  std::optional<std::string> actions_suppressor;
  std::optional<int> actions_suppressor_wait_period;
  std::optional<int> actions_suppressor_extension_period;
};

struct AlarmStatus {
  AlarmState value = AlarmState::kInsufficientData;
  std::string reason;
  std::optional<std::string> reason_data;  // JSON text
  Timestamp updated;                       // StateUpdatedTimestamp
  Timestamp transitioned;                  // StateTransitionedTimestamp
};

// One alarm as the service keeps it (and persists it).
struct Alarm {
  std::string account;
  std::string region;
  std::string arn;
  AlarmConfig config;
  Timestamp config_updated;  // AlarmConfigurationUpdatedTimestamp
  AlarmStatus status;
  std::map<std::string, std::string> tags;
  // Composite alarms: the suppression currently in force (ActionsSuppressedBy: "WaitPeriod",
  // "ExtensionPeriod" or "Alarm") and until when a wait/extension period lasts.
  std::optional<std::string> actions_suppressed_by;
  std::optional<std::string> actions_suppressed_reason;
  std::optional<Timestamp> suppression_until;
  // When the alarm last left ALARM: a composite it suppresses keeps its actions suppressed for
  // ActionsSuppressorExtensionPeriod after this. Persisted, so a restart keeps the extension.
  std::optional<Timestamp> left_alarm_at;
};

enum class HistoryType : uint8_t { kConfigurationUpdate, kStateUpdate, kAction };
std::string_view HistoryTypeName(HistoryType t);
std::optional<HistoryType> ParseHistoryType(std::string_view s);

struct HistoryItem {
  std::string alarm_name;
  AlarmKind kind = AlarmKind::kMetric;
  Timestamp timestamp;
  HistoryType type = HistoryType::kStateUpdate;
  std::string summary;
  std::string data;       // HistoryData JSON text
  uint64_t sequence = 0;  // order among items with the same timestamp
};

// An alarm mute rule (PutAlarmMuteRule).
struct MuteRule {
  std::string account;
  std::string region;
  std::string name;
  std::string arn;
  std::optional<std::string> description;
  std::string expression;  // cron(...) or at(...)
  std::string duration;    // ISO-8601 duration
  std::optional<std::string> timezone;
  std::vector<std::string> alarm_names;
  std::map<std::string, std::string> tags;
  std::optional<Timestamp> start_date;
  std::optional<Timestamp> expire_date;
  Timestamp last_updated;
};

}  // namespace vigil::alarms
