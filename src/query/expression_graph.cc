// The sub-graph of a GetMetricData request an expression reads, and its canonical key
// (metric_data.h): how a MetricMathAnomalyDetector is matched to ANOMALY_DETECTION_BAND(id).
#include <algorithm>
#include <map>

#include "vigil/query/insights.h"
#include "vigil/query/math.h"
#include "vigil/query/metric_data.h"

namespace vigil::query {
namespace {

// Length-prefixed, so no field can run into the next one.
void Field(std::string& out, std::string_view text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

}  // namespace

std::vector<size_t> ExpressionSubgraph(const std::vector<MetricDataQuery>& queries,
                                       std::string_view id) {
  std::map<std::string_view, size_t> by_id;
  for (size_t i = 0; i < queries.size(); ++i) by_id.emplace(queries[i].id, i);
  auto root = by_id.find(id);
  if (root == by_id.end() || !queries[root->second].expression) return {};
  std::vector<bool> seen(queries.size(), false);
  std::vector<size_t> todo{root->second};
  seen[root->second] = true;
  while (!todo.empty()) {
    const size_t i = todo.back();
    todo.pop_back();
    const MetricDataQuery& q = queries[i];
    if (!q.expression || IsInsightsQuery(*q.expression)) continue;
    auto parsed = math::Parse(*q.expression);
    if (!parsed.ok()) return {};
    const math::References refs = math::CollectReferences(*parsed);
    auto visit = [&](size_t j) {
      if (!seen[j]) {
        seen[j] = true;
        todo.push_back(j);
      }
    };
    for (const std::string& r : refs.ids) {
      auto it = by_id.find(r);
      if (it != by_id.end()) visit(it->second);
    }
    if (refs.metrics) {
      for (size_t j = 0; j < queries.size(); ++j) {
        if (!queries[j].expression) visit(j);
      }
    }
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < queries.size(); ++i) {
    if (seen[i]) out.push_back(i);
  }
  return out;
}

std::string ExpressionSubgraphKey(const std::vector<MetricDataQuery>& queries,
                                  std::string_view id) {
  std::vector<size_t> graph = ExpressionSubgraph(queries, id);
  if (graph.empty()) return {};
  // An expression without a Period is evaluated at the smallest MetricStat period: the key uses
  // the sub-graph's (so queries outside it do not count), the request's when it has none.
  auto smallest = [&](const std::vector<size_t>& among) {
    int p = 0;
    for (size_t i : among) {
      const MetricDataQuery& q = queries[i];
      if (!q.expression && (p == 0 || q.period_seconds < p)) p = q.period_seconds;
    }
    return p;
  };
  int min_period = smallest(graph);
  if (min_period == 0) {
    std::vector<size_t> all(queries.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    min_period = smallest(all);
  }
  if (min_period == 0) min_period = 60;
  std::sort(graph.begin(), graph.end(),
            [&](size_t a, size_t b) { return queries[a].id < queries[b].id; });
  std::string key;
  Field(key, id);
  for (size_t i : graph) {
    const MetricDataQuery& q = queries[i];
    Field(key, q.id);
    if (q.expression) {
      Field(key, "e");
      Field(key, *q.expression);
      Field(key, std::to_string(q.period_seconds > 0 ? q.period_seconds : min_period));
      continue;
    }
    Field(key, q.forbidden ? "f" : "m");
    Field(key, q.series.account);
    Field(key, q.series.region);
    Field(key, q.series.namespace_);
    Field(key, q.series.metric_name);
    Field(key, std::to_string(q.series.dimensions.size()));
    for (const storage::Dimension& d : q.series.dimensions) {
      Field(key, d.name);
      Field(key, d.value);
    }
    Field(key, q.statistic.text());
    Field(key, std::to_string(q.period_seconds));
    Field(key, q.unit ? std::to_string(*q.unit) : std::string("-"));
  }
  return key;
}

}  // namespace vigil::query
