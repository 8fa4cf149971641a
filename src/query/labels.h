// GetMetricData labels: the default label of each query and the dynamic label tokens
// (docs/query.md "Labels").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/query/engine.h"
#include "vigil/query/metric_data.h"

namespace vigil::query::internal {

// The default label of every query: the metric name, followed by the statistic when the request's
// queries use more than one statistic, then the period when they use more than one period
// (aws-recorded-answers.md §7). Units never appear. Expression queries take no part in the
// comparison; their default label is their Id.
std::vector<std::string> DefaultLabels(const std::vector<MetricDataQuery>& queries);

struct LabelContext {
  const MetricDataQuery* query = nullptr;
  std::string_view default_label;
  const std::vector<Point>* points = nullptr;  // the query's values over the whole range, ascending
  int timezone_offset_minutes = 0;
};

// `label` with each dynamic token (${LABEL}, ${MAX}, ${PROP('Dim.Host')}, ...) replaced; tokens it
// does not know are left as written.
std::string ExpandLabel(std::string_view label, const LabelContext& context);

// A number in a label: shortest round-trip text, without a trailing ".0" ("5", "19.25").
std::string LabelNumber(double v);
// A time in a label: ISO 8601 with the LabelOptions offset, "2026-11-27T12:50:00+01:30".
std::string LabelTime(Timestamp t, int offset_minutes);

}  // namespace vigil::query::internal
