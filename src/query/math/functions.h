// The metric-math function table: each function's arguments and result type (docs/metric-math.md
// "Functions"). Shared by the type checker and the evaluator.
#pragma once

#include <optional>
#include <string_view>

namespace vigil::query::math::internal {

enum class Fn {
  kAbs,
  kAnomalyDetectionBand,
  kAvg,
  kCeil,
  kDatapointCount,
  kDate,
  kDay,
  kDiff,
  kDiffTime,
  kEpoch,
  kFill,
  kFirst,
  kFloor,
  kHour,
  kIf,
  kLast,
  kLog,
  kLog10,
  kMax,
  kMetricCount,
  kMetrics,
  kMin,
  kMinute,
  kMonth,
  kPeriod,
  kRate,
  kRemoveEmpty,
  kRunningSum,
  kSearch,
  kSlice,
  kSort,
  kSqrt,
  kStddev,
  kSum,
  kTimeSeries,
  kYear,
  // Named by AWS, not offered by vigil: Check rejects them by name.
  kInsightRuleMetric,
  kServiceQuota,
};

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;
};

// nullopt for a name that is not a metric-math function.
std::optional<FnInfo> LookupFunction(std::string_view name);

}  // namespace vigil::query::math::internal

#include "vigil/query/math.h"

namespace vigil::query::math::internal {

// Applies a function whose arguments are already evaluated (string and bare-name arguments are
// read from `call`'s children; their `args` entries are placeholders). Reads the arguments only:
// the result is a new value. Not for METRICS, SEARCH
// or ANOMALY_DETECTION_BAND, which the evaluator handles.
Result<Value> CallFunction(Fn fn, const Node& call, const std::vector<const Value*>& args,
                           const EvalContext& context);

}  // namespace vigil::query::math::internal
