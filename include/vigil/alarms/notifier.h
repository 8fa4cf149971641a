// The action interface: what the alarm service hands over when an alarm transition must run its
// actions. Delivery (SNS-style topics, the durable outbox, webhooks) implements it in `notify`
// (notify::Delivery); LoggingNotifier only logs.
//
// At-least-once: the service calls Stage once per configured action ARN of the new state's list
// (when ActionsEnabled is true and no mute rule covers the alarm) while it builds the batch that
// persists the transition, so the outbox records Stage appends are written in the same atomic
// batch as the new state. After the write, Committed(ok) tells the notifier whether those records
// are durable (only then may it deliver them). Both run under the service's lock: they must not
// block (no network, no store I/O) and must be thread-safe.
#pragma once

#include <optional>
#include <string>

#include "vigil/alarms/alarm.h"
#include "vigil/alarms/state_store.h"
#include "vigil/common/result.h"

namespace vigil::alarms {

struct ActionRequest {
  std::string account;
  std::string region;
  std::string action_arn;
  std::string alarm_name;
  std::string alarm_arn;
  AlarmKind kind = AlarmKind::kMetric;
  AlarmState old_state = AlarmState::kInsufficientData;
  AlarmState new_state = AlarmState::kInsufficientData;
  std::string reason;
  std::optional<std::string> reason_data;
  Timestamp state_change_time;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // `alarm` is the alarm as it is after the transition (configuration, new status). Appends the
  // action's durable records to `batch`. An error is recorded in the alarm's Action history item
  // ("Failed to execute action ...") and nothing is delivered for it.
  virtual Status Stage(const ActionRequest& request, const Alarm& alarm, WriteBatch& batch) = 0;
  // The batch holding the staged records was written (`durable`) or failed to be written.
  virtual void Committed(bool durable) { (void)durable; }
};

// Logs each request on the "alarms" logger at info level.
class LoggingNotifier final : public Notifier {
 public:
  Status Stage(const ActionRequest& request, const Alarm& alarm, WriteBatch& batch) override;
};

}  // namespace vigil::alarms
