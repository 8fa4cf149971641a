// Anomaly detectors (PutAnomalyDetector & co., docs/anomaly-detection.md "API"): the persisted
// record, its key in the alarm state store (tag "anom") and the lookup GetMetricData's
// ANOMALY_DETECTION_BAND uses for a detector's ExcludedTimeRanges and MetricTimezone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/context.h"
#include "vigil/alarms/alarm.h"
#include "vigil/alarms/state_store.h"
#include "vigil/common/time.h"
#include "vigil/query/metric_data.h"
#include "vigil/storage/metric_store.h"

namespace vigil::api::ops {

inline constexpr std::string_view kAnomalyTag = "anom";

// What both kinds of detector carry: PutAnomalyDetector's Configuration and
// MetricCharacteristics, as given (absent stays absent for Describe).
struct DetectorConfiguration {
  std::vector<std::pair<Timestamp, Timestamp>> excluded;
  std::optional<std::string> timezone;
  std::optional<bool> periodic_spikes;

  // The band's training options (nothing excluded, UTC, no spikes when absent).
  query::AnomalyBandSettings BandSettings() const;
};

struct DetectorRecord : DetectorConfiguration {
  storage::SeriesKey series;  // canonical (account and region are the scope's)
  std::string stat;           // as the caller wrote it ("Average", "p99")
};

// `anom\0<account>\0<region>\0<namespace>\0<metric>\0<stat>\0<dimensions as JSON>`.
std::string DetectorKey(const storage::SeriesKey& series, std::string_view stat);
std::string DetectorScopePrefix(std::string_view account, std::string_view region);
std::string EncodeDetector(const DetectorRecord& d);
std::optional<DetectorRecord> DecodeDetector(std::string_view account, std::string_view region,
                                             std::string_view text);

// A MetricMathAnomalyDetector: its MetricDataQueries (exactly one Expression with ReturnData
// true) identify it. Key: `anom\0<account>\0<region>\0\x01<the queries as JSON>` (the \x01
// sorts before every namespace and keeps DecodeDetector from reading it).
inline constexpr char kMathDetectorMark = '\x01';

struct MathDetectorRecord : DetectorConfiguration {
  std::vector<alarms::MetricQuerySpec> queries;
};

std::string MathDetectorKey(std::string_view account, std::string_view region,
                            const std::vector<alarms::MetricQuerySpec>& queries);
std::string EncodeMathDetector(const MathDetectorRecord& d);
std::optional<MathDetectorRecord> DecodeMathDetector(std::string_view text);

// A math detector's queries as the GetMetricData engine takes them, in the scope (account,
// region) it belongs to, and the id of the returning expression (empty when there is none).
// Empty when a statistic does not parse.
std::vector<query::MetricDataQuery> MathDetectorQueries(std::string_view account,
                                                        std::string_view region,
                                                        const MathDetectorRecord& d);
std::string MathDetectorReturning(const MathDetectorRecord& d);

// The period a math detector's band is trained at (the scheduled retrainer's, and the one whose
// persisted training DescribeAnomalyDetectors reports): the period of the returning expression's
// series, i.e. the smallest period of the MetricStat queries it reads (query::ExpressionSubgraph);
// when it reads none (SEARCH, SELECT), its own Period, else 300 s.
int MathDetectorPeriod(const std::vector<query::MetricDataQuery>& queries,
                       std::string_view returning);

// DescribeAnomalyDetectors' StateValue of a math detector of (account, region) from the scheduled
// retrainer's persisted training at MathDetectorPeriod (api::PersistedTrainingState); nullopt
// when no pass has trained it yet.
std::optional<std::string_view> PersistedMathTrainingState(alarms::StateStore& store,
                                                           std::string_view account,
                                                           std::string_view region,
                                                           const MathDetectorRecord& d);

// The settings of the detector on (series, statistic) of the caller's scope, for
// MetricDataRequest::anomaly_settings; empty when the request has no alarm service.
query::AnomalyBandLookup AnomalySettingsLookup(const RequestContext& ctx);
// The settings of the math detector matching ANOMALY_DETECTION_BAND(id), for
// MetricDataRequest::expression_anomaly_settings (rule: api/anomaly_settings.h
// MathDetectorSettingsLookup); empty when the request has no alarm service.
query::ExpressionBandLookup ExpressionSettingsLookup(const RequestContext& ctx);

}  // namespace vigil::api::ops
