// The parsed form of a mute rule's cron() expression (private to the alarms module; see
// include/vigil/alarms/mute_schedule.h for the accepted syntax).
#pragma once

#include <date/date.h>

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::alarms::internal {

inline constexpr int kCronMinYear = 1970;
inline constexpr int kCronMaxYear = 2199;

struct CronSpec {
  bool six_fields = false;  // EventBridge form with a year field
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<13> months;  // 1..12
  bool any_year = true;
  std::bitset<kCronMaxYear - kCronMinYear + 1> years;

  // Day of month. `dom_any`: '*' or '?' (unrestricted).
  bool dom_any = true;
  bool dom_question = false;
  std::bitset<32> dom_days;              // 1..31
  std::vector<int> dom_last_offsets;     // L (0) and L-n (n)
  bool dom_last_weekday = false;         // LW
  std::vector<int> dom_nearest_weekday;  // nW

  // Day of week, 0 = SUN. `dow_any`: '*' or '?'.
  bool dow_any = true;
  bool dow_question = false;
  std::bitset<7> dow_days;
  std::vector<std::pair<int, int>> dow_nth;  // n#k: (weekday, k)
  std::vector<int> dow_last;                 // nL: last such weekday of the month

  int MinYear() const;
  int MaxYear() const;
  bool YearMatches(int year) const;
  // `weekday`: 0 = SUN.
  bool DayMatches(const date::year_month_day& ymd, unsigned weekday) const;
};

// Parses the text between `cron(` and `)`; on failure sets `why`.
std::optional<CronSpec> ParseCron(std::string_view fields, std::string* why);

}  // namespace vigil::alarms::internal
