#include "vigil/anomaly/model.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cmath>

#include "anomaly/trainer.h"

namespace vigil::anomaly {
namespace {

bool Excluded(const std::vector<TimeRange>& ranges, Timestamp t) {
  for (const TimeRange& r : ranges) {
    if (r.start <= t && t < r.end) return true;
  }
  return false;
}

Status Validate(const TrainingOptions& options) {
  if (options.period_seconds <= 0 || options.period_seconds > 86400) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The period must be between 1 and 86400 seconds.");
  }
  return OkStatus();
}

// Sorted, finite, not excluded, with local phases.
Result<std::vector<PreparedPoint>> Prepare(std::span<const Point> points,
                                           const TrainingOptions& options, const void* zone) {
  std::vector<PreparedPoint> out;
  out.reserve(points.size());
  LocalClock clock(zone);
  for (const Point& p : points) {
    if (!std::isfinite(p.value)) {
      return MakeError(ErrorCode::kInvalidParameterValue, "Training values must be finite.");
    }
    if (Excluded(options.excluded, p.t)) continue;
    const int64_t s = p.t.seconds();
    out.push_back(PreparedPoint{s, clock.Local(s), p.value});
  }
  if (!std::is_sorted(out.begin(), out.end(),
                      [](const PreparedPoint& a, const PreparedPoint& b) { return a.t < b.t; })) {
    std::stable_sort(out.begin(), out.end(),
                     [](const PreparedPoint& a, const PreparedPoint& b) { return a.t < b.t; });
  }
  return out;
}

}  // namespace

std::string_view SeasonalityName(Seasonality s) {
  switch (s) {
    case Seasonality::kHourly:
      return "hourly";
    case Seasonality::kDaily:
      return "daily";
    case Seasonality::kWeekly:
      return "weekly";
    default:
      return "none";
  }
}

Result<Model> Model::Train(std::span<const Point> points, const TrainingOptions& options,
                           Timestamp as_of, const ModelParams& params) {
  RETURN_IF_ERROR(Validate(options));
  ASSIGN_OR_RETURN(const void* zone, FindZone(options.timezone));
  ASSIGN_OR_RETURN(std::vector<PreparedPoint> pts, Prepare(points, options, zone));
  const int64_t end = as_of.seconds();
  const int64_t begin = end - params.window_seconds;
  auto lo = std::lower_bound(pts.begin(), pts.end(), begin,
                             [](const PreparedPoint& p, int64_t t) { return p.t < t; });
  auto hi = std::lower_bound(lo, pts.end(), end,
                             [](const PreparedPoint& p, int64_t t) { return p.t < t; });
  Trainer trainer;
  return trainer.Fit(std::span<const PreparedPoint>(lo, hi), options, zone, params);
}

std::optional<Band> Model::BandAt(Timestamp t, double k) const {
  if (!trained_) return std::nullopt;
  const int64_t s = t.seconds();
  double expected = summary_.level;
  if (!profile_.empty()) {
    LocalClock clock(zone_);
    const int64_t phase = ((clock.Local(s) % cycle_) + cycle_) % cycle_;
    expected += profile_[static_cast<size_t>(phase / period_) % profile_.size()];
  }
  expected += summary_.slope_per_day * static_cast<double>(s - level_time_) / 86400.0;
  Band b{expected, expected - k * summary_.scale_lower, expected + k * summary_.scale_upper};
  if (clamp_ != UnitClamp::kNone) {
    const double hi = clamp_ == UnitClamp::kPercent ? 100.0 : INFINITY;
    b.expected = std::clamp(b.expected, 0.0, hi);
    b.lower = std::clamp(b.lower, 0.0, hi);
    b.upper = std::clamp(b.upper, 0.0, hi);
  }
  return b;
}

Result<std::vector<std::optional<Band>>> CausalBands(std::span<const Point> points,
                                                     const TrainingOptions& options, double k,
                                                     int64_t retrain_every_seconds,
                                                     const ModelParams& params) {
  RETURN_IF_ERROR(Validate(options));
  ASSIGN_OR_RETURN(const void* zone, FindZone(options.timezone));
  // Training points (excluded ranges removed); every input point still gets a band.
  ASSIGN_OR_RETURN(std::vector<PreparedPoint> train, Prepare(points, options, zone));
  std::vector<std::optional<Band>> out(points.size());
  Trainer trainer;
  Model model;
  bool have_model = false;
  int64_t trained_at = 0;
  size_t lo = 0, hi = 0;  // train[lo, hi) is the window strictly before the current point
  for (size_t i = 0; i < points.size(); ++i) {
    const int64_t t = points[i].t.seconds();
    while (hi < train.size() && train[hi].t < t) ++hi;
    while (lo < hi && train[lo].t < t - params.window_seconds) ++lo;
    if (!have_model || t - trained_at >= retrain_every_seconds) {
      model = trainer.Fit(std::span<const PreparedPoint>(train.data() + lo, hi - lo), options,
                          zone, params);
      have_model = true;
      trained_at = t;
    }
    out[i] = model.BandAt(points[i].t, k);
  }
  return out;
}

}  // namespace vigil::anomaly
