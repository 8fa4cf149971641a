// PutAnomalyDetector / DescribeAnomalyDetectors / DeleteAnomalyDetector (docs/anomaly-detection.md
// "API"). Detectors are single-metric (SingleMetricAnomalyDetector or the legacy top-level
// Namespace/MetricName/Dimensions/Stat), one per metric and statistic, persisted in the alarm state
// store under the tag "anom" (anomaly_common.h), and metric math detectors
// (MetricMathAnomalyDetector: MetricDataQueries with one returning Expression), identified by
// their queries. The state value is derived from the data the store holds for the detector.
// At most kMaxDetectors of both kinds per account and region (cloudwatch-semantics.md §9).
#include <algorithm>
#include <mutex>

#include "api/convert.h"
#include "api/operations/alarm_common.h"
#include "api/operations/anomaly_common.h"
#include "api/operations/operations.h"
#include "query/anomaly_band.h"
#include "vigil/alarms/state_store.h"
#include "vigil/api/anomaly_retrainer.h"
#include "vigil/anomaly/model.h"
#include "vigil/query/engine.h"
#include "vigil/query/math.h"
#include "vigil/query/metric_data.h"

namespace vigil::api::ops {
namespace {

constexpr size_t kMaxExcludedRanges = 10;
constexpr size_t kMaxDimensions = 30;
constexpr int kMaxResults = 100;
constexpr int64_t kStatePeriodSeconds = 300;
// "500 models per region" (cloudwatch-semantics.md §9): single-metric and metric math detectors
// of one account and region together.
constexpr size_t kMaxDetectors = 500;

// Serialises the count-then-write of PutAnomalyDetector, so that concurrent Puts cannot together
// pass the quota. Puts are rare; one process-wide lock is enough.
std::mutex& PutMutex() {
  static std::mutex m;
  return m;
}

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

bool ValidQueryId(std::string_view id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// The metric math detector a Put or Delete names: MetricDataQueries with valid, unique ids, each a
// MetricStat or an Expression, exactly one (an Expression) returning data, and expressions that
// the metric math checker accepts.
template <typename In>
Result<MathDetectorRecord> MathTargetOf(const RequestContext& ctx, const In& in) {
  if (in.namespace_ || in.metric_name || in.dimensions || in.stat ||
      in.single_metric_anomaly_detector) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "When using MetricMathAnomalyDetector, you cannot include Namespace, "
                     "MetricName, Dimensions, Stat or SingleMetricAnomalyDetector.");
  }
  const auto& qs = in.metric_math_anomaly_detector->metric_data_queries;
  if (!qs || qs->empty()) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The parameter MetricMathAnomalyDetector.MetricDataQueries is required.");
  }
  std::vector<query::MetricDataQuery> check;
  std::vector<std::string> ids;
  int returning = 0;
  bool returns_expression = false;
  for (size_t i = 0; i < qs->size(); ++i) {
    const cw::MetricDataQuery& q = (*qs)[i];
    std::string path = "MetricMathAnomalyDetector.MetricDataQueries.member.";
    path += std::to_string(i + 1);
    if (!ValidQueryId(q.id)) {
      return MakeError(ErrorCode::kValidationError,
                       "The value " + q.id + " for parameter " + path +
                           ".Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.");
    }
    if (std::find(ids.begin(), ids.end(), q.id) != ids.end()) {
      return MakeError(ErrorCode::kValidationError,
                       "The values for parameter id in MetricDataQueries are not unique.");
    }
    ids.push_back(q.id);
    if (q.metric_stat.has_value() == q.expression.has_value()) {
      return MakeError(ErrorCode::kValidationError,
                       std::string("Exactly one of the parameters ") + path + ".MetricStat and " +
                           path + ".Expression must be specified.");
    }
    if (q.account_id && *q.account_id != ctx.account) {
      return Invalid("vigil keeps accounts apart: " + path +
                     ".AccountId must be the caller's account.");
    }
    if (q.metric_stat) {
      const cw::MetricStat& m = *q.metric_stat;
      if (!m.metric.namespace_ || !m.metric.metric_name) {
        return MakeError(ErrorCode::kMissingParameter,
                         "The parameters " + path +
                             ".MetricStat.Metric.Namespace and MetricName are required.");
      }
      if (!query::Statistic::Parse(m.stat)) {
        return Invalid("The value " + m.stat + " for parameter " + path +
                       ".MetricStat.Stat is not a valid statistic.");
      }
      if (!IsValidPeriod(m.period)) {
        return Invalid("The parameter " + path + ".MetricStat.Period is not a valid period.");
      }
    }
    const bool ret = q.return_data.value_or(true);
    if (ret) {
      ++returning;
      returns_expression = q.expression.has_value();
    }
    query::MetricDataQuery c;
    c.id = q.id;
    c.expression = q.expression;
    c.return_data = ret;
    check.push_back(std::move(c));
  }
  if (returning != 1 || !returns_expression) {
    return MakeError(ErrorCode::kValidationError,
                     "MetricMathAnomalyDetector.MetricDataQueries must have exactly one query "
                     "with ReturnData set to true, and it must be an Expression.");
  }
  std::vector<std::string> problems = query::math::CheckRequest(check);
  if (!problems.empty()) {
    std::string m;
    for (const auto& line : problems) {
      if (!m.empty()) m += '\n';
      m += line;
    }
    return MakeError(ErrorCode::kValidationError, std::move(m));
  }
  MathDetectorRecord d;
  d.queries = FromWireMetrics(*qs);
  return d;
}

