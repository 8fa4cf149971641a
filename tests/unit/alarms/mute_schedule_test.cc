// Mute rule schedules: cron()/at() syntax and errors, Duration, Timezone, day-field edge cases
// (Feb 29, L, W, #), DST in America/New_York and Europe/Berlin, StartDate/ExpireDate, status and
// NextTransition. Every expected instant below was worked out by hand from the calendar
// (2026-11-27 is a Friday; 2026-03-01 and 2026-11-01 are Sundays) and the zones' 2026 rules
// (New York: EST->EDT 2026-03-08 02:00, EDT->EST 2026-11-01 02:00; Berlin: CET->CEST 2026-03-29
// 02:00, CEST->CET 2026-10-25 03:00).
#include "vigil/alarms/mute_schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::alarms {
namespace {

// Concatenation without `"literal" + std::string` (g++ 12 -Werror=restrict false positive).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

Timestamp T(std::string_view iso) {
  std::optional<Timestamp> t = ParseTimestamp(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(Timestamp{});
}

MuteSchedule Make(std::string expr, std::string duration, std::optional<std::string> tz = {},
                  std::optional<Timestamp> start = {}, std::optional<Timestamp> expire = {}) {
  auto r =
      MuteSchedule::Parse({std::move(expr), std::move(duration), std::move(tz), start, expire});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

std::string ErrorOf(std::string expr, std::string duration = "PT1H",
                    std::optional<std::string> tz = {}) {
  auto r = MuteSchedule::Parse({std::move(expr), std::move(duration), std::move(tz), {}, {}});
  if (r.ok()) return "parsed";
  EXPECT_EQ(r.error().code, ErrorCode::kValidationError);
  return r.error().message;
}

std::string Next(const MuteSchedule& s, std::string_view from) {
  std::optional<Timestamp> o = s.NextOccurrence(T(from));
  return o ? FormatIso8601(*o) : "none";
}

std::string Transition(const MuteSchedule& s, std::string_view from) {
  std::optional<Timestamp> o = s.NextTransition(T(from));
  return o ? FormatIso8601(*o) : "none";
}

TEST(MuteScheduleTest, Durations) {
  EXPECT_EQ(Make("cron(0 2 * * *)", "PT4H").duration_seconds(), 4 * 3600);
  EXPECT_EQ(Make("cron(0 2 * * *)", "P2DT12H").duration_seconds(), 60 * 3600);
  EXPECT_EQ(Make("cron(0 2 * * *)", "P1W").duration_seconds(), 7 * 86400);
  EXPECT_EQ(Make("cron(0 2 * * *)", "PT1M").duration_seconds(), 60);
  EXPECT_EQ(Make("cron(0 2 * * *)", "PT90S").duration_seconds(), 90);
  EXPECT_EQ(Make("cron(0 2 * * *)", "P15D").duration_seconds(), 15 * 86400);
  EXPECT_EQ(Make("cron(0 2 * * *)", "PT1H30M").duration_seconds(), 5400);
  const std::string range = "must be between PT1M and P15D";
  const std::string form = "must be an ISO 8601 duration such as PT4H or P2DT12H";
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "PT59S"), Cat({"Invalid Duration 'PT59S': ", range}));
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "P15DT1S"), Cat({"Invalid Duration 'P15DT1S': ", range}));
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "P1M"),
            "Invalid Duration 'P1M': years and months are not supported");
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "PT"), Cat({"Invalid Duration 'PT': ", form}));
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "P1DT"),
            "Invalid Duration 'P1DT': 'T' must be followed by hours, minutes or seconds");
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "4H"), Cat({"Invalid Duration '4H': ", form}));
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "PT4h"), Cat({"Invalid Duration 'PT4h': ", form}));
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "P4H"), Cat({"Invalid Duration 'P4H': ", form}));
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "PT1M4H"), Cat({"Invalid Duration 'PT1M4H': ", form}));
}

