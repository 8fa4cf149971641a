// The request-level view of metric math: every Expression of a GetMetricData request parsed,
// checked and typed once (math.h "CheckRequest"), for the engine in query/metric_data.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vigil/query/math.h"
#include "vigil/query/metric_data.h"

namespace vigil::query::math::internal {

struct RequestPlan {
  // Per query: the parsed metric-math expression (nullopt for MetricStat and SELECT queries).
  std::vector<std::optional<Node>> nodes;
  // Per query: kSeries for MetricStat, kArray for SELECT, the checked type of an expression.
  std::vector<Type> types;
  // One line per problem, "Error in expression <id>: ...". The plan is usable only when empty.
  std::vector<std::string> problems;
};

RequestPlan PlanRequest(const std::vector<MetricDataQuery>& queries);

}  // namespace vigil::query::math::internal
