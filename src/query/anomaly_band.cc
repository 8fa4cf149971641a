// ANOMALY_DETECTION_BAND over the store (anomaly_band.h).
#include "query/anomaly_band.h"

#include <algorithm>
#include <span>

#include "vigil/anomaly/model.h"

namespace vigil::query::internal {
namespace {

constexpr int64_t kMaxTrainings = 48;

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

}  // namespace

anomaly::TrainingOptions TrainingOptionsFor(int period_seconds,
                                            const AnomalyBandSettings& settings) {
  anomaly::TrainingOptions options;
  options.period_seconds = period_seconds;
  options.timezone = settings.timezone;
  options.periodic_spikes = settings.periodic_spikes;
  for (const auto& [s, e] : settings.excluded) options.excluded.push_back({s, e});
  return options;
}

namespace {

bool IsPercent(const std::optional<uint8_t>& unit, const std::vector<uint8_t>& units) {
  const auto percent = storage::UnitCode("Percent");
  if (unit) return unit == percent;
  return units.size() == 1 && units.front() == percent;
}

// The training points of the block trained at `trained_at` (ms): the window before it, and only
// periods that ended by then (a period stamped before trained_at may hold later data when the
// period does not divide the schedule; leaving it out keeps the band causal for every period).
std::span<const anomaly::Point> BlockPoints(std::span<const anomaly::Point> points,
                                            int64_t trained_at, int64_t period_seconds) {
  const anomaly::ModelParams params;
  const int64_t window_start = trained_at - params.window_seconds * 1000;
  const int64_t period_ms = period_seconds * 1000;
  auto lo = std::lower_bound(points.begin(), points.end(), window_start,
                             [](const anomaly::Point& p, int64_t t) { return p.t.millis < t; });
  auto hi = std::lower_bound(lo, points.end(), trained_at, [&](const anomaly::Point& p, int64_t t) {
    return p.t.millis + period_ms <= t;
  });
  return {lo, hi};
}

// The clamp is decided from the training window only, so it stays causal too.
anomaly::UnitClamp ClampOf(std::span<const anomaly::Point> window, bool is_percent) {
  if (is_percent) return anomaly::UnitClamp::kPercent;
  for (const anomaly::Point& p : window) {
    if (p.value < 0) return anomaly::UnitClamp::kNone;
  }
  return anomaly::UnitClamp::kNonNegative;
}

bool SameSettings(const TrainedBandModel& m, const AnomalyBandSettings& s) {
  return m.excluded == s.excluded && m.timezone == s.timezone &&
         m.periodic_spikes == s.periodic_spikes;
}

// The retrainer's persisted model for `period_seconds`, when it was trained with these detector
// settings (the block time and clamp are the caller's to check per block); nullopt otherwise.
std::optional<TrainedBandModel> CachedModel(const AnomalyBandSettings& settings, int period_seconds) {
  if (!settings.trained_model) return std::nullopt;
  std::optional<TrainedBandModel> cached = settings.trained_model(period_seconds);
  if (cached &&
      (cached->model.period_seconds() != period_seconds || !SameSettings(*cached, settings))) {
    cached.reset();
  }
  return cached;
}

// The band at each of `times` (ms, ascending) with width k, one model per block of `step` ms:
// `model_of(trained_at, scratch)` gives the model of the block trained at `trained_at`, either a
// cached one or one it trains into `scratch`. Times without a band are left out.
template <typename ModelOf>
Result<BandSeries> BandsByBlock(const std::vector<int64_t>& times, int64_t step, double k,
                                ModelOf&& model_of) {
  BandSeries out;
  anomaly::Model scratch;
  size_t i = 0;
  while (i < times.size()) {
    const int64_t trained_at = FloorTo(times[i], step);
    ASSIGN_OR_RETURN(const anomaly::Model* model, model_of(trained_at, scratch));
    for (; i < times.size() && FloorTo(times[i], step) == trained_at; ++i) {
      const std::optional<anomaly::Band> band = model->BandAt(Timestamp{times[i]}, k);
      if (!band) continue;
      out.times.push_back(times[i]);
      out.upper.push_back(band->upper);
      out.lower.push_back(band->lower);
    }
  }
  return out;
}

}  // namespace

int64_t RetrainInterval(const std::vector<int64_t>& times, int64_t retrain_seconds) {
  const int64_t unit = std::max<int64_t>(1, retrain_seconds) * 1000;
  if (times.empty()) return unit;
  const int64_t blocks = (FloorTo(times.back(), unit) - FloorTo(times.front(), unit)) / unit + 1;
  return std::max<int64_t>(1, (blocks + kMaxTrainings - 1) / kMaxTrainings) * unit;
}

Result<anomaly::Model> TrainBandModel(storage::MetricStore& store, const MetricQuery& metric,
                                      const AnomalyBandSettings& settings, Timestamp trained_at,
                                      Timestamp now) {
  const anomaly::ModelParams params;
  MetricQuery window = metric;
  window.start = Timestamp{trained_at.millis - params.window_seconds * 1000};
  window.end = trained_at;
  ASSIGN_OR_RETURN(MetricSeries data, QueryMetric(store, window, now));
  std::vector<anomaly::Point> points;
  points.reserve(data.points.size());
  for (const Point& p : data.points) points.push_back({p.timestamp, p.value});
  anomaly::TrainingOptions options = TrainingOptionsFor(metric.period_seconds, settings);
  const auto block = BlockPoints(points, trained_at.millis, metric.period_seconds);
  options.clamp = ClampOf(block, IsPercent(metric.unit, data.units));
  return anomaly::Model::Train(block, options, trained_at, params);
}

Result<BandSeries> ComputeAnomalyBand(storage::MetricStore& store, const BandRequest& request,
                                      Timestamp as_of) {
  if (request.times.empty()) return BandSeries{};
  const anomaly::ModelParams params;
  const int64_t step = RetrainInterval(request.times, request.settings.retrain_seconds);
  const int64_t first_training = FloorTo(request.times.front(), step);

  // The history: the training window before the first training, up to the last time wanted.
  MetricQuery history = request.metric;
  history.start = Timestamp{first_training - params.window_seconds * 1000};
  history.end = Timestamp{request.times.back()};
  ASSIGN_OR_RETURN(MetricSeries data, QueryMetric(store, history, as_of));
  std::vector<anomaly::Point> points;
  points.reserve(data.points.size());
  for (const Point& p : data.points) points.push_back({p.timestamp, p.value});
  const bool is_percent = IsPercent(request.metric.unit, data.units);
  anomaly::TrainingOptions options = TrainingOptionsFor(request.metric.period_seconds, request.settings);

  // The retrainer's model, when it was trained exactly as this request would train its block:
  // all units (no Unit filter, and one unit in the data, so the same points were chosen), the
  // same period and detector settings; the block time and the clamp are checked per block.
  std::optional<TrainedBandModel> cached;
  if (!request.metric.unit && data.units.size() <= 1) {
    cached = CachedModel(request.settings, request.metric.period_seconds);
  }

  return BandsByBlock(request.times, step, request.k,
                      [&](int64_t trained_at, anomaly::Model& scratch) -> Result<const anomaly::Model*> {
                        const auto block =
                            BlockPoints(points, trained_at, request.metric.period_seconds);
                        options.clamp = ClampOf(block, is_percent);
                        if (cached && cached->trained_at.millis == trained_at &&
                            cached->model.clamp() == options.clamp) {
                          return &cached->model;
                        }
                        ASSIGN_OR_RETURN(scratch, anomaly::Model::Train(block, options,
                                                                        Timestamp{trained_at}, params));
                        return &scratch;
                      });
}

Timestamp ExpressionBandHistoryStart(const std::vector<int64_t>& times, int64_t retrain_seconds) {
  const anomaly::ModelParams params;
  if (times.empty()) return Timestamp{0};
  return Timestamp{FloorTo(times.front(), RetrainInterval(times, retrain_seconds)) -
                   params.window_seconds * 1000};
}

Result<std::vector<Point>> ExpressionHistory(storage::MetricStore& store,
                                             const MetricDataRequest& request, std::string_view id,
                                             Timestamp start, Timestamp end, Timestamp as_of) {
  MetricDataRequest history;
  history.queries = request.queries;
  for (auto& q : history.queries) q.return_data = q.id == id;
  history.anomaly_settings = request.anomaly_settings;
  history.expression_anomaly_settings = request.expression_anomaly_settings;
  history.start = start;
  history.end = end;
  history.order = ScanOrder::kTimestampAscending;
  history.max_datapoints = kMaxDatapointsPerCall;
  history.timezone_offset_minutes = request.timezone_offset_minutes;
  std::vector<Point> out;
  for (;;) {
    ASSIGN_OR_RETURN(MetricDataPage page, GetMetricData(store, history, as_of));
    for (const MetricDataResult& r : page.results) {
      if (r.id != id) continue;
      for (size_t j = 0; j < r.timestamps.size() && j < r.values.size(); ++j) {
        out.push_back(Point{r.timestamps[j], r.values[j], 0});
      }
    }
    if (!page.next_token) break;
    history.next_token = page.next_token;
  }
  return out;
}

Result<anomaly::Model> TrainExpressionBandModel(std::span<const anomaly::Point> history,
                                                int period_seconds,
                                                const AnomalyBandSettings& settings,
                                                Timestamp trained_at) {
  const anomaly::ModelParams params;
  anomaly::TrainingOptions options = TrainingOptionsFor(period_seconds, settings);
  const auto block = BlockPoints(history, trained_at.millis, period_seconds);
  options.clamp = ClampOf(block, false);
  return anomaly::Model::Train(block, options, trained_at, params);
}

Result<BandSeries> ComputeExpressionBand(const ExpressionBandRequest& request) {
  if (request.times.empty()) return BandSeries{};
  const int64_t step = RetrainInterval(request.times, request.settings.retrain_seconds);
  std::vector<anomaly::Point> points;
  points.reserve(request.history.size());
  for (const Point& p : request.history) points.push_back({p.timestamp, p.value});

  // The retrainer's model of the matching detector, when trained with this period and settings;
  // the block time is checked per block (the clamp follows from the same points).
  const std::optional<TrainedBandModel> cached =
      CachedModel(request.settings, request.period_seconds);

  return BandsByBlock(request.times, step, request.k,
                      [&](int64_t trained_at, anomaly::Model& scratch) -> Result<const anomaly::Model*> {
                        if (cached && cached->trained_at.millis == trained_at &&
                            cached->model.clamp() ==
                                ClampOf(BlockPoints(points, trained_at, request.period_seconds),
                                        false)) {
                          return &cached->model;
                        }
                        ASSIGN_OR_RETURN(scratch, TrainExpressionBandModel(
                                                      points, request.period_seconds,
                                                      request.settings, Timestamp{trained_at}));
                        return &scratch;
                      });
}

}  // namespace vigil::query::internal