// The state of a metric math detector: the returning expression over the 14 days before now.
std::string_view MathStateValue(storage::MetricStore& metrics, const RequestContext& ctx,
                                const MathDetectorRecord& d) {
  const anomaly::ModelParams params;
  query::MetricDataRequest req;
  std::string returning;
  int period = 0;
  for (const alarms::MetricQuerySpec& s : d.queries) {
    query::MetricDataQuery q;
    q.id = s.id;
    q.expression = s.expression;
    q.return_data = s.return_data.value_or(true);
    q.series.account = ctx.account;
    q.series.region = ctx.region;
    q.period_seconds = s.period.value_or(0);
    if (s.metric_stat) {
      const alarms::MetricStatSpec& m = *s.metric_stat;
      auto stat = query::Statistic::Parse(m.stat);
      if (!stat) return "PENDING_TRAINING";
      q.statistic = *stat;
      q.series = {ctx.account, ctx.region, m.namespace_, m.metric_name, m.dimensions};
      q.series.Canonicalize();
      if (m.unit) q.unit = storage::UnitCode(*m.unit);
      q.period_seconds = m.period;
      if (period == 0 || m.period < period) period = m.period;
    }
    if (q.return_data) returning = s.id;
    req.queries.push_back(std::move(q));
  }
  for (const auto& q : req.queries) {
    if (q.id == returning && q.expression && q.period_seconds > 0) period = q.period_seconds;
  }
  if (period == 0) period = 60;
  req.start = Timestamp{ctx.now.millis - params.window_seconds * 1000};
  req.end = ctx.now;
  req.order = query::ScanOrder::kTimestampAscending;
  std::vector<anomaly::Point> pts;
  for (;;) {
    auto page = query::GetMetricData(metrics, req, ctx.now);
    if (!page.ok()) return "PENDING_TRAINING";
    for (const auto& r : page->results) {
      if (r.id != returning) continue;
      for (size_t i = 0; i < r.timestamps.size() && i < r.values.size(); ++i) {
        pts.push_back({r.timestamps[i], r.values[i]});
      }
    }
    if (!page->next_token) break;
    req.next_token = page->next_token;
  }
  if (pts.empty()) return "PENDING_TRAINING";
  const anomaly::TrainingOptions o = query::internal::TrainingOptionsFor(period, d.BandSettings());
  auto model = anomaly::Model::Train(pts, o, ctx.now, params);
  if (!model.ok() || !model->trained()) return "TRAINED_INSUFFICIENT_DATA";
  return "TRAINED";
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
  const anomaly::TrainingOptions o =
      query::internal::TrainingOptionsFor(static_cast<int>(kStatePeriodSeconds), d.BandSettings());
  auto model = anomaly::Model::Train(pts, o, now, params);
  if (!model.ok() || !model->trained()) return "TRAINED_INSUFFICIENT_DATA";
  return "TRAINED";
}

