// Metrics Insights: the SQL-like query language of GetMetricData expressions that begin with
// SELECT (UG cloudwatch-metrics-insights-querylanguage; docs/search-and-insights.md).
//
//   SELECT AVG|COUNT|MAX|MIN|SUM ( metric )
//   FROM namespace | SCHEMA ( namespace [, key]... )
//   [ WHERE condition ]
//   [ GROUP BY key [, key]... ]
//   [ ORDER BY AVG|COUNT|MAX|MIN|SUM ( ) [ ASC | DESC ] ]
//   [ LIMIT n ]                                          1 <= n <= 500
//
//   condition := or;  or := and (OR and)*;  and := unary (AND unary)*
//   unary     := NOT unary | ( or ) | key = 'v' | key != 'v' | key [NOT] IN ('v', ...)
//                | key [NOT] LIKE 'pattern'            % matches any run of characters
//
// Keywords are case-insensitive; identifiers (namespace, metric, keys) are case-sensitive and are
// either bare ([A-Za-z0-9_]+, not a keyword of this grammar) or "double-quoted" with backslash
// escapes. Label values are 'single-quoted' with backslash escapes.
//
// Semantics: every series of the namespace with that metric name (and, with SCHEMA, exactly
// those dimension names) that has data in the last 3 hours and satisfies WHERE is a candidate; the
// first 10,000 in key order are processed. Per period, the observations of all series in a group
// are merged and the SELECT function is applied (AVG = Sum/SampleCount of the merged set, COUNT =
// its SampleCount). GROUP BY forms one series per combination of key values; a series lacking a
// key falls in the `Other` group for it. Without ORDER BY, groups are sorted by their values
// (ascending, `Other` last); ORDER BY FUNC() sorts by FUNC over each result series' values. At
// most LIMIT (default and maximum 500) series are returned.
//
// Thread safety: parsed queries are immutable values; the functions are stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/metric_data.h"
#include "vigil/storage/metric_store.h"

namespace vigil::query {

inline constexpr size_t kInsightsMaxMetrics = 10'000;     // metrics processed by one query
inline constexpr size_t kInsightsMaxSeries = 500;         // series returned (and LIMIT's maximum)
inline constexpr int64_t kInsightsWindowSeconds = 3 * 3600;  // only the last three hours
inline constexpr size_t kInsightsMaxQueriesPerRequest = 1;
// The label GROUP BY gives a key that a series lacks.
inline constexpr std::string_view kInsightsOtherGroup = "Other";

enum class InsightsFunction : uint8_t { kAvg, kCount, kMax, kMin, kSum };
std::string_view InsightsFunctionName(InsightsFunction f);  // "AVG", ...

// A WHERE condition tree. Nodes live in InsightsQuery::where and refer to children by index.
struct InsightsCondition {
  enum class Kind : uint8_t {
    kEquals,      // key = 'v'
    kNotEquals,   // key != 'v'  (also true when the series lacks the key)
    kIn,          // key IN ('a', 'b')
    kNotIn,       // key NOT IN (...)  (also true when the series lacks the key)
    kLike,        // key LIKE 'pat%'
    kNotLike,     // key NOT LIKE 'pat%'  (also true when the series lacks the key)
    kAnd,
    kOr,
    kNot,
  };
  Kind kind = Kind::kEquals;
  std::string key;                  // comparisons
  std::vector<std::string> values;  // comparisons: one value, or the IN list, or the pattern
  std::vector<int> children;        // kAnd, kOr: two; kNot: one
};

struct InsightsQuery {
  InsightsFunction function = InsightsFunction::kAvg;
  std::string metric_name;
  std::string namespace_;
  // SCHEMA(...): only series whose dimension names are exactly these (sorted, unique). Absent:
  // FROM namespace, any dimensions.
  std::optional<std::vector<std::string>> schema;
  std::vector<InsightsCondition> where;  // empty: no WHERE
  int where_root = -1;
  std::vector<std::string> group_by;
  std::optional<InsightsFunction> order_by;
  bool descending = false;  // ORDER BY ... DESC
  size_t limit = kInsightsMaxSeries;
};

// True when `expression` is a Metrics Insights query rather than metric math: its first word is
// SELECT (any case).
bool IsInsightsQuery(std::string_view expression);

// Parses a query. Errors are ValidationError with a message naming the problem and its 1-based
// character position.
Result<InsightsQuery> ParseInsightsQuery(std::string_view text);

// Whether a series is a candidate for the query (namespace, metric, schema, WHERE). Ignores
// account, region and age.
bool InsightsMatches(const InsightsQuery& query, const storage::SeriesKey& series);

struct InsightsSeries {
  std::vector<std::string> group;  // one value per GROUP BY key ("Other" when lacking)
  std::string label;               // group values joined by " "; empty without GROUP BY
  std::vector<Timestamp> timestamps;  // ascending period starts
  std::vector<double> values;
};

struct InsightsResult {
  std::vector<InsightsSeries> series;
  size_t metrics_matched = 0;       // candidates found (all, also beyond kInsightsMaxMetrics)
  bool metrics_truncated = false;   // more than kInsightsMaxMetrics candidates: some ignored
  bool series_truncated = false;    // more groups than LIMIT: some not returned
};

// Runs the query for (account, region) over [start, end) with `period_seconds`, asked at `now`.
// The range is clipped to [now - 3 h, end): older data is not queryable. Periods are laid out as
// GetMetricData lays them (RoundStart, engine.h). Errors: store failures; ValidationError when
// period_seconds is not positive.
Result<InsightsResult> ExecuteInsightsQuery(storage::MetricStore& store, std::string_view account,
                                            std::string_view region, const InsightsQuery& query,
                                            Timestamp start, Timestamp end, int period_seconds,
                                            Timestamp now);

// The result as GetMetricData results: one per series, all with `id`; the label is the series'
// label, or `id` when the query has no GROUP BY. Status Complete (the caller's paging decides
// PartialData); vigil adds a `MaxMetricsLimitExceeded` / `MaxSeriesLimitExceeded` message to each
// result when a limit cut the answer.
std::vector<MetricDataResult> ToMetricDataResults(const InsightsResult& result,
                                                  std::string_view id);

// The per-request rule: at most one Metrics Insights query among a GetMetricData request's
// queries. ValidationError otherwise.
Status CheckInsightsQueryCount(const std::vector<MetricDataQuery>& queries);

}  // namespace vigil::query
