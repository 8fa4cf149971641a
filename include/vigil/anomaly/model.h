// The anomaly-detection model: a pure, deterministic library (docs/anomaly-detection.md).
//
// A Model is trained from up to 14 days of one metric's points at a fixed period and draws a band
// [expected − k × scale_lower, expected + k × scale_upper] for any later time. Seasonality (none,
// hourly, daily, weekly) is detected by leave-one-out error, phases are taken in the metric's local
// time zone (DST-correct), the level follows the recent past, a trend is kept only when it is
// consistent, and the scales are robust quantiles of out-of-sample residuals with a floor, so they
// never collapse to zero: each side as narrow as runs of 3 breaches allow (docs/anomaly-detection.md
// steps 6-8), never wider than the symmetric scale.
//
// CausalBands() replays a series the way the service sees it: the band for each point comes from
// a model trained strictly on earlier points, retrained at most every `retrain_every_seconds`.
//
// Everything here is a value type without clocks or I/O: time is passed in. Models are immutable
// after Train() and safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"

namespace vigil::anomaly {

enum class Seasonality { kNone = 0, kHourly = 1, kDaily = 2, kWeekly = 3 };
std::string_view SeasonalityName(Seasonality s);

// How the band is clamped: kNonNegative keeps lower >= 0; kPercent keeps the band within 0..100.
enum class UnitClamp { kNone, kNonNegative, kPercent };

struct Point {
  Timestamp t;
  double value = 0;
};

// [start, end): points in it are ignored for training (ExcludedTimeRanges).
struct TimeRange {
  Timestamp start;
  Timestamp end;
};

struct TrainingOptions {
  int64_t period_seconds = 300;        // the metric's period; phases are slots of this width
  std::vector<TimeRange> excluded;     // excluded from training
  std::string timezone;                // tz database name ("Europe/Berlin"); empty = UTC
  UnitClamp clamp = UnitClamp::kNone;
  bool periodic_spikes = false;        // keep one-slot spikes in the seasonal profile
};

struct Band {
  double expected = 0;
  double lower = 0;
  double upper = 0;
};

// What the model learnt, for DescribeAnomalyDetectors-style introspection and for tests.
struct ModelSummary {
  Seasonality seasonality = Seasonality::kNone;
  bool has_trend = false;
  double slope_per_day = 0;  // of the level, 0 when no trend was detected
  double level = 0;          // deseasonalised level at `level_time`
  double scale = 0;          // the symmetric scale (robust quantile of |residual|); always > 0
  // The band: expected + k * scale_upper, expected - k * scale_lower (each >= scale's floor).
  double scale_upper = 0;
  double scale_lower = 0;
  size_t points = 0;         // training points used
};

// Model tunables, one configuration for every metric (docs/anomaly-detection.md "Parameters").
struct ModelParams {
  int64_t window_seconds = 14 * 86400;  // training history
  int64_t level_seconds = 2 * 3600;     // the level is the median of this much recent history
  double season_gain = 0.10;            // a seasonality must cut the LOO error by this fraction
  double scale_quantile = 0.98;         // quantile of |residual| the scale is built from
  double tail_divisor = 1.8;            // scale >= quantile / this; 0 = the normal z of it
  double trend_agreement = 0.8;         // share of day-pair slopes that must agree in sign
  size_t min_points = 12;               // fewer training points: no band
  // Run calibration (0 = off): each side's edge is chosen so that at most `run_rate` of the
  // past out-of-sample residuals end a run of `run_length` consecutive breaches.
  int run_length = 3;
  double run_rate = 0.001;
  double run_margin = 1.1;               // the chosen edges widened by this factor
  double run_max_share = 0.03;           // each edge leaves at most this share of residuals out
};

class Model {
 public:
  // Trains on the points of `points` with as_of - window <= t < as_of that are not excluded.
  // Points need not be sorted. Errors: bad period, unknown time zone, non-finite values.
  static Result<Model> Train(std::span<const Point> points, const TrainingOptions& options,
                             Timestamp as_of, const ModelParams& params = {});

  // The band at time t with width k (AWS default 2); nullopt while there is too little data.
  std::optional<Band> BandAt(Timestamp t, double k) const;

  bool trained() const { return trained_; }
  const ModelSummary& summary() const { return summary_; }
  UnitClamp clamp() const { return clamp_; }
  int64_t period_seconds() const { return period_; }
  const std::string& timezone() const { return timezone_; }

  // A self-describing binary form (version byte, fixed-width little-endian fields, the doubles
  // bit for bit), so a deserialised model draws exactly the same bands: what the scheduled
  // retrainer persists. Deserialize rejects anything else (InternalFailure for a corrupt or
  // unknown-version record, InvalidParameterValue for a time zone this build does not know).
  std::string Serialize() const;
  static Result<Model> Deserialize(std::string_view bytes);

 private:
  friend class Trainer;
  bool trained_ = false;
  std::string timezone_;        // options.timezone, to find zone_ again after Deserialize
  ModelSummary summary_;
  UnitClamp clamp_ = UnitClamp::kNone;
  int64_t period_ = 300;        // seconds
  int64_t cycle_ = 0;           // seconds of the chosen seasonality; 0 for kNone
  int64_t level_time_ = 0;      // seconds; the trend is extrapolated from here
  double base_ = 0;             // global median the profile is relative to
  std::vector<double> profile_;  // per slot of the chosen seasonality (empty for kNone)
  const void* zone_ = nullptr;  // date::time_zone*, owned by the tz database (process lifetime)
};

// The band of every point "as of" that point: trained only on points strictly before it,
// retrained when `retrain_every_seconds` of data time has passed since the last training (the
// service's schedule). points must be sorted by time. nullopt where the model has no band yet.
Result<std::vector<std::optional<Band>>> CausalBands(std::span<const Point> points,
                                                     const TrainingOptions& options, double k,
                                                     int64_t retrain_every_seconds = 300,
                                                     const ModelParams& params = {});

}  // namespace vigil::anomaly