TEST(MuteScheduleTest, ExpressionAndTimezoneErrors) {
  EXPECT_EQ(ErrorOf("cron(0 2 * *)"),
            "Invalid schedule expression 'cron(0 2 * *)': cron() takes 5 fields (minutes hours "
            "day-of-month month day-of-week) or 6 (with year)");
  EXPECT_EQ(ErrorOf("cron(0 24 * * *)"),
            "Invalid schedule expression 'cron(0 24 * * *)': Hours '24' is not a valid value");
  EXPECT_EQ(ErrorOf("cron(60 2 * * *)"),
            "Invalid schedule expression 'cron(60 2 * * *)': Minutes '60' is not a valid value");
  EXPECT_EQ(ErrorOf("cron(0 2 * FOO *)"),
            "Invalid schedule expression 'cron(0 2 * FOO *)': Month 'FOO' is not a valid value");
  EXPECT_EQ(ErrorOf("cron(0 2 * * 8)"),
            "Invalid schedule expression 'cron(0 2 * * 8)': Day-of-week '8' is not a valid value");
  EXPECT_EQ(
      ErrorOf("cron(0 2 * * 0 *)"),
      "Invalid schedule expression 'cron(0 2 * * 0 *)': Day-of-week '0' is not a valid value");
  EXPECT_EQ(ErrorOf("cron(0 2 * * MON *)"),
            "Invalid schedule expression 'cron(0 2 * * MON *)': exactly one of Day-of-month and "
            "Day-of-week must be '?'");
  EXPECT_EQ(ErrorOf("cron(0 2 ? * ? *)"),
            "Invalid schedule expression 'cron(0 2 ? * ? *)': exactly one of Day-of-month and "
            "Day-of-week must be '?'");
  EXPECT_EQ(ErrorOf("cron(0 5-2 * * *)"),
            "Invalid schedule expression 'cron(0 5-2 * * *)': Hours '5-2' is a range that ends "
            "before it starts");
  EXPECT_EQ(ErrorOf("cron(*/0 2 * * *)"),
            "Invalid schedule expression 'cron(*/0 2 * * *)': Minutes '*/0' has an invalid step");
  EXPECT_EQ(ErrorOf("cron(0 2 32W * ? *)"),
            "Invalid schedule expression 'cron(0 2 32W * ? *)': Day-of-month '32W' is not a valid "
            "value");
  EXPECT_EQ(ErrorOf("cron(0 2 ? * MON#6 *)"),
            "Invalid schedule expression 'cron(0 2 ? * MON#6 *)': Day-of-week 'MON#6' must be "
            "weekday#n with n from 1 to 5");
  EXPECT_EQ(ErrorOf("cron(0 2 1 1 ? 2200)"),
            "Invalid schedule expression 'cron(0 2 1 1 ? 2200)': Year '2200' is not a valid value");
  EXPECT_EQ(ErrorOf("rate(5 minutes)"),
            "Invalid schedule expression 'rate(5 minutes)': must be cron(...) or at(...)");
  EXPECT_EQ(ErrorOf("at(2026-02-30T10:00)"),
            "Invalid schedule expression 'at(2026-02-30T10:00)': must be at(yyyy-MM-ddThh:mm) or "
            "at(yyyy-MM-ddThh:mm:ss)");
  EXPECT_EQ(ErrorOf("at(2026-12-01T24:00)"),
            "Invalid schedule expression 'at(2026-12-01T24:00)': must be at(yyyy-MM-ddThh:mm) or "
            "at(yyyy-MM-ddThh:mm:ss)");
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "PT1H", "Mars/Olympus"),
            "Invalid Timezone 'Mars/Olympus': not a time zone of the tz database");
  EXPECT_EQ(ErrorOf("cron(0 2 * * *)", "PT1H", "../../etc/passwd"),
            "Invalid Timezone '../../etc/passwd': not a time zone of the tz database");
  auto r = MuteSchedule::Parse(
      {"cron(0 2 * * *)", "PT1H", {}, T("2026-12-01T00:00:00Z"), T("2026-12-01T00:00:00Z")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "ExpireDate must be after StartDate");
}

