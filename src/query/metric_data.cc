// The GetMetricData engine (metric_data.h; docs/query.md "GetMetricData", docs/metric-math.md).
//
// Every query the page needs is computed once (memoised): a MetricStat through QueryMetric, an
// Expression through the metric-math evaluator (query/math/), which reads the other queries it
// names through this engine, and a SELECT through Metrics Insights. Each computed query is a list
// of series (one for MetricStat and single-series expressions, any number for arrays, SEARCH and
// SELECT); every series becomes one MetricDataResult with the query's Id.
#include "vigil/query/metric_data.h"

#include <algorithm>
#include <map>

#include "query/anomaly_band.h"
#include "query/labels.h"
#include "query/math/plan.h"
#include "query/page_token.h"
#include "vigil/query/engine.h"
#include "vigil/query/insights.h"
#include "vigil/query/math.h"
#include "vigil/query/search.h"

namespace vigil::query {
namespace {

DataMessage MultipleUnits(const std::vector<uint8_t>& units) {
  std::string list;
  for (uint8_t u : units) {
    if (!list.empty()) list += ", ";
    list += storage::UnitName(u);
  }
  return {"MultipleUnits", "Multiple units returned: '[" + list + "]'"};
}

ApiError InvalidToken() {
  return MakeError(ErrorCode::kInvalidNextToken, "The NextToken is invalid.");
}

ApiError ExpressionError(std::string_view id, const ApiError& e) {
  // Not ours, or already named (an error of a query this one reads).
  if (e.code != ErrorCode::kValidationError || e.message.starts_with("Error in expression ")) {
    return e;
  }
  std::string m = "Error in expression ";
  m += id;
  m += ": ";
  m += e.message;
  if (!m.empty() && m.back() != '.') m += '.';
  m += '\n';
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

std::vector<Point> ToPoints(const math::Series& s) {
  std::vector<Point> pts(s.times.size());
  for (size_t i = 0; i < pts.size(); ++i) {
    pts[i].timestamp = Timestamp{s.times[i]};
    pts[i].value = s.values[i];
  }
  return pts;
}

// One computed query.
struct Output {
  math::Value value;  // kSeries or kArray; every series carries its final label
  std::vector<DataMessage> messages;
  bool forbidden = false;
};

class Engine final : public math::Environment {
 public:
  Engine(storage::MetricStore& store, const MetricDataRequest& request,
         const math::internal::RequestPlan& plan, Timestamp as_of)
      : store_(store),
        request_(request),
        plan_(plan),
        as_of_(as_of),
        default_labels_(internal::DefaultLabels(request.queries)),
        memo_(request.queries.size()) {
    for (size_t i = 0; i < request.queries.size(); ++i) by_id_.emplace(request.queries[i].id, i);
    min_period_ = 0;
    for (const auto& q : request.queries) {
      if (q.expression) continue;
      if (min_period_ == 0 || q.period_seconds < min_period_) min_period_ = q.period_seconds;
      if (account_.empty()) {
        account_ = q.series.account;
        region_ = q.series.region;
      }
    }
    if (min_period_ == 0) min_period_ = 60;
  }

  Result<const Output*> Get(size_t i) {
    if (!memo_[i]) {
      const MetricDataQuery& q = request_.queries[i];
      Result<Output> out = !q.expression    ? MetricStat(i)
                           : plan_.nodes[i] ? Expression(i)
                                            : Insights(i);
      if (!out.ok()) return std::move(out).error();
      memo_[i] = std::move(*out);
    }
    return &*memo_[i];
  }

  Result<const math::Value*> Query(std::string_view id) override {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
      return MakeError(ErrorCode::kValidationError, "unknown id " + std::string(id));
    }
    ASSIGN_OR_RETURN(const Output* out, Get(it->second));
    return &out->value;
  }

  Result<const math::Value*> Metrics(std::optional<std::string_view> filter) override {
    // Keyed by the filter ("\x01" for none, which no label filter can be): computed once.
    std::string key = filter ? std::string(*filter) : std::string("\x01");
    auto it = metrics_.find(key);
    if (it != metrics_.end()) return &it->second;
    math::Value v;
    v.type = math::Type::kArray;
    for (size_t i = 0; i < request_.queries.size(); ++i) {
      if (request_.queries[i].expression) continue;
      ASSIGN_OR_RETURN(const Output* out, Get(i));
      const math::Series& s = out->value.series.front();
      if (filter && s.label.find(*filter) == std::string::npos) continue;
      v.series.push_back(s);
    }
    return &metrics_.emplace(std::move(key), std::move(v)).first->second;
  }

  Result<math::Value> Search(const math::SearchCall& call) override {
    auto parsed = ParseSearchExpression(call.expression);
    if (!parsed.ok()) return std::move(parsed).error();
    auto stat = Statistic::Parse(call.stat);
    if (!stat) {
      return MakeError(ErrorCode::kValidationError,
                       "SEARCH: " + call.stat + " is not a valid statistic");
    }
    const MetricDataQuery& q = request_.queries[current_];
    const std::string& account = q.series.account.empty() ? account_ : q.series.account;
    const std::string& region = q.series.account.empty() ? region_ : q.series.region;
    ASSIGN_OR_RETURN(SearchData data,
                     EvaluateSearch(store_, account, region, *parsed, *stat, call.period_seconds,
                                    request_.start, request_.end, as_of_));
    math::Value v;
    v.type = math::Type::kArray;
    for (const SearchSeriesData& d : data.series) {
      math::Series s;
      s.label = d.label;
      s.period_seconds = call.period_seconds;
      s.times.reserve(d.values.points.size());
      s.values.reserve(d.values.points.size());
      for (const Point& p : d.values.points) {
        s.times.push_back(p.timestamp.millis);
        s.values.push_back(p.value);
      }
      v.series.push_back(std::move(s));
    }
    if (data.truncated) {
      std::string m = "SEARCH matched more than ";
      m += std::to_string(kMaxSearchSeries);
      m += " metrics; only the first ";
      m += std::to_string(kMaxSearchSeries);
      m += " were returned.";
      pending_messages_.push_back({"MaxSeriesLimitExceeded", std::move(m)});
    }
    return v;
  }

  // ANOMALY_DETECTION_BAND's value for `s`: two series, upper first and lower last
  // (cloudwatch-semantics.md §9), labelled after `s`; empty where `band` has no values.
  static math::Value BandValue(const math::Series& s, internal::BandSeries band) {
    math::Value v;
    v.type = math::Type::kArray;
    math::Series upper, lower;
    upper.label = s.label + " (upper)";
    lower.label = s.label + " (lower)";
    upper.period_seconds = lower.period_seconds = s.period_seconds;
    upper.times = band.times;
    lower.times = std::move(band.times);
    upper.values = std::move(band.upper);
    lower.values = std::move(band.lower);
    v.series.push_back(std::move(upper));
    v.series.push_back(std::move(lower));
    return v;
  }

  Result<math::Value> AnomalyBand(const math::Series& s, double k) override {
    const MetricDataQuery& q = request_.queries[*s.source];
    internal::BandSeries band;
    if (!q.forbidden) {
      internal::BandRequest br;
      br.metric.series = q.series;
      br.metric.unit = q.unit;
      br.metric.statistic = q.statistic;
      br.metric.period_seconds = q.period_seconds;
      br.times = s.times;
      br.k = k;
      if (request_.anomaly_settings) {
        if (auto settings = request_.anomaly_settings(q.series, q.statistic)) {
          br.settings = std::move(*settings);
        }
      }
      ASSIGN_OR_RETURN(band, internal::ComputeAnomalyBand(store_, br, as_of_));
    }
    return BandValue(s, std::move(band));
  }

  Result<std::optional<math::Value>> ExpressionAnomalyBand(std::string_view id,
                                                           const math::Series& s,
                                                           double k) override {
    internal::BandSeries band;
    auto it = by_id_.find(id);
    if (it != by_id_.end() && !s.times.empty()) {
      internal::ExpressionBandRequest br;
      // The matching MetricMathAnomalyDetector's settings (and persisted model), if any.
      if (request_.expression_anomaly_settings) {
        if (auto settings = request_.expression_anomaly_settings(request_.queries, id)) {
          br.settings = std::move(*settings);
        }
      }
      // The expression again, over the training window before the first point up to the last
      // one: a request of its own in which only `id` returns data.
      ASSIGN_OR_RETURN(br.history,
                       internal::ExpressionHistory(store_, request_, id,
                                                   internal::ExpressionBandHistoryStart(
                                                       s.times, br.settings.retrain_seconds),
                                                   Timestamp{s.times.back()}, as_of_));
      br.times = s.times;
      br.period_seconds = s.period_seconds;
      br.k = k;
      ASSIGN_OR_RETURN(band, internal::ComputeExpressionBand(br));
    }
    return std::optional<math::Value>(BandValue(s, std::move(band)));
  }

 private:
  Result<Output> MetricStat(size_t i) {
    const MetricDataQuery& q = request_.queries[i];
    Output out;
    out.value.type = math::Type::kSeries;
    MetricSeries series;
    if (q.forbidden) {
      out.forbidden = true;
      out.messages.push_back({"Forbidden", "vigil keeps accounts apart: query " + q.id +
                                               " names an account other than the caller's."});
    } else {
      MetricQuery mq{q.series, q.unit, q.statistic, q.period_seconds, request_.start, request_.end};
      ASSIGN_OR_RETURN(series, QueryMetric(store_, mq, as_of_));
      if (!q.unit && series.units.size() > 1) out.messages.push_back(MultipleUnits(series.units));
    }
    internal::LabelContext lc{&q, default_labels_[i], &series.points,
                              request_.timezone_offset_minutes};
    math::Series s;
    s.label = q.label ? internal::ExpandLabel(*q.label, lc) : default_labels_[i];
    s.period_seconds = q.period_seconds;
    s.source = i;
    s.times.reserve(series.points.size());
    s.values.reserve(series.points.size());
    for (const Point& p : series.points) {
      s.times.push_back(p.timestamp.millis);
      s.values.push_back(p.value);
    }
    out.value.series.push_back(std::move(s));
    return out;
  }

  int ExpressionPeriod(const MetricDataQuery& q) const {
    return q.period_seconds > 0 ? q.period_seconds : min_period_;
  }

  Result<Output> Expression(size_t i) {
    const MetricDataQuery& q = request_.queries[i];
    const size_t saved = current_;
    std::vector<DataMessage> saved_messages = std::move(pending_messages_);
    pending_messages_.clear();
    current_ = i;
    math::EvalContext ctx{request_.start, request_.end, as_of_, ExpressionPeriod(q), this};
    Result<math::Value> value = math::Evaluate(*plan_.nodes[i], ctx);
    current_ = saved;
    Output out;
    out.messages = std::move(pending_messages_);
    pending_messages_ = std::move(saved_messages);
    if (!value.ok()) return ExpressionError(q.id, value.error());
    out.value = std::move(*value);
    out.value.type = plan_.types[i];
    // ${PROP('Period')} of an expression is the period it was evaluated with.
    MetricDataQuery props = q;
    props.period_seconds = ctx.period_seconds;
    if (out.value.type == math::Type::kSeries) {
      math::Series& s = out.value.series.front();
      s.label = q.label ? Expand(*q.label, props, q.id, s) : q.id;
      s.source.reset();
    } else {
      for (math::Series& s : out.value.series) {
        if (!q.label) continue;
        if (q.label->find("${") != std::string::npos) {
          const MetricDataQuery& src = s.source ? request_.queries[*s.source] : props;
          s.label = Expand(*q.label, src, s.label, s);
        } else if (!q.label->empty()) {
          s.label = *q.label + " " + s.label;
        }
      }
    }
    return out;
  }

  Result<Output> Insights(size_t i) {
    const MetricDataQuery& q = request_.queries[i];
    auto parsed = ParseInsightsQuery(*q.expression);
    if (!parsed.ok()) return ExpressionError(q.id, parsed.error());
    const std::string& account = q.series.account.empty() ? account_ : q.series.account;
    const std::string& region = q.series.account.empty() ? region_ : q.series.region;
    const int period = q.period_seconds > 0 ? q.period_seconds : 60;
    ASSIGN_OR_RETURN(InsightsResult result,
                     ExecuteInsightsQuery(store_, account, region, *parsed, request_.start,
                                          request_.end, period, as_of_));
    Output out;
    out.value.type = math::Type::kArray;
    for (MetricDataResult& r : ToMetricDataResults(result, q.id)) {
      math::Series s;
      s.label = q.label ? *q.label : r.label;
      if (q.label && result.series.size() > 1) s.label = *q.label + " " + r.label;
      s.period_seconds = period;
      for (Timestamp t : r.timestamps) s.times.push_back(t.millis);
      s.values = std::move(r.values);
      if (out.messages.empty()) out.messages = std::move(r.messages);
      out.value.series.push_back(std::move(s));
    }
    return out;
  }

  std::string Expand(const std::string& label, const MetricDataQuery& q,
                     std::string_view default_label, const math::Series& s) const {
    if (label.find("${") == std::string::npos) return label;
    std::vector<Point> pts = ToPoints(s);
    internal::LabelContext lc{&q, default_label, &pts, request_.timezone_offset_minutes};
    return internal::ExpandLabel(label, lc);
  }

  storage::MetricStore& store_;
  const MetricDataRequest& request_;
  const math::internal::RequestPlan& plan_;
  const Timestamp as_of_;
  const std::vector<std::string> default_labels_;
  std::vector<std::optional<Output>> memo_;
  std::map<std::string, math::Value> metrics_;  // METRICS() per filter
  std::map<std::string_view, size_t> by_id_;
  int min_period_ = 60;
  std::string account_, region_;  // of the first MetricStat query: SEARCH/SELECT fallback
  size_t current_ = 0;            // the expression being evaluated
  std::vector<DataMessage> pending_messages_;
};

}  // namespace

std::string_view DataStatusName(DataStatus s) {
  switch (s) {
    case DataStatus::kComplete:
      return "Complete";
    case DataStatus::kPartialData:
      return "PartialData";
    case DataStatus::kForbidden:
      return "Forbidden";
  }
  return "InternalError";
}

std::optional<int> ParseTimezoneOffset(std::string_view t) {
  if (t.size() != 5 || (t[0] != '+' && t[0] != '-')) return std::nullopt;
  for (size_t i = 1; i < 5; ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  int hours = (t[1] - '0') * 10 + (t[2] - '0');
  int minutes = (t[3] - '0') * 10 + (t[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  int offset = hours * 60 + minutes;
  return t[0] == '-' ? -offset : offset;
}

Result<MetricDataPage> GetMetricData(storage::MetricStore& store, const MetricDataRequest& request,
                                     Timestamp now) {
  const math::internal::RequestPlan plan = math::internal::PlanRequest(request.queries);
  if (!plan.problems.empty()) {
    std::string text;
    for (const std::string& line : plan.problems) {
      text += line;
      text += '\n';
    }
    return MakeError(ErrorCode::kValidationError, std::move(text));
  }
  const uint64_t fingerprint = internal::Fingerprint(request);
  internal::PagePosition start{0, 0, std::nullopt, now};
  if (request.next_token) {
    auto decoded = internal::DecodePageToken(*request.next_token, fingerprint);
    if (!decoded || decoded->query >= request.queries.size()) return InvalidToken();
    start = *decoded;
  }
  // Every page answers as of the first call, so that rounding and retention do not move.
  const Timestamp as_of = start.first_call_now;
  const bool descending = request.order == ScanOrder::kTimestampDescending;
  Engine engine(store, request, plan, as_of);

  MetricDataPage page;
  size_t budget = std::clamp<size_t>(request.max_datapoints, 1, kMaxDatapointsPerCall);
  for (size_t i = start.query; i < request.queries.size(); ++i) {
    const MetricDataQuery& q = request.queries[i];
    if (!q.return_data) continue;
    ASSIGN_OR_RETURN(const Output* out, engine.Get(i));
    const size_t first = i == start.query ? start.series : 0;
    for (size_t s = first; s < out->value.series.size(); ++s) {
      if (budget == 0) {
        page.next_token = internal::EncodePageToken(
            {static_cast<uint32_t>(i), static_cast<uint32_t>(s), std::nullopt, as_of}, fingerprint);
        return page;
      }
      const math::Series& series = out->value.series[s];
      MetricDataResult r;
      r.id = q.id;
      r.label = series.label;
      r.messages = out->messages;
      if (out->forbidden) r.status = DataStatus::kForbidden;
      const std::vector<int64_t>& times = series.times;  // ascending

      // The values still due for this series, in scan order: [lo, hi) read forwards (ascending)
      // or backwards (descending).
      size_t lo = 0, hi = times.size();
      if (i == start.query && s == start.series && start.last) {
        const int64_t last = start.last->millis;
        if (descending) {
          hi = std::lower_bound(times.begin(), times.end(), last) - times.begin();
        } else {
          lo = std::upper_bound(times.begin(), times.end(), last) - times.begin();
        }
      }
      const size_t due = hi - lo;
      const size_t take = std::min(due, budget);
      r.timestamps.reserve(take);
      r.values.reserve(take);
      for (size_t k = 0; k < take; ++k) {
        const size_t at = descending ? hi - 1 - k : lo + k;
        r.timestamps.push_back(Timestamp{times[at]});
        r.values.push_back(series.values[at]);
      }
      budget -= take;
      const bool cut = take < due;
      if (cut) r.status = DataStatus::kPartialData;
      page.results.push_back(std::move(r));
      if (cut) {
        page.next_token =
            internal::EncodePageToken({static_cast<uint32_t>(i), static_cast<uint32_t>(s),
                                       page.results.back().timestamps.back(), as_of},
                                      fingerprint);
        return page;
      }
    }
  }
  return page;
}

}  // namespace vigil::query
