// DescribeAlarmsForMetric: the metric alarms on one metric (namespace, name, exact dimension set,
// and Statistic / ExtendedStatistic / Period / Unit when given). Math alarms match when one of
// their MetricStat queries names the metric. Answers only MetricAlarms.
#include <algorithm>

#include "api/convert.h"
#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {
namespace {

std::vector<storage::Dimension> Sorted(std::vector<storage::Dimension> d) {
  std::sort(d.begin(), d.end());
  return d;
}

}  // namespace

Status DescribeAlarmsForMetric(RequestContext& ctx, const cw::DescribeAlarmsForMetricInput& in,
                               cw::DescribeAlarmsForMetricOutput& out) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  const auto dims = Sorted(ToStoreDimensions(in.dimensions));
  out.metric_alarms.emplace();
  for (const auto& a : service->ListAlarms(ScopeOf(ctx))) {
    const auto& c = a.config;
    if (c.kind != alarms::AlarmKind::kMetric) continue;
    bool match = false;
    if (c.metrics.empty()) {
      match = c.namespace_ == in.namespace_ && c.metric_name == in.metric_name &&
              (!in.dimensions || Sorted(c.dimensions) == dims) &&
              (!in.statistic || c.statistic == in.statistic) &&
              (!in.extended_statistic || c.extended_statistic == in.extended_statistic) &&
              (!in.period || c.period == in.period) && (!in.unit || c.unit == in.unit);
    } else {
      for (const auto& m : c.metrics) {
        if (!m.metric_stat) continue;
        const auto& s = *m.metric_stat;
        if (s.namespace_ == in.namespace_ && s.metric_name == in.metric_name &&
            (!in.dimensions || Sorted(s.dimensions) == dims) &&
            (!in.period || s.period == *in.period) && (!in.unit || s.unit == in.unit)) {
          match = true;
        }
      }
    }
    if (match) out.metric_alarms->push_back(ToWireMetricAlarm(a));
  }
  return OkStatus();
}

}  // namespace vigil::api::ops