cw::AnomalyDetectorConfiguration WireConfiguration(
    const std::vector<std::pair<Timestamp, Timestamp>>& excluded,
    const std::optional<std::string>& timezone) {
  cw::AnomalyDetectorConfiguration c;
  c.excluded_time_ranges.emplace();
  for (const auto& [b, e] : excluded) c.excluded_time_ranges->push_back(cw::Range{b, e});
  c.metric_timezone = timezone;
  return c;
}

cw::AnomalyDetector ToWireMath(const MathDetectorRecord& d, std::string_view state) {
  cw::AnomalyDetector w;
  w.metric_math_anomaly_detector = cw::MetricMathAnomalyDetector{ToWireMetrics(d.queries)};
  w.configuration = WireConfiguration(d.excluded, d.timezone);
  w.state_value = std::string(state);
  if (d.periodic_spikes) w.metric_characteristics = cw::MetricCharacteristics{d.periodic_spikes};
  return w;
}

// Configuration and MetricCharacteristics of a Put, validated.
Result<DetectorConfiguration> SettingsOf(const RequestContext& ctx,
                                         const cw::PutAnomalyDetectorInput& in) {
  DetectorConfiguration d;
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
  return d;
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
  w.configuration = WireConfiguration(d.excluded, d.timezone);
  w.state_value = std::string(state);
  if (d.periodic_spikes) w.metric_characteristics = cw::MetricCharacteristics{d.periodic_spikes};
  return w;
}

}  // namespace

Status PutAnomalyDetector(RequestContext& ctx, const cw::PutAnomalyDetectorInput& in,
                          cw::PutAnomalyDetectorOutput&) {
  std::string key;
  std::string value;
  if (in.metric_math_anomaly_detector) {
    ASSIGN_OR_RETURN(MathDetectorRecord d, MathTargetOf(ctx, in));
    ASSIGN_OR_RETURN(static_cast<DetectorConfiguration&>(d), SettingsOf(ctx, in));
    key = MathDetectorKey(ctx.account, ctx.region, d.queries);
    value = EncodeMathDetector(d);
  } else {
    ASSIGN_OR_RETURN(DetectorRecord d, TargetOf(ctx, in));
    ASSIGN_OR_RETURN(static_cast<DetectorConfiguration&>(d), SettingsOf(ctx, in));
    key = DetectorKey(d.series, d.stat);
    value = EncodeDetector(d);
  }
  ASSIGN_OR_RETURN(alarms::StateStore * store, StoreOf(ctx));
  std::lock_guard<std::mutex> lock(PutMutex());
  // Replacing a detector's configuration does not add one; a new one must fit the quota.
  size_t count = 0;
  bool exists = false;
  RETURN_IF_ERROR(store->Scan(DetectorScopePrefix(ctx.account, ctx.region),
                              [&](std::string_view k, std::string_view) {
                                if (k == key) {
                                  exists = true;
                                  return false;
                                }
                                ++count;
                                return true;
                              }));
  if (!exists && count >= kMaxDetectors) {
    return MakeError(ErrorCode::kLimitExceededException,
                     std::string("The maximum number of anomaly detection models (") +
                         std::to_string(kMaxDetectors) +
                         ") for this account and region has been reached. Delete an anomaly "
                         "detection model before creating another.");
  }
  alarms::WriteBatch b;
  b.puts.emplace_back(std::move(key), std::move(value));
  return store->Write(b);
}

