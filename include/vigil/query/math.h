// Metric math: CloudWatch's expression language for GetMetricData (and alarms with Metrics),
// documented in docs/metric-math.md.
//
// Three stages, each a pure function:
//   - Parse: text -> syntax tree, or a ValidationError naming the 1-based position of the problem;
//   - Check: the static type of a tree (scalar, time series, array of time series) given the
//     types of the ids it names, rejecting unknown functions, wrong argument counts and types;
//   - Evaluate: a tree -> a value, reading other queries' values and the request's metrics through
//     an Environment the caller provides (query/metric_data.cc does that for GetMetricData).
// CheckRequest does the request-level checks (ids that name no query, circular references, the
// result type) over every Expression of a request.
//
// Values: a time series is a list of (timestamp, value) points, ascending, one per period that
// has a value. Arithmetic between two series works on the union of their timestamps, a missing
// value counting as 0; a result that is not a finite number (division by zero, LOG(0), ...) drops
// that point.
//
// Thread safety: stateless functions; may run concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/metric_data.h"

namespace vigil::query::math {

// kString and kKeyword only appear as function arguments (METRICS('filter'), FILL(m1, REPEAT)).
enum class Type { kScalar, kSeries, kArray, kString, kKeyword };
std::string_view TypeName(Type t);  // "a scalar", "a time series", ...

struct Node {
  enum class Kind { kNumber, kString, kId, kKeyword, kUnary, kBinary, kCall, kArray };
  Kind kind = Kind::kNumber;
  size_t position = 1;  // 1-based offset of the node's first character in the expression
  double number = 0;    // kNumber
  // kString: the contents; kId, kKeyword: the name; kCall: the function; kUnary/kBinary: the
  // operator ("-", "+", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "AND", "OR").
  std::string text;
  std::vector<Node> children;  // operands, arguments or array elements
};

inline constexpr size_t kMaxExpressionDepth = 64;

// Parses one expression. Errors: ValidationError "syntax error at position N: ...".
Result<Node> Parse(std::string_view expression);

// The ids a tree names (each once, in order of appearance) and whether it calls METRICS().
struct References {
  std::vector<std::string> ids;
  bool metrics = false;
};
References CollectReferences(const Node& root);

// The static type of `root`. `id_type` gives the type of each query id (nullopt: no such query).
// Errors: ValidationError with a message that names the position of the offending part.
Result<Type> Check(const Node& root,
                   const std::function<std::optional<Type>(std::string_view)>& id_type);

// The request-level checks of every Expression query: syntax, unknown ids, circular references,
// types, and a result that is a time series or an array of them. One line per problem, each
// "Error in expression <id>: ..." (without a trailing newline). Empty when all is well.
std::vector<std::string> CheckRequest(const std::vector<MetricDataQuery>& queries);

struct Series {
  std::vector<int64_t> times;  // epoch milliseconds, ascending, unique
  std::vector<double> values;  // finite
  std::string label;
  int period_seconds = 60;
  // The MetricStat query the series comes from (index into the request), for dynamic labels.
  std::optional<size_t> source;
};

struct Value {
  Type type = Type::kScalar;
  double scalar = std::numeric_limits<double>::quiet_NaN();  // NaN: no value (AVG of nothing)
  std::vector<Series> series;  // kSeries: exactly one; kArray: any number
};

struct SearchCall {
  std::string expression;  // the first argument of SEARCH(...)
  std::string stat;
  int period_seconds = 300;
};

// What evaluation reads from outside the tree. Implementations memoise as they see fit.
class Environment {
 public:
  virtual ~Environment() = default;
  // The value of another query of the request (already checked to exist and not to be
  // circular). The value stays valid as long as the environment.
  virtual Result<const Value*> Query(std::string_view id) = 0;
  // METRICS(): every MetricStat query of the request, in request order; with a filter, only those
  // whose label contains it. The value stays valid as long as the environment.
  virtual Result<const Value*> Metrics(std::optional<std::string_view> label_filter) = 0;
  // SEARCH(...): one series per matching metric.
  virtual Result<Value> Search(const SearchCall& call) = 0;
  // ANOMALY_DETECTION_BAND(m, k) of one series of a MetricStat query (`series.source` is set):
  // two series, the upper band first and the lower band last, each with a value at the
  // timestamps of `series` where the model has a band (docs/anomaly-detection.md "API").
  // The default answers a ValidationError (environments without a store).
  virtual Result<Value> AnomalyBand(const Series& series, double k);
  // ANOMALY_DETECTION_BAND(e, k) where `id` names an Expression query whose value is one time
  // series (a metric math anomaly detector): the same two series, from a model trained on the
  // expression's own values before each point. nullopt (the default): this environment has no
  // band for expressions, and the call is a ValidationError as for any other non-MetricStat.
  virtual Result<std::optional<Value>> ExpressionAnomalyBand(std::string_view id,
                                                             const Series& series, double k);
};

struct EvalContext {
  Timestamp start;          // the request's StartTime, as given
  Timestamp end;            // exclusive
  Timestamp as_of;          // when the request was made (StartTime rounding)
  int period_seconds = 60;  // the expression's period: TIME_SERIES, SEARCH default, PERIOD of S
  Environment* environment = nullptr;
};

// Evaluates a tree that Check accepted. Errors: ValidationError (ANOMALY_DETECTION_BAND of
// something other than a MetricStat query or an expression query of one series, or with k <= 0, SEARCH when it is not available, a value
// out of range for SLICE/SORT), or the environment's errors.
Result<Value> Evaluate(const Node& root, const EvalContext& context);

inline constexpr size_t kMaxGridPoints = 1'000'000;

// The period starts (epoch milliseconds) of a series with `period_seconds` over the request's
// range: from the rounded StartTime, every period, before EndTime (what FILL and TIME_SERIES
// fill). Errors: ValidationError beyond kMaxGridPoints periods.
Result<std::vector<int64_t>> Grid(const EvalContext& context, int period_seconds);

}  // namespace vigil::query::math
