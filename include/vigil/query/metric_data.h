// The GetMetricData engine: many MetricStat queries over one time range, their labels (default
// and dynamic), units, status codes and messages, and MaxDatapoints paging with NextTokens that
// resume exactly. Every query's values come from QueryMetric (engine.h), the same code the other
// read APIs and alarms use.
//
// The API layer (api/operations/get_metric_data.cc) validates the request and translates AWS's
// input shapes into a MetricDataRequest; this layer owns the semantics, documented in
// docs/query.md ("GetMetricData"):
//   - results follow the queries' order; a page holds at most `max_datapoints` values in total,
//     filling each query in scan order before the next one starts;
//   - a query appears in every page that holds some of its values (its status is PartialData
//     while values remain, Complete on the page that holds its last one) and, when it has none at
//     all, in the page where its turn comes; ReturnData=false queries are validated, never read;
//   - the NextToken names the query and the timestamp of the last value returned, plus the
//     request's fingerprint and the time of the first call (so rounding does not move between
//     pages); any change to it or to the request is InvalidNextToken.
//
// Thread safety: stateless; may run concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/anomaly/model.h"
#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/statistic.h"
#include "vigil/storage/metric_store.h"

namespace vigil::query {

inline constexpr size_t kMaxDataQueries = 500;
inline constexpr size_t kMaxDatapointsPerCall = 100'800;

enum class ScanOrder { kTimestampDescending, kTimestampAscending };

// One query, already validated: a MetricStat (series, unit, statistic, period) or, when
// `expression` is set, a metric-math / SEARCH / Metrics Insights expression over the other
// queries of the request (docs/metric-math.md). For an expression the MetricStat fields are
// unused except: `period_seconds`, the query's Period (0 when the caller gave none: the smallest
// MetricStat period of the request is used), and `series.account` / `series.region`, the
// caller's, whose metrics SEARCH and SELECT read (when empty, those of the first MetricStat
// query). Expressions are checked by GetMetricData itself (ValidationError, one line per problem),
// so alarms with `Metrics` use the same struct through GetMetricData.
struct MetricDataQuery {
  std::string id;
  std::optional<std::string> expression;
  storage::SeriesKey series;  // canonical; account and region are the query's
  std::optional<uint8_t> unit;
  Statistic statistic = Statistic::Basic(Statistic::Kind::kAverage);
  int period_seconds = 60;
  std::optional<std::string> label;  // may hold dynamic label tokens
  bool return_data = true;
  // The query names an account other than the caller's: vigil keeps accounts apart, so it is
  // answered with StatusCode Forbidden and no values.
  bool forbidden = false;
};

// What an anomaly detector (PutAnomalyDetector) sets for the band of one metric and statistic,
// or of an expression (a MetricMathAnomalyDetector): ANOMALY_DETECTION_BAND trains without these
// ranges, in this time zone (docs/anomaly-detection.md "Service API", "Metric math detectors").
// A model the scheduled retrainer trained and persisted (include/vigil/api/anomaly_retrainer.h):
// the one the band would train as of `trained_at` for this period, statistic and settings. The
// band uses it for that block instead of training on the request path when everything it was
// trained with matches (src/query/anomaly_band.cc); otherwise it is ignored.
struct TrainedBandModel {
  Timestamp trained_at;
  std::vector<std::pair<Timestamp, Timestamp>> excluded;  // the settings it was trained with
  std::string timezone;
  bool periodic_spikes = false;
  anomaly::Model model;
};
struct AnomalyBandSettings {
  std::vector<std::pair<Timestamp, Timestamp>> excluded;  // [start, end)
  std::string timezone;                                   // tz database name; empty = UTC
  bool periodic_spikes = false;
  // The retrain schedule (--anomaly-retrain-interval, a multiple of 300 s): the band at t uses a
  // model trained as of t rounded down to it (coarser for long ranges, anomaly_band.h).
  int64_t retrain_seconds = 300;
  // The detector's latest persisted model for a period, if any; empty: none.
  std::function<std::optional<TrainedBandModel>(int period_seconds)> trained_model;
  // Who gave these settings, opaque to this layer (the detector's state-store key; empty: none):
  // lets a wrapper (AnomalyRetrainer::WithTrainedModels) find the detector's persisted model.
  std::string detector;
};
using AnomalyBandLookup = std::function<std::optional<AnomalyBandSettings>(
    const storage::SeriesKey& series, const Statistic& statistic)>;
// The settings for ANOMALY_DETECTION_BAND(id) where `id` is an Expression query of `queries`
// (a MetricMathAnomalyDetector's): the matching rule is the lookup's (api/operations/
// anomaly_common.h: the detector whose queries have the ExpressionSubgraphKey of (queries, id)).
using ExpressionBandLookup = std::function<std::optional<AnomalyBandSettings>(
    const std::vector<MetricDataQuery>& queries, std::string_view id)>;

struct MetricDataRequest {
  std::vector<MetricDataQuery> queries;
  // The detector settings ANOMALY_DETECTION_BAND uses; empty: none (the defaults).
  AnomalyBandLookup anomaly_settings;                // of a MetricStat query
  ExpressionBandLookup expression_anomaly_settings;  // of an Expression query
  Timestamp start;
  Timestamp end;  // exclusive
  ScanOrder order = ScanOrder::kTimestampDescending;
  size_t max_datapoints = kMaxDatapointsPerCall;  // per page, capped at kMaxDatapointsPerCall
  int timezone_offset_minutes = 0;                // LabelOptions.Timezone, for time labels
  std::optional<std::string> next_token;
};

enum class DataStatus { kComplete, kPartialData, kForbidden };
std::string_view DataStatusName(DataStatus s);

struct DataMessage {
  std::string code;
  std::string value;
};

struct MetricDataResult {
  std::string id;
  std::string label;
  std::vector<Timestamp> timestamps;
  std::vector<double> values;
  DataStatus status = DataStatus::kComplete;
  std::vector<DataMessage> messages;  // e.g. MultipleUnits
};

struct MetricDataPage {
  std::vector<MetricDataResult> results;
  std::optional<std::string> next_token;
};

// Runs one page of the request, asked at `now`. Errors: InvalidNextToken for a token this request
// did not produce; store failures.
Result<MetricDataPage> GetMetricData(storage::MetricStore& store, const MetricDataRequest& request,
                                     Timestamp now);

// The queries Expression `id` reads, transitively, itself included (METRICS() reads every
// MetricStat query; SEARCH and SELECT read none), as ascending indexes into `queries`; empty when
// `id` is not an Expression query or an expression of the sub-graph does not parse.
std::vector<size_t> ExpressionSubgraph(const std::vector<MetricDataQuery>& queries,
                                       std::string_view id);

// A canonical text of that sub-graph, with `id` as the one returning data: per query (by id) its
// id and either its expression text and effective period (its Period, else the smallest
// MetricStat period of the sub-graph, else of `queries`) or its MetricStat (account, region,
// namespace, metric, canonical dimensions, statistic, period, unit) and whether it is forbidden.
// Labels, ReturnData and the queries outside the sub-graph do not count. Two requests with the
// same key compute the same values for `id` (except where an expression's evaluation period is
// the request's smallest one and the sub-graph has no MetricStat: then the request's count).
// Empty when the sub-graph is.
std::string ExpressionSubgraphKey(const std::vector<MetricDataQuery>& queries, std::string_view id);

// Parses LabelOptions.Timezone ("+0130", "-0400"): minutes east of UTC, nullopt if malformed.
std::optional<int> ParseTimezoneOffset(std::string_view text);

}  // namespace vigil::query
