// EnableAlarmActions / DisableAlarmActions: flip ActionsEnabled on the named alarms that exist
// (nothing else changes; the state keeps being evaluated while actions are disabled).
#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {

Status EnableAlarmActions(RequestContext& ctx, const cw::EnableAlarmActionsInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  return service->SetActionsEnabled(ScopeOf(ctx), in.alarm_names, true, ctx.now);
}

Status DisableAlarmActions(RequestContext& ctx, const cw::DisableAlarmActionsInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  return service->SetActionsEnabled(ScopeOf(ctx), in.alarm_names, false, ctx.now);
}

}  // namespace vigil::api::ops
