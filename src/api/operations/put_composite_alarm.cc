// PutCompositeAlarm: the rule is parsed and checked by the alarm service (grammar, children
// exist, no cycle, at most 150 parents per child); the ActionsSuppressor periods need a
// suppressor. The composite is evaluated at once.
#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {

Status PutCompositeAlarm(RequestContext& ctx, const cw::PutCompositeAlarmInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  for (const auto* list : {&in.ok_actions, &in.alarm_actions, &in.insufficient_data_actions}) {
    if (*list && (*list)->size() > 5) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "The maximum number of actions per state is 5.");
    }
  }
  if (!in.actions_suppressor &&
      (in.actions_suppressor_wait_period || in.actions_suppressor_extension_period)) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod need an "
                     "ActionsSuppressor.");
  }
  for (const auto& p :
       {in.actions_suppressor_wait_period, in.actions_suppressor_extension_period}) {
    if (p && *p < 0) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "ActionsSuppressor periods must not be negative.");
    }
  }
  alarms::AlarmConfig c;
  c.kind = alarms::AlarmKind::kComposite;
  c.name = in.alarm_name;
  c.description = in.alarm_description;
  c.actions_enabled = in.actions_enabled.value_or(true);
  c.ok_actions = in.ok_actions.value_or(std::vector<std::string>{});
  c.alarm_actions = in.alarm_actions.value_or(std::vector<std::string>{});
  c.insufficient_data_actions = in.insufficient_data_actions.value_or(std::vector<std::string>{});
  c.alarm_rule = in.alarm_rule;
  c.actions_suppressor = in.actions_suppressor;
  c.actions_suppressor_wait_period = in.actions_suppressor_wait_period;
  c.actions_suppressor_extension_period = in.actions_suppressor_extension_period;
  return service->PutCompositeAlarm(ScopeOf(ctx), std::move(c), TagMap(in.tags), ctx.now);
}

}  // namespace vigil::api::ops
