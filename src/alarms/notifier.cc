#include "vigil/alarms/notifier.h"

#include "vigil/common/logging.h"

namespace vigil::alarms {

Status LoggingNotifier::Stage(const ActionRequest& r, const Alarm&, WriteBatch&) {
  Logger("alarms")->info("action {} for alarm {} ({}/{}): {} -> {}: {}", r.action_arn, r.alarm_name,
                         r.account, r.region, StateName(r.old_state), StateName(r.new_state),
                         r.reason);
  return OkStatus();
}

}  // namespace vigil::alarms