TEST(MuteScheduleTest, DailyWindowInUtc) {
  MuteSchedule s = Make("cron(0 2 * * *)", "PT2H");
  EXPECT_EQ(s.type(), MuteType::kRecurring);
  EXPECT_EQ(s.timezone(), "UTC");
  EXPECT_FALSE(s.IsMuted(T("2026-11-27T01:59:59Z")));
  EXPECT_TRUE(s.IsMuted(T("2026-11-27T02:00:00Z")));
  EXPECT_TRUE(s.IsMuted(T("2026-11-27T03:59:59.999Z")));
  EXPECT_FALSE(s.IsMuted(T("2026-11-27T04:00:00Z")));
  EXPECT_EQ(Transition(s, "2026-11-27T01:00:00Z"), "2026-11-27T02:00:00Z");
  EXPECT_EQ(Transition(s, "2026-11-27T02:00:00Z"), "2026-11-27T04:00:00Z");
  EXPECT_EQ(Transition(s, "2026-11-27T04:00:00Z"), "2026-11-28T02:00:00Z");
  EXPECT_EQ(s.Status(T("2026-11-27T03:00:00Z")), MuteRuleStatus::kActive);
  EXPECT_EQ(s.Status(T("2026-11-27T05:00:00Z")), MuteRuleStatus::kScheduled);
}

TEST(MuteScheduleTest, WeekendWindowFromTheDocs) {
  // "P2DT12H - 2 days and 12 hours for weekend muting from Friday 6:00 PM to Monday 6:00 AM".
  MuteSchedule s = Make("cron(0 18 * * FRI)", "P2DT12H");
  EXPECT_EQ(Next(s, "2026-11-23T00:00:00Z"), "2026-11-27T18:00:00Z");
  EXPECT_TRUE(s.IsMuted(T("2026-11-29T12:00:00Z")));
  EXPECT_EQ(Transition(s, "2026-11-28T00:00:00Z"), "2026-11-30T06:00:00Z");
  EXPECT_FALSE(s.IsMuted(T("2026-11-30T06:00:00Z")));
}

