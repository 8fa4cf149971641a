// Metrics Insights execution (insights.h; docs/search-and-insights.md "Metrics Insights").
#include "vigil/query/insights.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "query/smallest_keys.h"
#include "vigil/query/engine.h"

namespace vigil::query {
namespace {

const std::string* FindDimension(const storage::SeriesKey& s, std::string_view name) {
  for (const auto& d : s.dimensions) {
    if (d.name == name) return &d.value;
  }
  return nullptr;
}

// SQL LIKE with `%` as the only wildcard (any run of characters, possibly empty).
bool Like(std::string_view value, std::string_view pattern) {
  size_t v = 0, p = 0;
  size_t star_p = std::string_view::npos, star_v = 0;
  while (v < value.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = p++;
      star_v = v;
    } else if (p < pattern.size() && pattern[p] == value[v]) {
      ++p;
      ++v;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      v = ++star_v;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

bool Eval(const InsightsQuery& q, int i, const storage::SeriesKey& s) {
  const InsightsCondition& c = q.where[i];
  using K = InsightsCondition::Kind;
  switch (c.kind) {
    case K::kAnd:
      return Eval(q, c.children[0], s) && Eval(q, c.children[1], s);
    case K::kOr:
      return Eval(q, c.children[0], s) || Eval(q, c.children[1], s);
    case K::kNot:
      return !Eval(q, c.children[0], s);
    default:
      break;
  }
  const std::string* v = FindDimension(s, c.key);
  switch (c.kind) {
    case K::kEquals:
      return v && *v == c.values[0];
    case K::kNotEquals:
      return !v || *v != c.values[0];
    case K::kIn:
      return v && std::find(c.values.begin(), c.values.end(), *v) != c.values.end();
    case K::kNotIn:
      return !v || std::find(c.values.begin(), c.values.end(), *v) == c.values.end();
    case K::kLike:
      return v && Like(*v, c.values[0]);
    case K::kNotLike:
      return !v || !Like(*v, c.values[0]);
    default:
      return false;
  }
}

struct Merged {
  double count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
};

double Apply(InsightsFunction f, const Merged& m) {
  switch (f) {
    case InsightsFunction::kAvg:
      return m.sum / m.count;
    case InsightsFunction::kCount:
      return m.count;
    case InsightsFunction::kMax:
      return m.max;
    case InsightsFunction::kMin:
      return m.min;
    case InsightsFunction::kSum:
      return m.sum;
  }
  return 0;
}

// ORDER BY FUNC(): FUNC over the values of one result series.
double Scalar(InsightsFunction f, const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  switch (f) {
    case InsightsFunction::kCount:
      return static_cast<double>(values.size());
    case InsightsFunction::kMax:
      return *std::max_element(values.begin(), values.end());
    case InsightsFunction::kMin:
      return *std::min_element(values.begin(), values.end());
    case InsightsFunction::kSum:
    case InsightsFunction::kAvg: {
      double sum = 0;
      for (double v : values) sum += v;
      return f == InsightsFunction::kSum ? sum : sum / static_cast<double>(values.size());
    }
  }
  return 0;
}

// A group's identity: per GROUP BY key, (lacks the key, value). `Other` (true) sorts last.
using GroupKey = std::vector<std::pair<bool, std::string>>;

}  // namespace

bool InsightsMatches(const InsightsQuery& q, const storage::SeriesKey& s) {
  if (s.namespace_ != q.namespace_ || s.metric_name != q.metric_name) return false;
  if (q.schema) {
    if (s.dimensions.size() != q.schema->size()) return false;
    for (size_t i = 0; i < s.dimensions.size(); ++i) {
      if (s.dimensions[i].name != (*q.schema)[i]) return false;
    }
  }
  return q.where_root < 0 || Eval(q, q.where_root, s);
}

Result<InsightsResult> ExecuteInsightsQuery(storage::MetricStore& store, std::string_view account,
                                            std::string_view region, const InsightsQuery& query,
                                            Timestamp start, Timestamp end, int period_seconds,
                                            Timestamp now) {
  if (period_seconds <= 0) {
    return MakeError(ErrorCode::kValidationError,
                     "A Metrics Insights query needs a positive Period.");
  }
  InsightsResult out;
  const Timestamp window_start = Timestamp::FromSeconds(now.seconds() - kInsightsWindowSeconds);

  // The candidates: the first kInsightsMaxMetrics in key order.
  storage::ListFilter filter;
  filter.account = std::string(account);
  filter.region = std::string(region);
  filter.namespace_ = query.namespace_;
  filter.metric_name = query.metric_name;
  filter.active_since = window_start;
  internal::SmallestKeys kept(kInsightsMaxMetrics);
  storage::SeriesKey key;  // decoded into again and again: no allocation per series
  RETURN_IF_ERROR(store.ScanSeries(filter, [&](std::string_view bytes, Timestamp) {
    if (storage::DecodeSeriesKeyInto(bytes, key) && InsightsMatches(query, key)) kept.Offer(key);
    return true;
  }));
  out.metrics_matched = kept.offered();
  out.metrics_truncated = kept.truncated();
  const std::vector<storage::SeriesKey> candidates = kept.Take();

  // Periods as GetMetricData lays them, moved forward by whole periods into the window.
  Timestamp first = RoundStart(start, period_seconds, now);
  const int64_t p_ms = int64_t{period_seconds} * 1000;
  if (first < window_start) {
    int64_t behind = window_start.millis - first.millis;
    first.millis += (behind + p_ms - 1) / p_ms * p_ms;
  }

  std::map<GroupKey, std::map<int64_t, Merged>> groups;
  if (query.group_by.empty()) groups[GroupKey{}];  // one series, even without data
  for (const auto& key : candidates) {
    if (first >= end) break;
    FetchRequest req;
    req.series = key;
    req.start = first;
    req.end = end;
    req.period_seconds = period_seconds;
    req.now = now;
    ASSIGN_OR_RETURN(auto units, FetchPeriods(store, req));
    if (units.empty()) continue;
    GroupKey g;
    g.reserve(query.group_by.size());
    for (const auto& k : query.group_by) {
      const std::string* v = FindDimension(key, k);
      g.emplace_back(v == nullptr, v ? *v : std::string(kInsightsOtherGroup));
    }
    auto& periods = groups[std::move(g)];
    for (const auto& u : units) {
      for (const auto& pv : u.periods) {
        if (pv.stats.empty()) continue;
        Merged& m = periods[pv.start.millis];
        m.count += pv.stats.sample_count;
        m.sum += pv.stats.sum;
        m.min = std::min(m.min, pv.stats.minimum);
        m.max = std::max(m.max, pv.stats.maximum);
      }
    }
  }

  for (auto& [g, periods] : groups) {
    InsightsSeries s;
    for (const auto& [k, missing_value] : g) {
      (void)k;
      s.group.push_back(missing_value);
      if (!s.label.empty()) s.label += ' ';
      s.label += missing_value;
    }
    for (const auto& [t, m] : periods) {
      s.timestamps.push_back(Timestamp::FromMillis(t));
      s.values.push_back(Apply(query.function, m));
    }
    out.series.push_back(std::move(s));
  }
  if (query.order_by) {
    std::vector<std::pair<double, size_t>> keys;
    keys.reserve(out.series.size());
    for (size_t i = 0; i < out.series.size(); ++i) {
      keys.emplace_back(Scalar(*query.order_by, out.series[i].values), i);
    }
    const bool desc = query.descending;
    std::stable_sort(keys.begin(), keys.end(), [desc](const auto& a, const auto& b) {
      return desc ? a.first > b.first : a.first < b.first;
    });
    std::vector<InsightsSeries> sorted;
    sorted.reserve(keys.size());
    for (const auto& [v, i] : keys) sorted.push_back(std::move(out.series[i]));
    out.series = std::move(sorted);
  }
  if (out.series.size() > query.limit) {
    out.series.resize(query.limit);
    out.series_truncated = true;
  }
  return out;
}

std::vector<MetricDataResult> ToMetricDataResults(const InsightsResult& result,
                                                  std::string_view id) {
  std::vector<DataMessage> messages;
  if (result.metrics_truncated) {
    std::string m = "The query matched more than ";
    m += std::to_string(kInsightsMaxMetrics);
    m += " metrics; only the first ";
    m += std::to_string(kInsightsMaxMetrics);
    m += " were processed.";
    messages.push_back({"MaxMetricsLimitExceeded", std::move(m)});
  }
  if (result.series_truncated) {
    messages.push_back({"MaxSeriesLimitExceeded",
                        "The query produced more time series than its LIMIT; the rest were "
                        "not returned."});
  }
  std::vector<MetricDataResult> out;
  for (const auto& s : result.series) {
    MetricDataResult r;
    r.id = std::string(id);
    r.label = s.label.empty() ? std::string(id) : s.label;
    r.timestamps = s.timestamps;
    r.values = s.values;
    r.messages = messages;
    out.push_back(std::move(r));
  }
  if (out.empty()) {
    MetricDataResult r;
    r.id = std::string(id);
    r.label = std::string(id);
    r.messages = messages;
    out.push_back(std::move(r));
  }
  return out;
}

Status CheckInsightsQueryCount(const std::vector<MetricDataQuery>& queries) {
  size_t n = 0;
  for (const auto& q : queries) {
    if (q.expression && IsInsightsQuery(*q.expression)) ++n;
  }
  if (n > kInsightsMaxQueriesPerRequest) {
    std::string m = "A GetMetricData request may contain only one Metrics Insights query; this one "
                    "contains ";
    m += std::to_string(n);
    m += ".";
    return MakeError(ErrorCode::kValidationError, std::move(m));
  }
  return OkStatus();
}

}  // namespace vigil::query
