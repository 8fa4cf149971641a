// PutMetricAlarm: CloudWatch's validation of a metric alarm (periods, evaluation span,
// DatapointsToAlarm, statistics, math alarms, band alarms with ThresholdMetricId, actions), then
// the alarm service creates or updates it. Messages AWS did not record are vigil's own, listed in
// docs/alarms.md.
#include <set>

#include "api/convert.h"
#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"
#include "vigil/query/statistic.h"

namespace vigil::api::ops {
namespace {

constexpr size_t kMaxActions = 5;
constexpr size_t kMaxAlarmMetrics = 10;

ApiError Invalid(std::string m) {
  return MakeError(ErrorCode::kInvalidParameterValue, std::move(m));
}
ApiError Combination(std::string m) {
  return MakeError(ErrorCode::kInvalidParameterCombination, std::move(m));
}
ApiError Validation(std::string m) { return MakeError(ErrorCode::kValidationError, std::move(m)); }

bool IsAlarmPeriod(int64_t p) { return p == 10 || p == 20 || p == 30 || (p > 0 && p % 60 == 0); }

bool ValidId(std::string_view id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// The ExtendedStatistic forms an alarm accepts (cloudwatch-semantics.md §5): p, tm, tc, ts, wm
// with a number; IQM; PR(n:m); TC/TM/TS/WM(X%:X%) with X in 10-90.
bool AlarmExtendedStatistic(std::string_view text) {
  auto s = query::Statistic::Parse(text);
  if (!s || s->basic()) return false;
  if (text.find('(') == std::string_view::npos) return true;  // pNN, tmNN, ..., IQM
  if (s->kind() == query::Statistic::Kind::kPercentileRank) return true;
  for (const auto* b : {&s->lower(), &s->upper()}) {
    if (!b->present || !b->percent || b->value < 10 || b->value > 90) return false;
  }
  return true;
}

Status CheckActions(const cw::PutMetricAlarmInput& in) {
  for (const auto* list : {&in.ok_actions, &in.alarm_actions, &in.insufficient_data_actions}) {
    if (*list && (*list)->size() > kMaxActions) {
      return Invalid("The maximum number of actions per state is 5.");
    }
    if (*list) {
      for (const auto& arn : **list) {
        if (!arn.starts_with("arn:")) return Invalid("Invalid arn syntax: " + arn);
      }
    }
  }
  return OkStatus();
}

// An Auto Scaling (EC2 or Application Auto Scaling) scaling policy:
// `arn:<partition>:autoscaling:…`.
bool IsAutoScalingAction(std::string_view arn) {
  const size_t partition_end = arn.find(':', 4);  // after "arn:"
  if (partition_end == std::string_view::npos) return false;
  return arn.substr(partition_end + 1).starts_with("autoscaling:");
}

// botocore's PutMetricAlarm: "Alarms based on anomaly detection models cannot have Auto Scaling
// actions" (and ThresholdMetricId: "If your alarm uses this parameter, it cannot have Auto
// Scaling actions"), in any of the three action lists.
Status CheckBandActions(const cw::PutMetricAlarmInput& in) {
  const std::pair<const char*, const std::optional<std::vector<std::string>>*> lists[] = {
      {"OKActions", &in.ok_actions},
      {"AlarmActions", &in.alarm_actions},
      {"InsufficientDataActions", &in.insufficient_data_actions}};
  for (const auto& [name, list] : lists) {
    if (!*list) continue;
    for (const auto& arn : **list) {
      if (IsAutoScalingAction(arn)) {
        return Validation(std::string("Alarms based on anomaly detection models cannot have Auto "
                                      "Scaling actions: ") +
                          name + " has " + arn + ".");
      }
    }
  }
  return OkStatus();
}

Status CheckSpan(int period, int evaluation_periods) {
  int64_t span = static_cast<int64_t>(period) * evaluation_periods;
  if (period < 3600 && span > 86400) {
    return Invalid(
        "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= "
        "86400).");
  }
  if (period >= 3600 && span > 604800) {
    return Invalid(
        "Metrics cannot be checked across more than 7 days (EvaluationPeriods * Period must be <= "
        "604800).");
  }
  return OkStatus();
}

Status CheckMetrics(const cw::PutMetricAlarmInput& in, int evaluation_periods) {
  const auto& ms = *in.metrics;
  if (in.metric_name || in.namespace_ || in.statistic || in.extended_statistic || in.dimensions ||
      in.period || in.unit) {
    return Combination(
        "The parameters Metrics and MetricName, Namespace, Statistic, ExtendedStatistic, "
        "Dimensions, Period or Unit are mutually exclusive.");
  }
  if (ms.empty()) return Validation("The collection Metrics must not be empty.");
  if (ms.size() > kMaxAlarmMetrics) {
    return Validation("Alarms on metric math expressions can use at most 10 metrics.");
  }
  std::set<std::string_view> ids;
  int returning = 0;
  std::optional<int> period;
  for (size_t i = 0; i < ms.size(); ++i) {
    const auto& q = ms[i];
    std::string path = "Metrics.member." + std::to_string(i + 1);
    if (!ValidId(q.id)) {
      return Validation("The value " + q.id + " for parameter " + path +
                        ".Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.");
    }
    if (!ids.insert(q.id).second)
      return Validation("The values for parameter id in Metrics are not unique.");
    if (q.metric_stat && q.expression) {
      return Combination(
          "The parameters MetricDataQuery Expression and MetricStat are mutually exclusive and "
          "you have specified both.");
    }
    if (!q.metric_stat && !q.expression) {
      return Validation("The parameter " + path + ".MetricStat is required.");
    }
    if (q.return_data.value_or(true)) ++returning;
    if (q.metric_stat) {
      const auto& s = *q.metric_stat;
      if (!s.metric.namespace_ || !s.metric.metric_name) {
        return Validation("The parameter " + path +
                          ".MetricStat.Metric.Namespace and MetricName are required.");
      }
      if (!query::Statistic::Parse(s.stat)) {
        return Invalid("The value " + s.stat + " for parameter " + path +
                       ".MetricStat.Stat is not a valid statistic.");
      }
      if (!IsAlarmPeriod(s.period)) {
        return Invalid("The parameter " + path +
                       ".MetricStat.Period must be 10, 20, 30 or a multiple of 60.");
      }
      if (period && *period != s.period) {
        return Invalid("All metrics of an alarm must use the same period.");
      }
      period = s.period;
    } else if (q.period) {
      if (!IsAlarmPeriod(*q.period)) {
        return Invalid("The parameter " + path + ".Period must be 10, 20, 30 or a multiple of 60.");
      }
      if (period && *period != *q.period) {
        return Invalid("All metrics of an alarm must use the same period.");
      }
      period = *q.period;
    }
  }
  // Band alarms: exactly one query besides the ANOMALY_DETECTION_BAND returns data (AWS's
  // examples set ReturnData on both; the band's own flag does not count).
  if (in.threshold_metric_id) {
    const cw::MetricDataQuery* band = nullptr;
    for (const auto& q : ms) {
      if (q.id == *in.threshold_metric_id) band = &q;
    }
    if (band == nullptr) {
      return Validation("The ThresholdMetricId " + *in.threshold_metric_id +
                        " does not match the Id of any metric in Metrics.");
    }
    if (!band->expression || !alarms::IsBandExpression(*band->expression)) {
      return Validation("The ThresholdMetricId " + *in.threshold_metric_id +
                        " must be the Id of an ANOMALY_DETECTION_BAND expression in Metrics.");
    }
    if (band->return_data.value_or(true)) --returning;
  }
  if (returning != 1) {
    return Validation("Exactly one element of the metrics list should return data.");
  }
  if (period) RETURN_IF_ERROR(CheckSpan(*period, evaluation_periods));
  return OkStatus();
}

}  // namespace

Status PutMetricAlarm(RequestContext& ctx, const cw::PutMetricAlarmInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  if (in.evaluation_criteria || in.evaluation_interval) {
    return Invalid(
        "PromQL alarms (EvaluationCriteria, EvaluationInterval) are not supported by vigil.");
  }
  if (!in.evaluation_periods) {
    return MakeError(ErrorCode::kMissingParameter, "The parameter EvaluationPeriods is required.");
  }
  if (!in.comparison_operator) {
    return MakeError(ErrorCode::kMissingParameter, "The parameter ComparisonOperator is required.");
  }
  const int n = *in.evaluation_periods;
  RETURN_IF_ERROR(CheckActions(in));
  if (in.datapoints_to_alarm && *in.datapoints_to_alarm > n) {
    return Validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
  }
  auto cmp = alarms::ParseComparison(*in.comparison_operator);
  if (!cmp) return Invalid("Invalid ComparisonOperator " + *in.comparison_operator);
  if (alarms::IsBandComparison(*cmp) && !in.threshold_metric_id) {
    // AWS's text (public error reports: aws-cdk#10540, terraform-aws-cloudwatch#13).
    return Validation("ComparisonOperators for ranges require ThresholdMetricId to be set");
  }
  if (!alarms::IsBandComparison(*cmp) && in.threshold_metric_id) {
    return Combination(
        "ThresholdMetricId can only be used with the comparison operators "
        "LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold and "
        "GreaterThanUpperThreshold.");
  }
  if (in.threshold_metric_id && in.threshold) {
    return Combination("The parameters Threshold and ThresholdMetricId are mutually exclusive.");
  }
  if (in.threshold_metric_id && !in.metrics) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The parameter Metrics is required when ThresholdMetricId is set.");
  }
  if (in.threshold_metric_id) RETURN_IF_ERROR(CheckBandActions(in));
  if (!in.threshold_metric_id && !in.threshold) {
    return MakeError(ErrorCode::kMissingParameter, "The parameter Threshold is required.");
  }
  if (in.treat_missing_data && !alarms::ParseTreatMissing(*in.treat_missing_data)) {
    return Invalid("The value " + *in.treat_missing_data +
                   " for parameter TreatMissingData is not valid. Valid values are: breaching, "
                   "notBreaching, ignore, missing.");
  }
  if (in.evaluate_low_sample_count_percentile &&
      *in.evaluate_low_sample_count_percentile != "evaluate" &&
      *in.evaluate_low_sample_count_percentile != "ignore") {
    return Invalid("The value " + *in.evaluate_low_sample_count_percentile +
                   " for parameter EvaluateLowSampleCountPercentile is not valid. Valid values "
                   "are: evaluate, ignore.");
  }

