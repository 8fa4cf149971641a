// libFuzzer target: arbitrary bytes as a Metrics Insights query (insights.h). Whatever parses
// must be well-formed (LIMIT in range, WHERE child indexes in range, comparisons with values) and
// must evaluate against a few series without crashing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/query/insights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)vigil::query::IsInsightsQuery(text);
  auto parsed = vigil::query::ParseInsightsQuery(text);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  const auto& q = *parsed;
  if (q.limit < 1 || q.limit > vigil::query::kInsightsMaxSeries) std::abort();
  if (q.metric_name.empty() || q.namespace_.empty()) std::abort();
  const int n = static_cast<int>(q.where.size());
  if (q.where_root >= n || (n > 0 && q.where_root < 0)) std::abort();
  using K = vigil::query::InsightsCondition::Kind;
  for (const auto& c : q.where) {
    for (int child : c.children) {
      if (child < 0 || child >= n) std::abort();
    }
    bool logical = c.kind == K::kAnd || c.kind == K::kOr || c.kind == K::kNot;
    if (logical ? c.children.empty() : c.values.empty()) std::abort();
  }
  vigil::storage::SeriesKey keys[] = {
      {"1", "r", q.namespace_, q.metric_name, {}},
      {"1", "r", q.namespace_, q.metric_name, {{"a", "prod-web"}, {"b", "x"}}},
  };
  if (q.schema) {
    for (const auto& name : *q.schema) keys[1].dimensions.push_back({name, "v"});
  }
  for (auto& k : keys) {
    k.Canonicalize();
    (void)vigil::query::InsightsMatches(q, k);
  }
  return 0;
}
