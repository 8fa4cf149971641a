// The anomaly detector settings (PutAnomalyDetector's ExcludedTimeRanges, MetricTimezone,
// PeriodicSpikes) of single-metric and metric math detectors as ANOMALY_DETECTION_BAND reads
// them, from the records the detector operations keep in the alarm state store
// (src/api/operations/anomaly_common.h). GetMetricData uses them per request; main.cc hands them
// to AlarmService::SetAnomalySettings so band alarms train with the same settings.
#pragma once

#include "vigil/alarms/state_store.h"
#include "vigil/query/metric_data.h"

namespace vigil::api {

// The lookup reads `store` on every call; `store` must outlive it. Thread safety: as the store's.
query::AnomalyBandLookup DetectorSettingsLookup(alarms::StateStore& store);

// The same for ANOMALY_DETECTION_BAND(id) over an Expression query: the settings of the
// MetricMathAnomalyDetector of the expression's scope (account, region) whose returning query is
// `id` and whose queries have the same query::ExpressionSubgraphKey as the request's sub-graph of
// `id` — the same ids, expressions (as written), effective periods and MetricStats (metric,
// dimensions, statistic, period, unit) of `id` and every query it reads, transitively; labels,
// ReturnData and the request's other queries do not count. AnomalyBandSettings::detector is the
// detector's key. nullopt when none matches. Same contract as DetectorSettingsLookup.
query::ExpressionBandLookup MathDetectorSettingsLookup(alarms::StateStore& store);

}  // namespace vigil::api
