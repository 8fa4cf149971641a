#include "alarms/metric_source.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "vigil/query/engine.h"
#include "vigil/query/math.h"

namespace vigil::alarms {
namespace {

ApiError Invalid(std::string m) {
  return MakeError(ErrorCode::kInvalidParameterValue, std::move(m));
}

storage::SeriesKey Series(const Alarm& a, const std::string& ns, const std::string& name,
                          const std::vector<storage::Dimension>& dims) {
  storage::SeriesKey k{a.account, a.region, ns, name, dims};
  k.Canonicalize();
  return k;
}

}  // namespace

Result<CompiledAlarm> CompileAlarm(const Alarm& a) {
  const AlarmConfig& cfg = a.config;
  CompiledAlarm c;
  auto cmp = ParseComparison(cfg.comparison_operator);
  if (!cmp) return Invalid("Invalid ComparisonOperator " + cfg.comparison_operator);
  const bool band = IsBandComparison(*cmp);
  if (band && !cfg.threshold_metric_id) {
    return Invalid("ComparisonOperators for ranges require ThresholdMetricId to be set");
  }
  if (!band && cfg.threshold_metric_id) {
    return Invalid(
        "ThresholdMetricId can only be used with the comparison operators "
        "LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold and "
        "GreaterThanUpperThreshold.");
  }
  if (band && cfg.metrics.empty()) {
    return Invalid("An alarm with a ThresholdMetricId must define its metrics with Metrics.");
  }
  c.rule.comparison = *cmp;
  c.rule.threshold = cfg.threshold.value_or(0);
  c.rule.evaluation_periods = cfg.evaluation_periods;
  c.rule.datapoints_to_alarm = cfg.datapoints_to_alarm.value_or(cfg.evaluation_periods);
  if (cfg.treat_missing_data) {
    c.rule.treat_missing =
        ParseTreatMissing(*cfg.treat_missing_data).value_or(TreatMissingData::kMissing);
  }
  if (cfg.namespace_ && cfg.namespace_->starts_with("AWS/DynamoDB")) {
    c.rule.treat_missing = TreatMissingData::kIgnore;  // cloudwatch-semantics.md §8
  }
  if (cfg.metrics.empty()) {
    const std::string& stat_text =
        cfg.statistic ? *cfg.statistic : cfg.extended_statistic.value_or("");
    c.statistic = query::Statistic::Parse(stat_text);
    if (!c.statistic) return Invalid("Invalid statistic " + stat_text);
    c.statistic_name = stat_text;
    c.period = cfg.period.value_or(60);
    c.series = Series(a, cfg.namespace_.value_or(""), cfg.metric_name.value_or(""), cfg.dimensions);
    if (cfg.unit) c.unit = storage::UnitCode(*cfg.unit);
    c.unit_name = cfg.unit;
    if (c.statistic->kind() == query::Statistic::Kind::kPercentile &&
        cfg.evaluate_low_sample_count_percentile == "ignore") {
      double p = c.statistic->percentile() / 100.0;
      c.rule.min_samples =
          p >= 0.5 ? (p >= 1.0 ? 1e300 : 10.0 / (1.0 - p)) : (p <= 0.0 ? 1e300 : 10.0 / p);
    }
    return c;
  }
  c.math = true;
  std::optional<int> period;
  for (const auto& m : cfg.metrics) {
    query::MetricDataQuery q;
    q.id = m.id;
    q.expression = m.expression;
    q.label = m.label;
    q.return_data = m.return_data.value_or(true);
    if (m.metric_stat) {
      const auto& s = *m.metric_stat;
      auto stat = query::Statistic::Parse(s.stat);
      if (!stat) return Invalid("Invalid statistic " + s.stat);
      q.statistic = std::move(*stat);
      q.series = Series(a, s.namespace_, s.metric_name, s.dimensions);
      if (s.unit) q.unit = storage::UnitCode(*s.unit);
      q.period_seconds = s.period;
      if (!period) period = s.period;
    } else {
      // An expression's SEARCH / SELECT runs in the alarm's own account and region.
      q.series.account = a.account;
      q.series.region = a.region;
      if (m.period) {
        q.period_seconds = *m.period;
        if (!period) period = *m.period;
      }
    }
    q.forbidden = m.account_id && *m.account_id != a.account;
    if (cfg.threshold_metric_id && m.id == *cfg.threshold_metric_id) {
      if (!m.expression || !IsBandExpression(*m.expression)) {
        return Invalid("The ThresholdMetricId " + m.id +
                       " must be the Id of an ANOMALY_DETECTION_BAND expression in Metrics.");
      }
      q.return_data = true;  // the band is read whatever ReturnData says
      c.threshold_id = m.id;
    } else if (q.return_data) {
      c.return_id = m.id;
    }
    c.queries.push_back(std::move(q));
  }
  if (c.return_id.empty()) return Invalid("No metric in Metrics has ReturnData set to true.");
  if (band && c.threshold_id.empty()) {
    return Invalid("The ThresholdMetricId " + *cfg.threshold_metric_id +
                   " does not match the Id of any metric in Metrics.");
  }
  c.period = period.value_or(60);
  for (auto& q : c.queries) {
    if (q.expression && q.period_seconds == 0) q.period_seconds = c.period;
  }
  return c;
}

bool IsBandExpression(std::string_view expression) {
  auto root = query::math::Parse(expression);
  return root.ok() && root->kind == query::math::Node::Kind::kCall &&
         root->text == "ANOMALY_DETECTION_BAND";
}

Timestamp RangeEnd(int period, Timestamp tick) {
  int64_t step = period >= 60 ? 60 : period;
  int64_t s = tick.seconds();
  return Timestamp::FromSeconds(s - ((s % step) + step) % step);
}

Result<std::vector<Slot>> FetchRange(storage::MetricStore& store, const CompiledAlarm& c,
                                     Timestamp tick,
                                     const query::AnomalyBandLookup& anomaly_settings,
                                     const query::ExpressionBandLookup& expression_settings) {
  const int length = EvaluationRangeLength(c.rule.evaluation_periods);
  const int64_t p = c.period;
  const Timestamp end = RangeEnd(c.period, tick);
  const Timestamp start = Timestamp::FromSeconds(end.seconds() - length * p);
  std::vector<Slot> slots(static_cast<size_t>(length));
  for (int i = 0; i < length; ++i) slots[i].start = Timestamp::FromSeconds(start.seconds() + i * p);
  auto place = [&](Timestamp t, double value, double samples) {
    int64_t off = t.seconds() - start.seconds();
    if (off < 0 || off % p != 0 || off / p >= length) return;
    auto& s = slots[static_cast<size_t>(off / p)];
    s.value = value;
    s.sample_count = samples;
  };
  if (!c.math) {
    query::MetricQuery q;
    q.series = c.series;
    q.unit = c.unit;
    q.statistic = *c.statistic;
    q.period_seconds = c.period;
    q.start = start;
    q.end = end;
    ASSIGN_OR_RETURN(auto series, query::QueryMetric(store, q, tick));
    for (const auto& pt : series.points) place(pt.timestamp, pt.value, pt.sample_count);
    return slots;
  }
  query::MetricDataRequest req;
  req.queries = c.queries;
  req.start = start;
  req.end = end;
  req.order = query::ScanOrder::kTimestampAscending;
  req.max_datapoints = query::kMaxDatapointsPerCall;
  req.anomaly_settings = anomaly_settings;
  req.expression_anomaly_settings = expression_settings;
  ASSIGN_OR_RETURN(auto page, query::GetMetricData(store, req, tick));
  int band_series = 0;  // ANOMALY_DETECTION_BAND answers the upper series first, the lower last
  for (const auto& r : page.results) {
    if (!c.threshold_id.empty() && r.id == c.threshold_id) {
      const bool upper = band_series++ == 0;
      for (size_t i = 0; i < r.timestamps.size() && i < r.values.size(); ++i) {
        int64_t off = r.timestamps[i].seconds() - start.seconds();
        if (off < 0 || off % p != 0 || off / p >= length) continue;
        auto& s = slots[static_cast<size_t>(off / p)];
        (upper ? s.upper : s.lower) = r.values[i];
      }
      continue;
    }
    if (r.id != c.return_id) continue;
    for (size_t i = 0; i < r.timestamps.size() && i < r.values.size(); ++i) {
      place(r.timestamps[i], r.values[i], 0);
    }
  }
  return slots;
}

std::string MetricReasonData(const CompiledAlarm& c, const Evaluation& e,
                             std::span<const Slot> range, Timestamp query_date) {
  nlohmann::ordered_json j;
  j["version"] = "1.0";
  j["queryDate"] = FormatAwsMillis(query_date);
  if (!e.evaluated.empty()) j["startDate"] = FormatAwsMillis(range[e.evaluated.back()].start);
  if (c.unit_name) j["unit"] = *c.unit_name;
  if (!c.math) j["statistic"] = c.statistic_name;
  j["period"] = c.period;
  nlohmann::ordered_json recent = nlohmann::ordered_json::array();
  for (auto it = e.evaluated.rbegin(); it != e.evaluated.rend(); ++it) {
    recent.push_back(*range[*it].value);
  }
  j["recentDatapoints"] = std::move(recent);
  const Comparison cmp = c.rule.comparison;
  const bool band = IsBandComparison(cmp);
  const bool lower = cmp == Comparison::kLessThanLowerOrGreaterThanUpperThreshold ||
                     cmp == Comparison::kLessThanLowerThreshold;
  const bool upper = cmp == Comparison::kLessThanLowerOrGreaterThanUpperThreshold ||
                     cmp == Comparison::kGreaterThanUpperThreshold;
  auto bounds = [&](bool want_upper) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto it = e.evaluated.rbegin(); it != e.evaluated.rend(); ++it) {
      const auto& b = want_upper ? range[*it].upper : range[*it].lower;
      if (b) {
        out.push_back(*b);
      } else {
        out.push_back(nullptr);
      }
    }
    return out;
  };
  if (lower) j["recentLowerThresholds"] = bounds(false);
  if (upper) j["recentUpperThresholds"] = bounds(true);
  if (!band) j["threshold"] = c.rule.threshold;
  // Evaluated points newest first: the real ones, and the missing periods filled with the
  // treatment (the newest missing ones), which carry only a timestamp.
  std::vector<size_t> points(e.evaluated.begin(), e.evaluated.end());
  std::vector<size_t> filled;
  for (size_t i = range.size(); i-- > 0 && static_cast<int>(filled.size()) < e.filled;) {
    if (std::find(points.begin(), points.end(), i) == points.end() && !range[i].value) {
      filled.push_back(i);
    }
  }
  points.insert(points.end(), filled.begin(), filled.end());
  std::sort(points.begin(), points.end(), std::greater<>());
  nlohmann::ordered_json evaluated = nlohmann::ordered_json::array();
  for (size_t i : points) {
    nlohmann::ordered_json p;
    p["timestamp"] = FormatAwsMillis(range[i].start);
    if (range[i].value) {
      if (!c.math) p["sampleCount"] = range[i].sample_count;
      p["value"] = *range[i].value;
      // One-sided band alarms carry the bound they compare with (public AWS payload).
      if (band && lower != upper) {
        const auto& b = upper ? range[i].upper : range[i].lower;
        if (b) p["threshold"] = *b;
      }
    }
    evaluated.push_back(std::move(p));
  }
  j["evaluatedDatapoints"] = std::move(evaluated);
  return j.dump();
}

}  // namespace vigil::alarms
