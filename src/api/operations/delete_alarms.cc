// DeleteAlarms: deletes the named alarms that exist (unknown names are ignored); an alarm that a
// composite alarm still references cannot be deleted.
#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {

Status DeleteAlarms(RequestContext& ctx, const cw::DeleteAlarmsInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  if (in.alarm_names.size() > 100) {
    return MakeError(ErrorCode::kValidationError,
                     "The collection AlarmNames must not have a size greater than 100.");
  }
  return service->DeleteAlarms(ScopeOf(ctx), in.alarm_names, ctx.now);
}

}  // namespace vigil::api::ops
