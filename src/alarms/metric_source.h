// How the evaluator reads an alarm's data: an alarm definition compiled once into the query it
// needs (a single metric through query::QueryMetric, or `Metrics` through query::GetMetricData,
// the paths GetMetricStatistics and GetMetricData use), the evaluation range at a tick, and AWS's
// StateReasonData document for an evaluation.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vigil/alarms/alarm.h"
#include "vigil/alarms/evaluation.h"
#include "vigil/common/result.h"
#include "vigil/query/metric_data.h"
#include "vigil/query/statistic.h"
#include "vigil/storage/metric_store.h"

namespace vigil::alarms {

struct CompiledAlarm {
  Rule rule;
  int period = 60;
  bool math = false;
  // Single metric.
  storage::SeriesKey series;
  std::optional<uint8_t> unit;
  std::optional<query::Statistic> statistic;
  // Metrics (math or MetricStat-only): the queries and the id of the ReturnData one.
  std::vector<query::MetricDataQuery> queries;
  std::string return_id;
  // Band alarms (ThresholdMetricId): the id of the ANOMALY_DETECTION_BAND query, whose two
  // series (upper first, lower last) give each period's band.
  std::string threshold_id;
  // For StateReasonData.
  std::optional<std::string> unit_name;
  std::string statistic_name;
};

// Fails (InvalidParameterValue) for what the evaluator cannot run: an unknown statistic, no
// ReturnData query, a band comparison without a ThresholdMetricId naming an
// ANOMALY_DETECTION_BAND expression of `Metrics` (or a ThresholdMetricId with a static one).
Result<CompiledAlarm> CompileAlarm(const Alarm& alarm);

// The end of the evaluation range for an evaluation at `tick`: the tick rounded down to the
// minute (periods >= 60 s) or to the period (10, 20, 30 s).
Timestamp RangeEnd(int period, Timestamp tick);

// The EvaluationRangeLength(N) periods ending at RangeEnd(tick), oldest first. Band alarms also
// get each period's band, computed by GetMetricData's ANOMALY_DETECTION_BAND with the detector
// settings `anomaly_settings` (a MetricStat's) or `expression_settings` (an Expression's) give
// (none: the defaults).
Result<std::vector<Slot>> FetchRange(storage::MetricStore& store, const CompiledAlarm& c,
                                     Timestamp tick,
                                     const query::AnomalyBandLookup& anomaly_settings = {},
                                     const query::ExpressionBandLookup& expression_settings = {});

// StateReasonData for a metric alarm's evaluation (aws-recorded-answers.md §4), compact JSON in
// AWS's key order. Band alarms: no statistic/unit/threshold; recentLowerThresholds and/or
// recentUpperThresholds after recentDatapoints (docs/alarms.md, "Anomaly detection alarms").
std::string MetricReasonData(const CompiledAlarm& c, const Evaluation& e,
                             std::span<const Slot> range, Timestamp query_date);

}  // namespace vigil::alarms
