// One function per operation, one file per function (style.md §2). Registered in registry.cc.
#pragma once

#include "api/context.h"
#include "vigil/common/result.h"
#include "vigil/model/cloudwatch.h"

namespace vigil::api::ops {

namespace cw = vigil::model::cw;

Status PutMetricData(RequestContext& ctx, const cw::PutMetricDataInput& in);
Status ListMetrics(RequestContext& ctx, const cw::ListMetricsInput& in, cw::ListMetricsOutput& out);
Status GetMetricStatistics(RequestContext& ctx, const cw::GetMetricStatisticsInput& in,
                           cw::GetMetricStatisticsOutput& out);
Status GetMetricData(RequestContext& ctx, const cw::GetMetricDataInput& in,
                     cw::GetMetricDataOutput& out);

}  // namespace vigil::api::ops
