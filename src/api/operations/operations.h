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

// Alarms (the alarm engine: vigil/alarms/service.h).
Status PutMetricAlarm(RequestContext& ctx, const cw::PutMetricAlarmInput& in);
Status PutCompositeAlarm(RequestContext& ctx, const cw::PutCompositeAlarmInput& in);
Status DescribeAlarms(RequestContext& ctx, const cw::DescribeAlarmsInput& in,
                      cw::DescribeAlarmsOutput& out);
Status DescribeAlarmsForMetric(RequestContext& ctx, const cw::DescribeAlarmsForMetricInput& in,
                               cw::DescribeAlarmsForMetricOutput& out);
Status DeleteAlarms(RequestContext& ctx, const cw::DeleteAlarmsInput& in);
Status SetAlarmState(RequestContext& ctx, const cw::SetAlarmStateInput& in);
Status EnableAlarmActions(RequestContext& ctx, const cw::EnableAlarmActionsInput& in);
Status DisableAlarmActions(RequestContext& ctx, const cw::DisableAlarmActionsInput& in);
Status DescribeAlarmHistory(RequestContext& ctx, const cw::DescribeAlarmHistoryInput& in,
                            cw::DescribeAlarmHistoryOutput& out);
Status TagResource(RequestContext& ctx, const cw::TagResourceInput& in, cw::TagResourceOutput& out);
Status UntagResource(RequestContext& ctx, const cw::UntagResourceInput& in,
                     cw::UntagResourceOutput& out);
Status ListTagsForResource(RequestContext& ctx, const cw::ListTagsForResourceInput& in,
                           cw::ListTagsForResourceOutput& out);
Status PutAlarmMuteRule(RequestContext& ctx, const cw::PutAlarmMuteRuleInput& in);
Status GetAlarmMuteRule(RequestContext& ctx, const cw::GetAlarmMuteRuleInput& in,
                        cw::GetAlarmMuteRuleOutput& out);
Status ListAlarmMuteRules(RequestContext& ctx, const cw::ListAlarmMuteRulesInput& in,
                          cw::ListAlarmMuteRulesOutput& out);
Status DeleteAlarmMuteRule(RequestContext& ctx, const cw::DeleteAlarmMuteRuleInput& in);

// Anomaly detectors (anomaly_detectors.cc, docs/anomaly-detection.md "API").
Status PutAnomalyDetector(RequestContext& ctx, const cw::PutAnomalyDetectorInput& in,
                          cw::PutAnomalyDetectorOutput& out);
Status DescribeAnomalyDetectors(RequestContext& ctx, const cw::DescribeAnomalyDetectorsInput& in,
                                cw::DescribeAnomalyDetectorsOutput& out);
Status DeleteAnomalyDetector(RequestContext& ctx, const cw::DeleteAnomalyDetectorInput& in,
                             cw::DeleteAnomalyDetectorOutput& out);

}  // namespace vigil::api::ops
