// SEARCH: CloudWatch's search expressions (the first argument of SEARCH(...) in metric math),
// parsed into a boolean tree of search terms and evaluated against the series index.
// docs/search-and-insights.md has the full grammar, AWS's rules and vigil's decisions.
//
//   expression := [schema [","]] [terms]            (at least one of the two)
//   schema     := "{" name ("," name)* "}"           namespace, then dimension names (exact set)
//   terms      := or
//   or         := and ("OR" and)*
//   and        := unary (["AND"] unary)*             juxtaposition is an implicit AND
//   unary      := "NOT" unary | "(" or ")" | term
//   term       := [designator "="] (partial | exact)
//   designator := MetricName | Namespace | <dimension name>   (bare or "double-quoted")
//   exact      := '"' chars '"'                      backslash escapes \" \\ \( \)
//   partial    := any run of characters other than whitespace, ( ) " =
// Boolean operators are case-sensitive (`and` is a search term).
//
// Matching (UG search-expression-syntax): names are split into tokens at camel-case humps, where
// digits start and at non-alphanumeric characters. An exact term equals a whole namespace, metric
// name, dimension name or dimension value (case-sensitive). A partial term matches a single token
// case-insensitively, the whole name with its delimiters removed case-insensitively, or a run of
// consecutive tokens (case-sensitive within a camel-cased word, case-insensitive across
// delimiters: `CustomCount` and `network/errors` match, `customcount` and `count1` do not match
// CustomCount1). A designator restricts a term to the metric name, the namespace or the value of
// the named dimension. A schema keeps only series in that namespace whose dimension names are
// exactly the listed ones.
//
// Thread safety: parsed expressions are immutable values; the functions are stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/engine.h"
#include "vigil/query/statistic.h"
#include "vigil/storage/metric_store.h"

namespace vigil::query {

// "The maximum search expression query size is 1024 characters."
inline constexpr size_t kMaxSearchExpressionLength = 1024;
// "A search expression ... can return up to 500 time series."
inline constexpr size_t kMaxSearchSeries = 500;
// SEARCH, like ListMetrics, only finds metrics with data in the past two weeks.
inline constexpr int64_t kSearchLookbackSeconds = 14 * 24 * 3600;

// One search term.
struct SearchTerm {
  enum class Field : uint8_t {
    kAny,         // namespace, metric name, dimension names or dimension values
    kMetricName,  // MetricName=...
    kNamespace,   // Namespace=...
    kDimension,   // <dimension>=...: the value of that dimension
  };
  Field field = Field::kAny;
  std::string dimension;  // kDimension only
  std::string text;       // unescaped, without the quotes
  bool exact = false;     // written in double quotes
  bool operator==(const SearchTerm&) const = default;
};

// A node of the boolean tree. Nodes live in SearchExpression::nodes and refer to their children
// by index, so an expression is a plain copyable value.
struct SearchNode {
  enum class Kind : uint8_t { kTerm, kAnd, kOr, kNot };
  Kind kind = Kind::kTerm;
  SearchTerm term;            // kTerm
  std::vector<int> children;  // kAnd, kOr: two or more; kNot: one
};

struct SearchSchema {
  std::string namespace_;
  std::vector<std::string> dimension_names;  // sorted, without duplicates
  bool operator==(const SearchSchema&) const = default;
};

struct SearchExpression {
  std::optional<SearchSchema> schema;
  std::vector<SearchNode> nodes;
  int root = -1;  // index into nodes; -1: no search terms (the schema alone decides)
};

// Parses the search expression (the text inside SEARCH's first quoted argument). Errors are
// ValidationError with a message naming the problem and its 1-based character position.
Result<SearchExpression> ParseSearchExpression(std::string_view text);

// Whether a series matches the expression (schema and terms). Ignores account, region and age.
bool SearchMatches(const SearchExpression& search, const storage::SeriesKey& series);

struct SearchResult {
  std::vector<storage::SeriesKey> series;  // in (namespace, metric name, dimensions) order
  bool truncated = false;                  // more than `limit` series matched
};

// The series of (account, region) that match and have data at or after now - 14 days, at most
// `limit` (capped at kMaxSearchSeries). Errors: store failures only.
Result<SearchResult> FindSearchSeries(storage::MetricStore& store, std::string_view account,
                                      std::string_view region, const SearchExpression& search,
                                      Timestamp now, size_t limit = kMaxSearchSeries);

// The label a SEARCH result series carries when the query has none: the series' dimension values
// (in dimension-name order) then the metric name, space-separated ("i-0abc CPUUtilization").
std::string SearchSeriesLabel(const storage::SeriesKey& series);

// One SEARCH result series with its values.
struct SearchSeriesData {
  storage::SeriesKey series;
  std::string label;    // SearchSeriesLabel
  MetricSeries values;  // QueryMetric's answer (first unit by name when several)
};

// SEARCH(expression, statistic, period) over [start, end) asked at `now`: FindSearchSeries, then
// QueryMetric for each series. `truncated` as in SearchResult.
struct SearchData {
  std::vector<SearchSeriesData> series;
  bool truncated = false;
};
Result<SearchData> EvaluateSearch(storage::MetricStore& store, std::string_view account,
                                  std::string_view region, const SearchExpression& search,
                                  const Statistic& statistic, int period_seconds, Timestamp start,
                                  Timestamp end, Timestamp now);

}  // namespace vigil::query
