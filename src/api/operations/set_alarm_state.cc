// SetAlarmState: forces an alarm's state. The state (and actions) change only on a real change;
// a metric alarm returns to its evaluated state at its next evaluation, a composite alarm when a
// child changes. StateReasonData, when given, must be JSON.
#include <nlohmann/json.hpp>

#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {

Status SetAlarmState(RequestContext& ctx, const cw::SetAlarmStateInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  auto state = alarms::ParseState(in.state_value);
  if (!state) {
    return MakeError(ErrorCode::kValidationError,
                     "1 validation error detected: Value '" + in.state_value +
                         "' at 'stateValue' failed to satisfy constraint: Member must satisfy "
                         "enum value set: [INSUFFICIENT_DATA, ALARM, OK]");
  }
  if (in.state_reason_data && !nlohmann::json::accept(*in.state_reason_data)) {
    return MakeError(ErrorCode::kInvalidFormat,
                     "The StateReasonData is not valid JSON: " + *in.state_reason_data);
  }
  return service->SetAlarmState(ScopeOf(ctx), in.alarm_name, *state, in.state_reason,
                                in.state_reason_data, ctx.now);
}

}  // namespace vigil::api::ops