  if (in.metrics) {
    RETURN_IF_ERROR(CheckMetrics(in, n));
  } else {
    if (!in.metric_name) {
      return MakeError(ErrorCode::kMissingParameter, "The parameter MetricName is required.");
    }
    if (!in.namespace_) {
      return MakeError(ErrorCode::kMissingParameter, "The parameter Namespace is required.");
    }
    if (in.statistic && in.extended_statistic) {
      return Combination(
          "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have "
          "specified both.");
    }
    if (!in.statistic && !in.extended_statistic) {
      return MakeError(ErrorCode::kMissingParameter,
                       "One of the parameters Statistic or ExtendedStatistic must be specified.");
    }
    if (in.extended_statistic && !AlarmExtendedStatistic(*in.extended_statistic)) {
      return Invalid("The value " + *in.extended_statistic +
                     " for parameter ExtendedStatistic is not supported.");
    }
    if (!in.period)
      return MakeError(ErrorCode::kMissingParameter, "The parameter Period is required.");
    if (!IsAlarmPeriod(*in.period)) {
      return Invalid("The parameter Period must be 10, 20, 30 or a multiple of 60.");
    }
    RETURN_IF_ERROR(CheckSpan(*in.period, n));
  }
  if (in.evaluate_low_sample_count_percentile) {
    auto s = in.extended_statistic ? query::Statistic::Parse(*in.extended_statistic) : std::nullopt;
    if (!s || s->kind() != query::Statistic::Kind::kPercentile) {
      return Combination(
          "EvaluateLowSampleCountPercentile can only be used with a percentile "
          "ExtendedStatistic.");
    }
  }