Status DeleteAnomalyDetector(RequestContext& ctx, const cw::DeleteAnomalyDetectorInput& in,
                             cw::DeleteAnomalyDetectorOutput&) {
  std::string key;
  if (in.metric_math_anomaly_detector) {
    ASSIGN_OR_RETURN(MathDetectorRecord d, MathTargetOf(ctx, in));
    key = MathDetectorKey(ctx.account, ctx.region, d.queries);
  } else {
    ASSIGN_OR_RETURN(DetectorRecord d, TargetOf(ctx, in));
    key = DetectorKey(d.series, d.stat);
  }
  ASSIGN_OR_RETURN(alarms::StateStore * store, StoreOf(ctx));
  bool found = false;
  RETURN_IF_ERROR(store->Scan(key, [&](std::string_view k, std::string_view) {
    found = k == key;
    return false;
  }));
  if (!found) {
    return MakeError(ErrorCode::kResourceNotFoundException,
                     in.metric_math_anomaly_detector
                         ? "No anomaly detection model found for these metric data queries."
                         : "No anomaly detection model found for this metric and statistic.");
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
  // No types (or an empty list): SINGLE_METRIC only (botocore: "If empty, defaults to
  // SINGLE_METRIC"); metric math detectors are listed only when METRIC_MATH is asked for.
  bool single = true;
  bool math = false;
  if (in.anomaly_detector_types && !in.anomaly_detector_types->empty()) {
    single = false;
    math = false;
    for (const std::string& t : *in.anomaly_detector_types) {
      if (t == "SINGLE_METRIC") {
        single = true;
      } else if (t == "METRIC_MATH") {
        math = true;
      } else {
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
  // Namespace, MetricName and Dimensions describe single-metric detectors: with any of them,
  // metric math detectors are not listed.
  const bool filtered = in.namespace_ || in.metric_name || !want.empty();
  struct Listed {
    std::string position;
    std::optional<DetectorRecord> single;
    std::optional<MathDetectorRecord> math;
  };
  std::vector<Listed> page;
  bool more = false;
  if (single || math) {
    RETURN_IF_ERROR(store->Scan(prefix, [&](std::string_view k, std::string_view v) {
      std::string_view rest = k.substr(prefix.size());
      if (!after.empty() && rest <= after) return true;
      if (!rest.empty() && rest.front() == kMathDetectorMark) {
        if (!math || filtered) return true;
        auto d = DecodeMathDetector(v);
        if (!d) return true;
        if (page.size() == static_cast<size_t>(max)) {
          more = true;
          return false;
        }
        page.push_back(Listed{std::string(rest), std::nullopt, std::move(*d)});
        return true;
      }
      if (!single) return true;
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
      page.push_back(Listed{std::string(rest), std::move(*d), std::nullopt});
      return true;
    }));
  }
  out.anomaly_detectors.emplace();
  for (const Listed& l : page) {
    if (l.math) {
      // As for single-metric detectors: the persisted training first, else an estimate.
      const auto persisted = PersistedMathTrainingState(*store, ctx.account, ctx.region, *l.math);
      out.anomaly_detectors->push_back(ToWireMath(
          *l.math, persisted ? *persisted : MathStateValue(*ctx.services->metrics, ctx, *l.math)));
    } else {
      // The scheduled retrainer's persisted training (anomaly_retrainer.h) when there is one;
      // until its first pass over this detector, an estimate from the data.
      const int period = ctx.services->anomaly_retrainer != nullptr
                             ? ctx.services->anomaly_retrainer->options().period_seconds
                             : 300;
      const auto persisted =
          PersistedTrainingState(*store, DetectorKey(l.single->series, l.single->stat), period);
      out.anomaly_detectors->push_back(ToWire(
          *l.single, persisted ? *persisted : StateValue(*ctx.services->metrics, *l.single, ctx.now)));
    }
  }
  if (more) out.next_token = EncodeToken("anom", page.back().position);
  return OkStatus();
}

}  // namespace vigil::api::ops
