// The anomaly detector settings (PutAnomalyDetector's ExcludedTimeRanges, MetricTimezone,
// PeriodicSpikes) as ANOMALY_DETECTION_BAND reads them, from the records the detector operations
// keep in the alarm state store (src/api/operations/anomaly_common.h). GetMetricData uses it per
// request; main.cc hands it to AlarmService::SetAnomalySettings so band alarms train with the
// same settings.
#pragma once

#include "vigil/alarms/state_store.h"
#include "vigil/query/metric_data.h"

namespace vigil::api {

// The lookup reads `store` on every call; `store` must outlive it. Thread safety: as the store's.
query::AnomalyBandLookup DetectorSettingsLookup(alarms::StateStore& store);

}  // namespace vigil::api
