// Helpers shared by the alarm operations: the service, the scope of a request, alarm <-> wire
// shapes, alarm ARNs and the opaque paging tokens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/context.h"
#include "vigil/alarms/alarm.h"
#include "vigil/alarms/service.h"
#include "vigil/common/result.h"
#include "vigil/model/cloudwatch.h"

namespace vigil::api::ops {

namespace cw = vigil::model::cw;

Result<alarms::AlarmService*> AlarmsOf(const RequestContext& ctx);
alarms::Scope ScopeOf(const RequestContext& ctx);

cw::MetricAlarm ToWireMetricAlarm(const alarms::Alarm& a);
cw::CompositeAlarm ToWireCompositeAlarm(const alarms::Alarm& a);
std::vector<cw::MetricDataQuery> ToWireMetrics(const std::vector<alarms::MetricQuerySpec>& m);
std::vector<alarms::MetricQuerySpec> FromWireMetrics(const std::vector<cw::MetricDataQuery>& m);

// The alarm name of `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` in the caller's account
// and region; nullopt for any other ARN.
std::optional<std::string> AlarmNameFromArn(const RequestContext& ctx, std::string_view arn);

std::map<std::string, std::string> TagMap(const std::optional<std::vector<cw::Tag>>& tags);

// NextTokens: an opaque (base64) position. Decode fails with InvalidNextToken.
std::string EncodeToken(std::string_view kind, std::string_view position);
Result<std::string> DecodeToken(std::string_view kind, const std::string& token);

}  // namespace vigil::api::ops
