// Alarm mute rules (PutAlarmMuteRule): the schedule of a rule — when its mute windows open and
// close — its status, and which alarms it targets.
//
// A rule's `Rule.Schedule` is {Expression, Duration, Timezone}; the rule also has optional
// StartDate / ExpireDate (absolute instants on the wire). The expression is one of
//   cron(min hour day-of-month month day-of-week)        the documented 5-field form (Unix cron:
//                                                        day-of-week 0-7, 0 and 7 = SUN; when both
//                                                        day fields are restricted either matches)
//   cron(min hour day-of-month month day-of-week year)   EventBridge's 6-field form (day-of-week
//                                                        1-7, 1 = SUN; one of the day fields must
//                                                        be '?')
//   at(yyyy-MM-ddThh:mm) or at(yyyy-MM-ddThh:mm:ss)       a one-time window
// Fields take `*`, `?` (day fields), lists `,`, ranges `-`, steps `/`, JAN-DEC, SUN-SAT, and in the
// day fields `L`, `LW`, `nW`, `L-n` (day-of-month) and `nL`, `n#k` (day-of-week). Times are wall
// times in Timezone (tz database name, default UTC), DST-correct like EventBridge Scheduler: a
// wall time that does not exist (spring forward) is skipped; one that occurs twice (fall back)
// opens a window only at its first occurrence. Duration is ISO-8601 (`PT4H`, `P2DT12H`, `P1W`),
// from PT1M to P15D. Each occurrence mutes [occurrence, occurrence + Duration); overlapping
// windows merge; everything is clipped to [StartDate, ExpireDate).
//
// See docs/composite-and-mute-rules.md for the decisions where AWS is silent. Errors are
// ValidationError. Pure: no clock (time is passed in); a MuteSchedule is immutable and safe to
// share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "vigil/common/result.h"
#include "vigil/common/time.h"

namespace vigil::alarms {

// AlarmMuteRuleStatus: SCHEDULED (will mute in the future), ACTIVE (muting now), EXPIRED (past
// ExpireDate, or no window can open any more).
enum class MuteRuleStatus : uint8_t { kScheduled, kActive, kExpired };
std::string_view MuteRuleStatusName(MuteRuleStatus s);  // "SCHEDULED", "ACTIVE", "EXPIRED"
std::optional<MuteRuleStatus> ParseMuteRuleStatus(std::string_view s);

// MuteType: at() is ONE_TIME, cron() RECURRING.
enum class MuteType : uint8_t { kOneTime, kRecurring };
std::string_view MuteTypeName(MuteType t);  // "ONE_TIME", "RECURRING"

inline constexpr size_t kMaxMuteTargets = 100;
inline constexpr int64_t kMinMuteDurationSeconds = 60;          // PT1M
inline constexpr int64_t kMaxMuteDurationSeconds = 15 * 86400;  // P15D

// The wire input, as decoded.
struct MuteScheduleSpec {
  std::string expression;                // Rule.Schedule.Expression
  std::string duration;                  // Rule.Schedule.Duration
  std::optional<std::string> timezone;   // Rule.Schedule.Timezone; absent = UTC
  std::optional<Timestamp> start_date;   // StartDate
  std::optional<Timestamp> expire_date;  // ExpireDate
};

class MuteSchedule {
 public:
  // Validates everything in `spec` (expression, duration, timezone, ExpireDate after StartDate).
  static Result<MuteSchedule> Parse(const MuteScheduleSpec& spec);

  MuteType type() const;
  int64_t duration_seconds() const;
  const std::string& timezone() const;  // as given, or "UTC"
  std::optional<Timestamp> start_date() const;
  std::optional<Timestamp> expire_date() const;

  // Whether alarm actions are muted at `t`.
  bool IsMuted(Timestamp t) const;

  // The first instant strictly after `t` at which IsMuted changes value (a window opening or
  // closing, StartDate, ExpireDate), or nullopt when it never changes again. Windows that touch
  // or overlap are one muted stretch. The search is bounded: 30 years of calendar, and 10,000
  // touching windows in one stretch (`cron(* * * * *)` + PT1M is muted with no transition); a
  // caller that gets nullopt while IsMuted(t) should ask again later (e.g. after a day).
  std::optional<Timestamp> NextTransition(Timestamp t) const;

  // The first window opening (occurrence of the expression) at or after `t`, ignoring
  // StartDate/ExpireDate; nullopt when there is none.
  std::optional<Timestamp> NextOccurrence(Timestamp t) const;

  // ACTIVE when IsMuted(t); EXPIRED when t >= ExpireDate or no mute can start or continue after
  // t; otherwise SCHEDULED.
  MuteRuleStatus Status(Timestamp t) const;

  struct Impl;

 private:
  explicit MuteSchedule(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// MuteTargets.AlarmNames: at most 100 names of 1-255 characters (existence is the caller's check).
Status ValidateMuteTargets(std::span<const std::string> alarm_names);

// Whether a rule with these targets applies to `alarm_name` (exact, case-sensitive match; a rule
// without targets mutes nothing).
bool MuteTargetsInclude(std::span<const std::string> alarm_names, std::string_view alarm_name);

}  // namespace vigil::alarms