  alarms::AlarmConfig c;
  c.kind = alarms::AlarmKind::kMetric;
  c.name = in.alarm_name;
  c.description = in.alarm_description;
  c.actions_enabled = in.actions_enabled.value_or(true);
  c.ok_actions = in.ok_actions.value_or(std::vector<std::string>{});
  c.alarm_actions = in.alarm_actions.value_or(std::vector<std::string>{});
  c.insufficient_data_actions = in.insufficient_data_actions.value_or(std::vector<std::string>{});
  c.namespace_ = in.namespace_;
  c.metric_name = in.metric_name;
  c.dimensions = ToStoreDimensions(in.dimensions);
  c.statistic = in.statistic;
  c.extended_statistic = in.extended_statistic;
  c.period = in.period;
  c.unit = in.unit;
  c.evaluation_periods = n;
  c.datapoints_to_alarm = in.datapoints_to_alarm;
  c.threshold = in.threshold;
  c.comparison_operator = *in.comparison_operator;
  c.treat_missing_data = in.treat_missing_data;
  c.evaluate_low_sample_count_percentile = in.evaluate_low_sample_count_percentile;
  if (in.metrics) c.metrics = FromWireMetrics(*in.metrics);
  c.threshold_metric_id = in.threshold_metric_id;
  return service->PutMetricAlarm(ScopeOf(ctx), std::move(c), TagMap(in.tags), ctx.now);
}

}  // namespace vigil::api::ops