TEST(MuteScheduleTest, FieldSyntax) {
  EXPECT_EQ(Next(Make("cron(*/15 * * * *)", "PT1M"), "2026-11-27T10:16:00Z"),
            "2026-11-27T10:30:00Z");
  EXPECT_EQ(Next(Make("cron(5/20 * * * *)", "PT1M"), "2026-11-27T10:46:00Z"),
            "2026-11-27T11:05:00Z");
  // 9-17/4 = 9, 13, 17 on weekdays; Friday 17:00 -> Monday 09:00.
  MuteSchedule w = Make("cron(0 9-17/4 * * MON-FRI)", "PT1M");
  EXPECT_EQ(Next(w, "2026-11-27T09:01:00Z"), "2026-11-27T13:00:00Z");
  EXPECT_EQ(Next(w, "2026-11-27T17:01:00Z"), "2026-11-30T09:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 1,15 * *)", "PT1M"), "2026-11-02T00:00:00Z"),
            "2026-11-15T00:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 1 jan,Jul *)", "PT1M"), "2026-01-02T00:00:00Z"),
            "2026-07-01T00:00:00Z");
  // Day-of-week 7 and 0 are both Sunday in the 5-field form; 1 is Sunday in the 6-field form.
  EXPECT_EQ(Next(Make("cron(0 0 * * 7)", "PT1M"), "2026-11-27T00:00:00Z"), "2026-11-29T00:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 * * 0)", "PT1M"), "2026-11-27T00:00:00Z"), "2026-11-29T00:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 ? * 1 *)", "PT1M"), "2026-11-27T00:00:00Z"),
            "2026-11-29T00:00:00Z");
  // 5-field form, both day fields restricted: either matches (the 13th, or any Friday).
  EXPECT_EQ(Next(Make("cron(0 0 13 * FRI)", "PT1M"), "2026-11-01T00:00:00Z"),
            "2026-11-06T00:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 13 * FRI)", "PT1M"), "2026-11-07T00:00:00Z"),
            "2026-11-13T00:00:00Z");
  // A year field.
  MuteSchedule y = Make("cron(0 0 1 1 ? 2027)", "PT1H");
  EXPECT_EQ(Next(y, "2026-06-01T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(Next(y, "2027-01-01T00:00:01Z"), "none");
  EXPECT_EQ(y.Status(T("2026-06-01T00:00:00Z")), MuteRuleStatus::kScheduled);
  EXPECT_EQ(y.Status(T("2027-06-01T00:00:00Z")), MuteRuleStatus::kExpired);
}

TEST(MuteScheduleTest, FebruaryTwentyNinthAndLastDay) {
  MuteSchedule leap = Make("cron(0 0 29 2 *)", "PT1H");
  EXPECT_EQ(Next(leap, "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(Next(leap, "2028-02-29T00:00:01Z"), "2032-02-29T00:00:00Z");
  MuteSchedule last = Make("cron(0 0 L * ? *)", "PT1H");
  EXPECT_EQ(Next(last, "2026-02-01T00:00:00Z"), "2026-02-28T00:00:00Z");
  EXPECT_EQ(Next(last, "2028-02-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(Next(last, "2026-04-01T00:00:00Z"), "2026-04-30T00:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 L-2 * ? *)", "PT1H"), "2026-02-01T00:00:00Z"),
            "2026-02-26T00:00:00Z");
  // February 30th never comes.
  MuteSchedule never = Make("cron(0 0 30 2 *)", "PT1H");
  EXPECT_EQ(Next(never, "2026-01-01T00:00:00Z"), "none");
  EXPECT_EQ(never.Status(T("2026-01-01T00:00:00Z")), MuteRuleStatus::kExpired);
}

TEST(MuteScheduleTest, NearestWeekday) {
  // 2026-11-01 is a Sunday -> Monday the 2nd; 2026-08-01 is a Saturday -> Monday the 3rd (not
  // back into July); 2026-11-15 is a Sunday -> Monday the 16th.
  MuteSchedule first = Make("cron(0 9 1W * ? *)", "PT1H");
  EXPECT_EQ(Next(first, "2026-10-31T00:00:00Z"), "2026-11-02T09:00:00Z");
  EXPECT_EQ(Next(first, "2026-07-31T00:00:00Z"), "2026-08-03T09:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 9 15W * ? *)", "PT1H"), "2026-11-01T00:00:00Z"),
            "2026-11-16T09:00:00Z");
  // 2026-10-31 is a Saturday -> Friday the 30th.
  EXPECT_EQ(Next(Make("cron(0 9 31W * ? *)", "PT1H"), "2026-10-01T00:00:00Z"),
            "2026-10-30T09:00:00Z");
  // LW: 2026-11-30 is a Monday; 2027-01-31 is a Sunday -> Friday the 29th.
  MuteSchedule lw = Make("cron(0 9 LW * ? *)", "PT1H");
  EXPECT_EQ(Next(lw, "2026-11-01T00:00:00Z"), "2026-11-30T09:00:00Z");
  EXPECT_EQ(Next(lw, "2027-01-01T00:00:00Z"), "2027-01-29T09:00:00Z");
}

TEST(MuteScheduleTest, NthAndLastWeekday) {
  // 6-field numbering (2 = MON): first Monday of December 2026 is the 7th (Dec 1 is a Tuesday).
  EXPECT_EQ(Next(Make("cron(0 12 ? * 2#1 *)", "PT1H"), "2026-11-28T00:00:00Z"),
            "2026-12-07T12:00:00Z");
  // Fifth Monday: November 2026 has one (the 30th); December 2026 does not, so January 2027's
  // Mondays (4, 11, 18, 25) neither; the next is March 29, 2027.
  MuteSchedule fifth = Make("cron(0 12 * * MON#5)", "PT1H");
  EXPECT_EQ(Next(fifth, "2026-11-27T00:00:00Z"), "2026-11-30T12:00:00Z");
  EXPECT_EQ(Next(fifth, "2026-12-01T00:00:00Z"), "2027-03-29T12:00:00Z");
  // Last Friday (6L in the 6-field form): November 27, then December 25, 2026.
  MuteSchedule last_fri = Make("cron(0 0 ? * 6L *)", "PT1H");
  EXPECT_EQ(Next(last_fri, "2026-11-01T00:00:00Z"), "2026-11-27T00:00:00Z");
  EXPECT_EQ(Next(last_fri, "2026-11-28T00:00:00Z"), "2026-12-25T00:00:00Z");
  EXPECT_EQ(Next(Make("cron(0 0 * * FRIL)", "PT1H"), "2026-11-28T00:00:00Z"),
            "2026-12-25T00:00:00Z");
}

TEST(MuteScheduleTest, NewYorkSpringForwardSkipsTheMissingTime) {
  MuteSchedule s = Make("cron(30 2 * * *)", "PT1H", "America/New_York");
  EXPECT_EQ(Next(s, "2026-03-07T00:00:00Z"), "2026-03-07T07:30:00Z");  // 02:30 EST
  EXPECT_EQ(Next(s, "2026-03-07T08:00:00Z"), "2026-03-09T06:30:00Z");  // 8th skipped; 02:30 EDT
  EXPECT_FALSE(s.IsMuted(T("2026-03-08T07:00:00Z")));
  EXPECT_EQ(Transition(s, "2026-03-07T08:30:00Z"), "2026-03-09T06:30:00Z");
  // 03:00 exists on the 8th: EDT, 07:00Z.
  EXPECT_EQ(Next(Make("cron(0 3 * * *)", "PT1H", "America/New_York"), "2026-03-08T00:00:00Z"),
            "2026-03-08T07:00:00Z");
  // A Duration is elapsed time: the window opening at 00:00 EST lasts 4 real hours (05:00 EDT).
  MuteSchedule midnight = Make("cron(0 0 * * *)", "PT4H", "America/New_York");
  EXPECT_EQ(Transition(midnight, "2026-03-08T05:30:00Z"), "2026-03-08T09:00:00Z");
}

TEST(MuteScheduleTest, NewYorkFallBackOpensOnlyOnce) {
  MuteSchedule s = Make("cron(30 1 * * *)", "PT10M", "America/New_York");
  EXPECT_EQ(Next(s, "2026-11-01T00:00:00Z"), "2026-11-01T05:30:00Z");  // 01:30 EDT, the first
  EXPECT_EQ(Next(s, "2026-11-01T05:31:00Z"), "2026-11-02T06:30:00Z");  // not 01:30 EST
  EXPECT_TRUE(s.IsMuted(T("2026-11-01T05:35:00Z")));
  EXPECT_FALSE(s.IsMuted(T("2026-11-01T06:35:00Z")));
  // Hourly: 01:00 comes twice but opens once; 02:00 EST (07:00Z) opens again.
  MuteSchedule hourly = Make("cron(0 * * * *)", "PT30M", "America/New_York");
  EXPECT_TRUE(hourly.IsMuted(T("2026-11-01T05:10:00Z")));
  EXPECT_FALSE(hourly.IsMuted(T("2026-11-01T06:10:00Z")));
  EXPECT_TRUE(hourly.IsMuted(T("2026-11-01T07:10:00Z")));
  EXPECT_EQ(Transition(hourly, "2026-11-01T05:40:00Z"), "2026-11-01T07:00:00Z");
}

TEST(MuteScheduleTest, BerlinDst) {
  MuteSchedule s = Make("cron(30 2 * * ?)", "PT15M", "Europe/Berlin");
  EXPECT_EQ(Next(s, "2026-03-28T00:00:00Z"), "2026-03-28T01:30:00Z");  // 02:30 CET
  EXPECT_EQ(Next(s, "2026-03-28T02:00:00Z"), "2026-03-30T00:30:00Z");  // 29th skipped; CEST
  EXPECT_EQ(Next(s, "2026-10-24T12:00:00Z"), "2026-10-25T00:30:00Z");  // first 02:30 (CEST)
  EXPECT_EQ(Next(s, "2026-10-25T00:31:00Z"), "2026-10-26T01:30:00Z");  // then CET
  EXPECT_EQ(Transition(s, "2026-10-25T00:31:00Z"), "2026-10-25T00:45:00Z");
}

TEST(MuteScheduleTest, OneTimeWindow) {
  MuteSchedule s = Make("at(2026-12-23T00:00)", "P7D");
  EXPECT_EQ(s.type(), MuteType::kOneTime);
  EXPECT_EQ(s.Status(T("2026-12-01T00:00:00Z")), MuteRuleStatus::kScheduled);
  EXPECT_EQ(Transition(s, "2026-12-01T00:00:00Z"), "2026-12-23T00:00:00Z");
  EXPECT_EQ(s.Status(T("2026-12-23T00:00:00Z")), MuteRuleStatus::kActive);
  EXPECT_EQ(Transition(s, "2026-12-24T00:00:00Z"), "2026-12-30T00:00:00Z");
  EXPECT_EQ(s.Status(T("2026-12-30T00:00:00Z")), MuteRuleStatus::kExpired);
  EXPECT_EQ(Transition(s, "2026-12-30T00:00:00Z"), "none");
  // In a zone, with seconds.
  MuteSchedule ny = Make("at(2026-12-23T00:00:30)", "PT1H", "America/New_York");
  EXPECT_EQ(Next(ny, "2026-12-01T00:00:00Z"), "2026-12-23T05:00:30Z");
  // A wall time that does not exist never opens.
  MuteSchedule gap = Make("at(2026-03-08T02:30)", "PT1H", "America/New_York");
  EXPECT_EQ(Next(gap, "2026-01-01T00:00:00Z"), "none");
  EXPECT_EQ(gap.Status(T("2026-01-01T00:00:00Z")), MuteRuleStatus::kExpired);
}

TEST(MuteScheduleTest, StartAndExpireDatesClipTheWindows) {
  MuteSchedule s =
      Make("cron(0 2 * * *)", "PT2H", {}, T("2026-11-27T03:00:00Z"), T("2026-11-29T03:00:00Z"));
  EXPECT_FALSE(s.IsMuted(T("2026-11-27T02:30:00Z")));
  EXPECT_EQ(s.Status(T("2026-11-27T02:30:00Z")), MuteRuleStatus::kScheduled);
  EXPECT_EQ(Transition(s, "2026-11-27T02:30:00Z"), "2026-11-27T03:00:00Z");
  EXPECT_TRUE(s.IsMuted(T("2026-11-27T03:00:00Z")));
  EXPECT_EQ(Transition(s, "2026-11-27T03:00:00Z"), "2026-11-27T04:00:00Z");
  EXPECT_EQ(s.Status(T("2026-11-29T01:00:00Z")), MuteRuleStatus::kScheduled);
  EXPECT_EQ(s.Status(T("2026-11-29T02:30:00Z")), MuteRuleStatus::kActive);
  EXPECT_EQ(Transition(s, "2026-11-29T02:30:00Z"), "2026-11-29T03:00:00Z");
  EXPECT_FALSE(s.IsMuted(T("2026-11-29T03:00:00Z")));
  EXPECT_EQ(s.Status(T("2026-11-29T03:00:00Z")), MuteRuleStatus::kExpired);
  EXPECT_EQ(Transition(s, "2026-11-29T03:30:00Z"), "none");
  // Before StartDate, with no window at StartDate: the first window after it.
  MuteSchedule later = Make("cron(0 2 * * *)", "PT2H", {}, T("2026-11-27T05:00:00Z"));
  EXPECT_EQ(Transition(later, "2026-11-27T02:30:00Z"), "2026-11-28T02:00:00Z");
  // An expire date that cuts off the next window: nothing more happens.
  MuteSchedule cut = Make("cron(0 2 * * *)", "PT2H", {}, {}, T("2026-11-28T01:00:00Z"));
  EXPECT_EQ(Transition(cut, "2026-11-27T05:00:00Z"), "none");
  EXPECT_EQ(cut.Status(T("2026-11-27T05:00:00Z")), MuteRuleStatus::kExpired);
}

TEST(MuteScheduleTest, OverlappingAndTouchingWindowsMerge) {
  MuteSchedule touch = Make("cron(0 0,1 * * *)", "PT1H");
  EXPECT_EQ(Transition(touch, "2026-11-27T00:30:00Z"), "2026-11-27T02:00:00Z");
  MuteSchedule overlap = Make("cron(0 0,1 * * *)", "PT90M");
  EXPECT_EQ(Transition(overlap, "2026-11-27T00:10:00Z"), "2026-11-27T02:30:00Z");
  EXPECT_TRUE(overlap.IsMuted(T("2026-11-27T01:20:00Z")));
  // Every minute for a minute: muted for good, no transition.
  MuteSchedule always = Make("cron(* * * * *)", "PT1M");
  EXPECT_TRUE(always.IsMuted(T("2026-11-27T10:00:30Z")));
  EXPECT_EQ(Transition(always, "2026-11-27T10:00:30Z"), "none");
  EXPECT_EQ(always.Status(T("2026-11-27T10:00:30Z")), MuteRuleStatus::kActive);
  // ... unless it expires.
  MuteSchedule until = Make("cron(* * * * *)", "PT1M", {}, {}, T("2026-11-27T12:00:00Z"));
  EXPECT_EQ(Transition(until, "2026-11-27T10:00:30Z"), "2026-11-27T12:00:00Z");
}

TEST(MuteScheduleTest, NamesAndTargets) {
  EXPECT_EQ(MuteRuleStatusName(MuteRuleStatus::kScheduled), "SCHEDULED");
  EXPECT_EQ(MuteRuleStatusName(MuteRuleStatus::kActive), "ACTIVE");
  EXPECT_EQ(MuteRuleStatusName(MuteRuleStatus::kExpired), "EXPIRED");
  EXPECT_EQ(ParseMuteRuleStatus("ACTIVE"), MuteRuleStatus::kActive);
  EXPECT_EQ(ParseMuteRuleStatus("active"), std::nullopt);
  EXPECT_EQ(MuteTypeName(MuteType::kOneTime), "ONE_TIME");
  EXPECT_EQ(MuteTypeName(MuteType::kRecurring), "RECURRING");

  std::vector<std::string> names = {"WebServerCPUAlarm", "DatabaseConnectionAlarm"};
  EXPECT_TRUE(ValidateMuteTargets(names).ok());
  EXPECT_TRUE(MuteTargetsInclude(names, "WebServerCPUAlarm"));
  EXPECT_FALSE(MuteTargetsInclude(names, "webservercpualarm"));
  EXPECT_FALSE(MuteTargetsInclude({}, "WebServerCPUAlarm"));
  std::vector<std::string> many(101, "a");
  Status st = ValidateMuteTargets(many);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "MuteTargets.AlarmNames can hold at most 100 alarm names");
  many.resize(100);
  EXPECT_TRUE(ValidateMuteTargets(many).ok());
  std::vector<std::string> empty_name = {""};
  EXPECT_FALSE(ValidateMuteTargets(empty_name).ok());
  std::vector<std::string> long_name = {std::string(256, 'x')};
  EXPECT_FALSE(ValidateMuteTargets(long_name).ok());
}

}  // namespace
}  // namespace vigil::alarms
