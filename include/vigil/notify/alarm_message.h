// The SNS `Message` and `Subject` CloudWatch sends when an alarm changes state.
//
// Byte-compatible with what AWS sent (aws-recorded-answers.md §6, cloudwatch-semantics.md §11):
// compact JSON, keys in AWS's order, timestamps as `2026-11-27T12:35:00.000+0000`, numbers as
// Java prints doubles, `Trigger.Statistic` upper case, dimension keys lower case with `value`
// before `name`, `Metrics` (alphabetical keys, as AWS writes them) for math alarms, `AlarmRule`
// and `TriggeringChildren` for composite alarms. Pure functions: no clock, no I/O, thread-safe.
// Decisions where AWS is silent are in docs/notifications.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "vigil/alarms/alarm.h"
#include "vigil/alarms/notifier.h"
#include "vigil/common/time.h"

namespace vigil::notify {

// One state change of one alarm: what the alarm engine hands over (alarms::ActionRequest).
struct AlarmTransition {
  alarms::AlarmState old_state = alarms::AlarmState::kInsufficientData;
  alarms::AlarmState new_state = alarms::AlarmState::kInsufficientData;
  std::string reason;                      // NewStateReason
  std::optional<std::string> reason_data;  // StateReasonData JSON (composite: triggeringAlarms)
  Timestamp state_change_time;

  static AlarmTransition From(const alarms::ActionRequest& request);
};

struct AlarmMessageOptions {
  // `ActionExecutedAfterMuteWindow` appears (as false) in the 2026 recording, not in older ones.
  bool include_action_executed_after_mute_window = true;
  bool action_executed_after_mute_window = false;
};

// The `Message` JSON text. `alarm` supplies name, description, account, region, ARN, actions and
// the configuration (Trigger); `transition` the states, reason and time.
std::string AlarmMessageJson(const alarms::Alarm& alarm, const AlarmTransition& transition,
                             const AlarmMessageOptions& options = {});

// SNS limits a Subject to 100 characters.
inline constexpr size_t kMaxSubjectLength = 100;

// `ALARM: "<name>" in <Region long name>` (`OK: ...`, `INSUFFICIENT_DATA: ...`). When that is
// longer than kMaxSubjectLength the alarm name is cut (on a UTF-8 boundary) and ends in "...",
// keeping the quotes and the region, so the subject is always valid for SNS.
std::string AlarmSubject(std::string_view alarm_name, alarms::AlarmState new_state,
                         std::string_view region_code);

// Trigger `Statistic` form: "Average" -> "AVERAGE", "SampleCount" -> "SAMPLE_COUNT".
std::string UpperSnakeStatistic(std::string_view statistic);

}  // namespace vigil::notify
