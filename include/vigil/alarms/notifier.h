// The action interface: what the alarm service hands over when an alarm transition must run its
// actions. Delivery (SNS-style topics, the durable outbox, webhooks) implements it in `notify`;
// until then LoggingNotifier logs each request.
//
// The service calls Submit once per configured action ARN of the new state's list, after the
// transition and its history item are persisted, when ActionsEnabled is true and no mute rule
// covers the alarm. Submit must not block for long (it runs on the evaluator thread or a request
// worker) and must be thread-safe.
#pragma once

#include <optional>
#include <string>

#include "vigil/alarms/alarm.h"
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
  // An error is recorded in the alarm's Action history item ("Failed to execute action ...").
  virtual Status Submit(const ActionRequest& request) = 0;
};

// Logs each request on the "alarms" logger at info level.
class LoggingNotifier final : public Notifier {
 public:
  Status Submit(const ActionRequest& request) override;
};

}  // namespace vigil::alarms
