// ANOMALY_DETECTION_BAND over the store (docs/anomaly-detection.md "API"): the band of one
// metric and statistic at given times, each value from a model trained only on data before it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vigil/anomaly/model.h"
#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/engine.h"
#include "vigil/query/metric_data.h"

namespace vigil::query::internal {

struct BandRequest {
  MetricQuery metric;          // series, unit, statistic and period; start/end are ignored
  std::vector<int64_t> times;  // epoch ms, ascending: where the band is wanted
  AnomalyBandSettings settings;
  double k = 2;
};

struct BandSeries {
  std::vector<int64_t> times;  // the requested times that have a band
  std::vector<double> upper;
  std::vector<double> lower;
};

// A detector's settings as the model's training options at `period_seconds` (no clamp: the
// band decides it per training).
anomaly::TrainingOptions TrainingOptionsFor(int period_seconds, const AnomalyBandSettings& settings);

// The model for time t is trained as of RetrainTime(t) (<= t) on the 14 days before it, so the
// band at t depends only on data before t. Errors: store failures, an unknown time zone.
Result<BandSeries> ComputeAnomalyBand(storage::MetricStore& store, const BandRequest& request,
                                      Timestamp as_of);

// ANOMALY_DETECTION_BAND of a metric math expression (MetricMathAnomalyDetector): the same
// per-block causal training as ComputeAnomalyBand, on values the caller computed.
struct ExpressionBandRequest {
  // The expression's values, ascending, from ExpressionBandHistoryStart(times, the settings'
  // retrain_seconds) up to (not including) the last requested time.
  std::vector<Point> history;
  std::vector<int64_t> times;  // epoch ms, ascending: where the band is wanted
  int period_seconds = 60;
  // The matching MetricMathAnomalyDetector's (MetricDataRequest::expression_anomaly_settings):
  // its ExcludedTimeRanges, MetricTimezone and PeriodicSpikes, the retrain schedule and its
  // persisted model, used for its block exactly as ComputeAnomalyBand uses a metric's.
  AnomalyBandSettings settings;
  double k = 2;
};

// Where the history an ExpressionBandRequest needs starts: the training window before the first
// training time of `times`.
Timestamp ExpressionBandHistoryStart(const std::vector<int64_t>& times,
                                     int64_t retrain_seconds = 300);

// The values of Expression `id` of `request.queries` over [start, end), ascending, evaluated as
// GetMetricData does as of `as_of` with only `id` returning data (the request's lookups and label
// time zone are kept; its range, order, paging and ReturnData flags are not).
// Errors: as GetMetricData's.
Result<std::vector<Point>> ExpressionHistory(storage::MetricStore& store,
                                             const MetricDataRequest& request, std::string_view id,
                                             Timestamp start, Timestamp end, Timestamp as_of);

// The model ComputeExpressionBand uses for the block trained at `trained_at`: trained on the
// points of `history` (the expression's values, ascending) in the window before it whose period
// ended by then, with the settings' options, clamped at 0 when that window holds no negative
// value. The scheduled retrainer persists this for a MetricMathAnomalyDetector, so a cached
// block answers bit for bit as the request path. Errors: an unknown time zone, a non-finite value.
Result<anomaly::Model> TrainExpressionBandModel(std::span<const anomaly::Point> history,
                                                int period_seconds,
                                                const AnomalyBandSettings& settings,
                                                Timestamp trained_at);

// The band at each requested time from a model trained as of its block start (RetrainInterval
// of the settings' retrain_seconds) on the history before it, as ComputeAnomalyBand trains a
// block (TrainExpressionBandModel), or the settings' persisted model when it was trained as of
// that block with the same period, settings and clamp. No percent clamp (an expression has no
// unit). Errors: an unknown time zone, a non-finite value.
Result<BandSeries> ComputeExpressionBand(const ExpressionBandRequest& request);

// When the model used for a point at `t_millis` is trained: the start of its block, epoch-aligned
// blocks of the retrain schedule (`retrain_seconds`, default 5 minutes, so the latest block is the
// scheduled retrainer's model), or of a multiple of it when the times span more than 48 blocks, so
// a request trains at most ~48 models.
int64_t RetrainInterval(const std::vector<int64_t>& times, int64_t retrain_seconds = 300);

// The model the band uses for the block trained at `trained_at` (a multiple of the retrain
// schedule), from the store as it is at `now`: what the scheduled retrainer persists. The same
// points (periods that ended by `trained_at`), options and clamp as ComputeAnomalyBand's
// training of that block, so a cached model answers exactly as a fresh training would.
// Errors: store failures, an unknown time zone.
Result<anomaly::Model> TrainBandModel(storage::MetricStore& store, const MetricQuery& metric,
                                      const AnomalyBandSettings& settings, Timestamp trained_at,
                                      Timestamp now);

}  // namespace vigil::query::internal
