// PutAnomalyDetector / DescribeAnomalyDetectors / DeleteAnomalyDetector (docs/anomaly-detection.md
// "API"). Detectors are single-metric (SingleMetricAnomalyDetector or the legacy top-level
// Namespace/MetricName/Dimensions/Stat), one per metric and statistic, persisted in the alarm state
// store under the tag "anom" (anomaly_common.h). MetricMathAnomalyDetector answers a
// ValidationError. The state value is derived from the data the store holds for the detector.
#include <algorithm>

#include "api/convert.h"
#include "api/operations/alarm_common.h"
#include "api/operations/anomaly_common.h"
#include "api/operations/operations.h"
#include "vigil/alarms/state_store.h"
#include "vigil/anomaly/model.h"
#include "vigil/query/engine.h"

namespace vigil::api::ops {
namespace {

constexpr size_t kMaxExcludedRanges = 10;
constexpr size_t kMaxDimensions = 30;
constexpr int kMaxResults = 100;
constexpr int64_t kStatePeriodSeconds = 300;

ApiError Invalid(std::string m) {
  return MakeError(ErrorCode::kInvalidParameterValue, std::move(m));
}

Result<alarms::StateStore*> StoreOf(const RequestContext& ctx) {
  ASSIGN_OR_RETURN(alarms::AlarmService * service, AlarmsOf(ctx));
  return &service->state_store();
}

struct Target {
  std::optional<std::string> namespace_, metric_name, stat;
  std::optional<std::vector<cw::Dimension>> dimensions;
};

// The detector a Put or Delete names: the SingleMetricAnomalyDetector or the legacy fields.
template <typename In>
Result<DetectorRecord> TargetOf(const RequestContext& ctx, const In& in) {
  const bool legacy = in.namespace_ || in.metric_name || in.dimensions || in.stat;
  if (in.metric_math_anomaly_detector) {
    if (legacy || in.single_metric_anomaly_detector) {
      return MakeError(ErrorCode::kInvalidParameterCombination,
                       "When using MetricMathAnomalyDetector, you cannot include Namespace, "
                       "MetricName, Dimensions, Stat or SingleMetricAnomalyDetector.");
    }
    return MakeError(ErrorCode::kValidationError,
                     "vigil does not support MetricMathAnomalyDetector; use "
                     "SingleMetricAnomalyDetector (one metric and statistic).");
  }
  Target t;
  if (in.single_metric_anomaly_detector) {
    if (legacy) {
      return MakeError(ErrorCode::kInvalidParameterCombination,
                       "When using SingleMetricAnomalyDetector, you cannot include Namespace, "
                       "MetricName, Dimensions or Stat.");
    }
    const cw::SingleMetricAnomalyDetector& s = *in.single_metric_anomaly_detector;
    if (s.account_id && *s.account_id != ctx.account) {
      return Invalid(
          "vigil keeps accounts apart: SingleMetricAnomalyDetector.AccountId must be "
          "the caller's account.");
    }
    t = {s.namespace_, s.metric_name, s.stat, s.dimensions};
  } else {
    t = {in.namespace_, in.metric_name, in.stat, in.dimensions};
  }
  if (!t.namespace_)
    return MakeError(ErrorCode::kMissingParameter, "The parameter Namespace is required.");
  if (!t.metric_name) {
    return MakeError(ErrorCode::kMissingParameter, "The parameter MetricName is required.");
  }
  if (!t.stat) return MakeError(ErrorCode::kMissingParameter, "The parameter Stat is required.");
  if (t.namespace_->empty() || t.namespace_->size() > 255) {
    return Invalid("The parameter Namespace must be between 1 and 255 characters long.");
  }
  if (t.metric_name->empty() || t.metric_name->size() > 255) {
    return Invalid("The parameter MetricName must be between 1 and 255 characters long.");
  }
  if (!query::Statistic::Parse(*t.stat)) {
    std::string m = "The value ";
    m += *t.stat;
    m += " for parameter Stat is not a valid statistic.";
    return Invalid(std::move(m));
  }
  if (t.dimensions && t.dimensions->size() > kMaxDimensions) {
    return Invalid("The collection Dimensions must not have a size greater than 30.");
  }
  DetectorRecord d;
  d.series = {ctx.account, ctx.region, *t.namespace_, *t.metric_name,
              ToStoreDimensions(t.dimensions)};
  d.series.Canonicalize();
  d.stat = *t.stat;
  return d;
}

std::string_view StateValue(storage::MetricStore& metrics, const DetectorRecord& d, Timestamp now) {
  auto stat = query::Statistic::Parse(d.stat);
  if (!stat) return "PENDING_TRAINING";
  const anomaly::ModelParams params;
  query::MetricQuery q{d.series,
                       std::nullopt,
                       *stat,
                       static_cast<int>(kStatePeriodSeconds),
                       Timestamp{now.millis - params.window_seconds * 1000},
                       now};
  auto data = query::QueryMetric(metrics, q, now);
  if (!data.ok() || data->points.empty()) return "PENDING_TRAINING";
  std::vector<anomaly::Point> pts;
  pts.reserve(data->points.size());
  for (const auto& p : data->points) pts.push_back({p.timestamp, p.value});
  anomaly::TrainingOptions o;
  o.period_seconds = kStatePeriodSeconds;
  for (const auto& [s, e] : d.excluded) o.excluded.push_back({s, e});
  o.timezone = d.timezone.value_or("");
  auto model = anomaly::Model::Train(pts, o, now, params);
  if (!model.ok() || !model->trained()) return "TRAINED_INSUFFICIENT_DATA";
  return "TRAINED";
}

cw::AnomalyDetector ToWire(const DetectorRecord& d, std::string_view state) {
  cw::AnomalyDetector w;
  w.namespace_ = d.series.namespace_;
  w.metric_name = d.series.metric_name;
  w.dimensions = ToWireDimensions(d.series.dimensions);
  w.stat = d.stat;
  cw::SingleMetricAnomalyDetector s;
  s.account_id = d.series.account;
  s.namespace_ = d.series.namespace_;
  s.metric_name = d.series.metric_name;
  s.dimensions = w.dimensions;
  s.stat = d.stat;
  w.single_metric_anomaly_detector = std::move(s);
  cw::AnomalyDetectorConfiguration c;
  c.excluded_time_ranges.emplace();
  for (const auto& [b, e] : d.excluded) c.excluded_time_ranges->push_back(cw::Range{b, e});
  c.metric_timezone = d.timezone;
  w.configuration = std::move(c);
  w.state_value = std::string(state);
  if (d.periodic_spikes) w.metric_characteristics = cw::MetricCharacteristics{d.periodic_spikes};
  return w;
}

}  // namespace

Status PutAnomalyDetector(RequestContext& ctx, const cw::PutAnomalyDetectorInput& in,
                          cw::PutAnomalyDetectorOutput&) {
  ASSIGN_OR_RETURN(DetectorRecord d, TargetOf(ctx, in));
  if (in.configuration) {
    const auto& c = *in.configuration;
    if (c.excluded_time_ranges) {
      if (c.excluded_time_ranges->size() > kMaxExcludedRanges) {
        return Invalid(
            "The collection Configuration.ExcludedTimeRanges must not have a size "
            "greater than 10.");
      }
      for (size_t i = 0; i < c.excluded_time_ranges->size(); ++i) {
        const cw::Range& r = (*c.excluded_time_ranges)[i];
        if (!(r.start_time < r.end_time)) {
          std::string m = "The parameter Configuration.ExcludedTimeRanges.member.";
          m += std::to_string(i + 1);
          m += ".StartTime must be before its EndTime.";
          return Invalid(std::move(m));
        }
        d.excluded.emplace_back(r.start_time, r.end_time);
      }
    }
    if (c.metric_timezone) {
      anomaly::TrainingOptions o;
      o.timezone = *c.metric_timezone;
      if (c.metric_timezone->empty() || c.metric_timezone->size() > 50 ||
          !anomaly::Model::Train({}, o, ctx.now).ok()) {
        std::string m = "The value ";
        m += *c.metric_timezone;
        m += " for parameter Configuration.MetricTimezone is not a valid time zone name of the "
             "tz database (e.g. Europe/Berlin).";
        return Invalid(std::move(m));
      }
      d.timezone = *c.metric_timezone;
    }
  }
  if (in.metric_characteristics) d.periodic_spikes = in.metric_characteristics->periodic_spikes;
  ASSIGN_OR_RETURN(alarms::StateStore * store, StoreOf(ctx));
  alarms::WriteBatch b;
  b.puts.emplace_back(DetectorKey(d.series, d.stat), EncodeDetector(d));
  return store->Write(b);
}

Status DeleteAnomalyDetector(RequestContext& ctx, const cw::DeleteAnomalyDetectorInput& in,
                             cw::DeleteAnomalyDetectorOutput&) {
  ASSIGN_OR_RETURN(DetectorRecord d, TargetOf(ctx, in));
  ASSIGN_OR_RETURN(alarms::StateStore * store, StoreOf(ctx));
  const std::string key = DetectorKey(d.series, d.stat);
  bool found = false;
  RETURN_IF_ERROR(store->Scan(key, [&](std::string_view k, std::string_view) {
    found = k == key;
    return false;
  }));
  if (!found) {
    return MakeError(ErrorCode::kResourceNotFoundException,
                     "No anomaly detection model found for this metric and statistic.");
  }
  alarms::WriteBatch b;
  b.deletes.push_back(key);
  return store->Write(b);
}

Status DescribeAnomalyDetectors(RequestContext& ctx, const cw::DescribeAnomalyDetectorsInput& in,
                                cw::DescribeAnomalyDetectorsOutput& out) {
  const int max = in.max_results.value_or(kMaxResults);
  if (max < 1 || max > kMaxResults) {
    return Invalid("The parameter MaxResults must be between 1 and 100.");
  }
  bool single = true;
  if (in.anomaly_detector_types && !in.anomaly_detector_types->empty()) {
    single = false;
    for (const std::string& t : *in.anomaly_detector_types) {
      if (t == "SINGLE_METRIC") {
        single = true;
      } else if (t != "METRIC_MATH") {
        std::string m = "The value ";
        m += t;
        m += " for parameter AnomalyDetectorTypes is not valid. Valid values are SINGLE_METRIC "
             "and METRIC_MATH.";
        return Invalid(std::move(m));
      }
    }
  }
  std::string after;
  if (in.next_token) {
    ASSIGN_OR_RETURN(after, DecodeToken("anom", *in.next_token));
  }
  const std::vector<storage::Dimension> want = ToStoreDimensions(in.dimensions);
  ASSIGN_OR_RETURN(alarms::StateStore * store, StoreOf(ctx));
  const std::string prefix = DetectorScopePrefix(ctx.account, ctx.region);
  std::vector<std::pair<std::string, DetectorRecord>> page;
  bool more = false;
  if (single) {
    RETURN_IF_ERROR(store->Scan(prefix, [&](std::string_view k, std::string_view v) {
      std::string_view rest = k.substr(prefix.size());
      if (!after.empty() && rest <= after) return true;
      auto d = DecodeDetector(ctx.account, ctx.region, v);
      if (!d) return true;
      if (in.namespace_ && d->series.namespace_ != *in.namespace_) return true;
      if (in.metric_name && d->series.metric_name != *in.metric_name) return true;
      for (const auto& w : want) {
        if (std::find(d->series.dimensions.begin(), d->series.dimensions.end(), w) ==
            d->series.dimensions.end()) {
          return true;
        }
      }
      if (page.size() == static_cast<size_t>(max)) {
        more = true;
        return false;
      }
      page.emplace_back(std::string(rest), std::move(*d));
      return true;
    }));
  }
  out.anomaly_detectors.emplace();
  for (const auto& [k, d] : page) {
    out.anomaly_detectors->push_back(ToWire(d, StateValue(*ctx.services->metrics, d, ctx.now)));
  }
  if (more) out.next_token = EncodeToken("anom", page.back().first);
  return OkStatus();
}

}  // namespace vigil::api::ops
