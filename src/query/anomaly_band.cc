// ANOMALY_DETECTION_BAND over the store (anomaly_band.h).
#include "query/anomaly_band.h"

#include <algorithm>

#include "vigil/anomaly/model.h"

namespace vigil::query::internal {
namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kMaxTrainings = 48;

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

}  // namespace

int64_t RetrainInterval(const std::vector<int64_t>& times) {
  if (times.empty()) return kHourMs;
  const int64_t span = times.back() - times.front();
  const int64_t hours = span / kHourMs + 1;
  const int64_t blocks = (hours + kMaxTrainings - 1) / kMaxTrainings;
  return std::max<int64_t>(1, blocks) * kHourMs;
}

Result<BandSeries> ComputeAnomalyBand(storage::MetricStore& store, const BandRequest& request,
                                      Timestamp as_of) {
  BandSeries out;
  if (request.times.empty()) return out;
  const anomaly::ModelParams params;
  const int64_t step = RetrainInterval(request.times);
  const int64_t first_training = FloorTo(request.times.front(), step);

  // The history: the training window before the first training, up to the last time wanted.
  MetricQuery history = request.metric;
  history.start = Timestamp{first_training - params.window_seconds * 1000};
  history.end = Timestamp{request.times.back()};
  ASSIGN_OR_RETURN(MetricSeries data, QueryMetric(store, history, as_of));
  std::vector<anomaly::Point> points;
  points.reserve(data.points.size());
  for (const Point& p : data.points) points.push_back({p.timestamp, p.value});

  const auto percent = storage::UnitCode("Percent");
  bool is_percent = false;
  if (request.metric.unit) {
    is_percent = request.metric.unit == percent;
  } else {
    is_percent = data.units.size() == 1 && data.units.front() == percent;
  }

  anomaly::TrainingOptions options;
  options.period_seconds = request.metric.period_seconds;
  options.timezone = request.settings.timezone;
  options.periodic_spikes = request.settings.periodic_spikes;
  for (const auto& [s, e] : request.settings.excluded) options.excluded.push_back({s, e});

  size_t i = 0;
  while (i < request.times.size()) {
    const int64_t trained_at = FloorTo(request.times[i], step);
    // The clamp is decided from the training window only, so it stays causal too.
    const int64_t window_start = trained_at - params.window_seconds * 1000;
    bool negative = false;
    for (const anomaly::Point& p : points) {
      if (p.t.millis >= window_start && p.t.millis < trained_at && p.value < 0) negative = true;
    }
    options.clamp = is_percent ? anomaly::UnitClamp::kPercent
                    : negative ? anomaly::UnitClamp::kNone
                               : anomaly::UnitClamp::kNonNegative;
    ASSIGN_OR_RETURN(anomaly::Model model,
                     anomaly::Model::Train(points, options, Timestamp{trained_at}, params));
    for (; i < request.times.size() && FloorTo(request.times[i], step) == trained_at; ++i) {
      const std::optional<anomaly::Band> band =
          model.BandAt(Timestamp{request.times[i]}, request.k);
      if (!band) continue;
      out.times.push_back(request.times[i]);
      out.upper.push_back(band->upper);
      out.lower.push_back(band->lower);
    }
  }
  return out;
}

}  // namespace vigil::query::internal
