// Alarm mute rule schedules (mute_schedule.h): cron()/at() parsing, DST-correct occurrence search
// in a tz database zone (date/tz.h over the system tzdata), mute windows and status.
#include "vigil/alarms/mute_schedule.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <bitset>
#include <charconv>
#include <exception>
#include <vector>

#include "alarms/cron_spec.h"

namespace vigil::alarms {
namespace {

using Millis = std::chrono::milliseconds;
using date::local_days;
using date::local_seconds;
using date::sys_seconds;

constexpr int kSearchYears = 30;  // covers the 28-year calendar cycle (e.g. the 5th MON of FEB)
constexpr int kMaxStretchSteps = 10000;

ApiError Invalid(std::string m) { return MakeError(ErrorCode::kValidationError, std::move(m)); }

// Parses `digits` fully as a non-negative int.
std::optional<int64_t> Number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// ISO-8601 duration without years/months: P[nW][nD][T[nH][nM][nS]].
Result<int64_t> ParseDuration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    std::string m = "Invalid Duration '";
    m += text;
    m += "': ";
    m += why;
    return Invalid(std::move(m));
  };
  if (text.size() < 3 || text[0] != 'P') {
    return bad("must be an ISO 8601 duration such as PT4H or P2DT12H");
  }
  std::string_view rest = text.substr(1);
  bool in_time = false;
  bool any = false;
  int64_t total = 0;
  std::string_view order = "WD";  // allowed designators, in order, for the current part
  while (!rest.empty()) {
    if (rest[0] == 'T') {
      if (in_time) return bad("'T' appears twice");
      in_time = true;
      order = "HMS";
      rest.remove_prefix(1);
      if (rest.empty()) return bad("'T' must be followed by hours, minutes or seconds");
      continue;
    }
    size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 0 || n == rest.size()) {
      return bad("must be an ISO 8601 duration such as PT4H or P2DT12H");
    }
    std::optional<int64_t> v = Number(rest.substr(0, n));
    if (!v) return bad("a component is too large");
    char unit = rest[n];
    if (!in_time && (unit == 'Y' || unit == 'M')) return bad("years and months are not supported");
    size_t at = order.find(unit);
    if (at == std::string_view::npos) {
      return bad("must be an ISO 8601 duration such as PT4H or P2DT12H");
    }
    order.remove_prefix(at + 1);
    int64_t scale = unit == 'W'   ? 7 * 86400
                    : unit == 'D' ? 86400
                    : unit == 'H' ? 3600
                    : unit == 'M' ? 60
                                  : 1;
    total += *v * scale;
    any = true;
    rest.remove_prefix(n + 1);
  }
  if (!any) return bad("must be an ISO 8601 duration such as PT4H or P2DT12H");
  if (total < kMinMuteDurationSeconds || total > kMaxMuteDurationSeconds) {
    return bad("must be between PT1M and P15D");
  }
  return total;
}

// at(yyyy-MM-ddThh:mm[:ss]) -> local seconds.
std::optional<local_seconds> ParseAt(std::string_view v) {
  if (v.size() != 16 && v.size() != 19) return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> std::optional<int64_t> {
    for (size_t i = pos; i < pos + len; ++i) {
      if (v[i] < '0' || v[i] > '9') return std::nullopt;
    }
    return Number(v.substr(pos, len));
  };
  if (v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':') return std::nullopt;
  if (v.size() == 19 && v[16] != ':') return std::nullopt;
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2);
  auto s = v.size() == 19 ? num(17, 2) : std::optional<int64_t>(0);
  if (!y || !mo || !d || !h || !mi || !s || *y < 1970 || *h > 23 || *mi > 59 || *s > 59) {
    return std::nullopt;
  }
  date::year_month_day ymd{date::year{static_cast<int>(*y)},
                           date::month{static_cast<unsigned>(*mo)},
                           date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return local_days{ymd} + std::chrono::hours{*h} + std::chrono::minutes{*mi} +
         std::chrono::seconds{*s};
}

}  // namespace

struct MuteSchedule::Impl {
  MuteType type = MuteType::kRecurring;
  int64_t duration_ms = 0;
  std::string timezone = "UTC";
  const date::time_zone* zone = nullptr;
  std::optional<Timestamp> start, expire;
  // at()
  std::optional<Timestamp> at_instant;  // nullopt: the wall time does not exist in the zone
  // cron()
  internal::CronSpec cron;

  // The instant of a wall time: nullopt in a spring-forward gap, the first one when ambiguous.
  std::optional<Timestamp> Instant(local_seconds l) const {
    date::local_info info = zone->get_info(l);
    if (info.result == date::local_info::nonexistent) return std::nullopt;
    sys_seconds s{l.time_since_epoch() - info.first.offset};
    return Timestamp::FromSeconds(s.time_since_epoch().count());
  }

  local_seconds Local(Timestamp t) const {
    sys_seconds s{std::chrono::seconds{t.seconds()}};
    return zone->to_local(s);
  }

  // First occurrence >= t (forward) or last occurrence <= t (backward).
  std::optional<Timestamp> Find(Timestamp t, bool forward) const {
    if (type == MuteType::kOneTime) {
      if (!at_instant) return std::nullopt;
      if (forward ? *at_instant >= t : *at_instant <= t) return at_instant;
      return std::nullopt;
    }
    // The first instant of a wall time grows strictly with the wall time, so candidates are
    // walked in wall-time order and the first that passes the instant filter is the answer.
    // Forward, local(t) is a safe start. Backward, a wall time after local(t) can still map to an
    // instant <= t when t is in the second pass of a fall-back hour: start one DST shift later.
    local_seconds from = Local(t) + std::chrono::hours{forward ? 0 : 3};
    local_days day = date::floor<date::days>(from);
    int minute = static_cast<int>((from - day) / std::chrono::minutes{1});
    int year0 = static_cast<int>(date::year_month_day{day}.year());
    int last_year = forward ? std::min(cron.MaxYear(), year0 + kSearchYears)
                            : std::max(cron.MinYear(), year0 - kSearchYears);
    while (true) {
      date::year_month_day ymd{day};
      int y = static_cast<int>(ymd.year());
      if (forward ? y > last_year : y < last_year) return std::nullopt;
      unsigned mo = static_cast<unsigned>(ymd.month());
      if (!cron.YearMatches(y) || !cron.months.test(mo)) {
        // Skip to the first day of the next month (or the last day of the previous one).
        date::year_month ym{ymd.year(), ymd.month()};
        day = forward ? local_days{(ym + date::months{1}) / 1} : local_days{ym / 1} - date::days{1};
        minute = forward ? 0 : 1439;
        continue;
      }
      if (cron.DayMatches(ymd, date::weekday{day}.c_encoding())) {
        if (auto hit = InDay(day, minute, t, forward)) return hit;
      }
      day += date::days{forward ? 1 : -1};
      minute = forward ? 0 : 1439;
    }
  }

  std::optional<Timestamp> InDay(local_days day, int bound, Timestamp t, bool forward) const {
    for (int i = 0; i < 1440; ++i) {
      int m = forward ? i : 1439 - i;
      if (forward ? m < bound : m > bound) continue;
      if (!cron.hours.test(m / 60) || !cron.minutes.test(m % 60)) continue;
      std::optional<Timestamp> inst = Instant(local_seconds{day} + std::chrono::minutes{m});
      if (inst && (forward ? *inst >= t : *inst <= t)) return inst;
    }
    return std::nullopt;
  }

  // Muted by the schedule alone (no StartDate / ExpireDate).
  bool ScheduleMutes(Timestamp t) const {
    std::optional<Timestamp> o = Find(Timestamp{t.millis - duration_ms + 1}, true);
    return o && *o <= t;
  }

  bool InRange(Timestamp t) const { return (!start || t >= *start) && (!expire || t < *expire); }
};

Result<MuteSchedule> MuteSchedule::Parse(const MuteScheduleSpec& spec) {
  auto impl = std::make_shared<Impl>();
  ASSIGN_OR_RETURN(int64_t seconds, ParseDuration(spec.duration));
  impl->duration_ms = seconds * 1000;
  if (spec.timezone) impl->timezone = *spec.timezone;
  if (impl->timezone.empty() || impl->timezone.size() > 50) {
    std::string m = "Invalid Timezone '";
    m += impl->timezone;
    m += "': must be between 1 and 50 characters";
    return Invalid(std::move(m));
  }
  try {
    impl->zone = date::locate_zone(impl->timezone);
  } catch (const std::exception&) {
    std::string m = "Invalid Timezone '";
    m += impl->timezone;
    m += "': not a time zone of the tz database";
    return Invalid(std::move(m));
  }
  std::string_view e = spec.expression;
  auto bad = [&](std::string_view why) {
    std::string m = "Invalid schedule expression '";
    m += e;
    m += "': ";
    m += why;
    return Invalid(std::move(m));
  };
  if (e.empty() || e.size() > 256) return bad("must be between 1 and 256 characters");
  if (e.size() > 4 && e.substr(0, 3) == "at(" && e.back() == ')') {
    std::optional<local_seconds> l = ParseAt(e.substr(3, e.size() - 4));
    if (!l) return bad("must be at(yyyy-MM-ddThh:mm) or at(yyyy-MM-ddThh:mm:ss)");
    impl->type = MuteType::kOneTime;
    impl->at_instant = impl->Instant(*l);
  } else if (e.size() > 6 && e.substr(0, 5) == "cron(" && e.back() == ')') {
    std::string why;
    std::optional<internal::CronSpec> c = internal::ParseCron(e.substr(5, e.size() - 6), &why);
    if (!c) return bad(why);
    impl->type = MuteType::kRecurring;
    impl->cron = std::move(*c);
  } else {
    return bad("must be cron(...) or at(...)");
  }
  impl->start = spec.start_date;
  impl->expire = spec.expire_date;
  if (impl->start && impl->expire && *impl->expire <= *impl->start) {
    return Invalid("ExpireDate must be after StartDate");
  }
  return MuteSchedule(std::move(impl));
}

MuteType MuteSchedule::type() const { return impl_->type; }
int64_t MuteSchedule::duration_seconds() const { return impl_->duration_ms / 1000; }
const std::string& MuteSchedule::timezone() const { return impl_->timezone; }
std::optional<Timestamp> MuteSchedule::start_date() const { return impl_->start; }
std::optional<Timestamp> MuteSchedule::expire_date() const { return impl_->expire; }

bool MuteSchedule::IsMuted(Timestamp t) const {
  return impl_->InRange(t) && impl_->ScheduleMutes(t);
}

std::optional<Timestamp> MuteSchedule::NextOccurrence(Timestamp t) const {
  return impl_->Find(t, true);
}

std::optional<Timestamp> MuteSchedule::NextTransition(Timestamp t) const {
  const Impl& s = *impl_;
  if (IsMuted(t)) {
    // The stretch containing t: follow windows that overlap or touch the current end.
    std::optional<Timestamp> last = s.Find(t, false);
    if (!last) return std::nullopt;  // unreachable: muted means an occurrence <= t
    Timestamp end{last->millis + s.duration_ms};
    for (int i = 0; i < kMaxStretchSteps; ++i) {
      if (s.expire && end >= *s.expire) return s.expire;
      std::optional<Timestamp> p = s.Find(end, false);
      if (!p || *p <= *last) return end;
      last = p;
      end = Timestamp{p->millis + s.duration_ms};
    }
    return std::nullopt;
  }
  Timestamp lo{t.millis + 1};
  if (s.start && lo < *s.start) lo = *s.start;
  if (s.expire && lo >= *s.expire) return std::nullopt;
  if (s.ScheduleMutes(lo)) return lo;
  std::optional<Timestamp> o = s.Find(lo, true);
  if (!o || (s.expire && *o >= *s.expire)) return std::nullopt;
  return o;
}

MuteRuleStatus MuteSchedule::Status(Timestamp t) const {
  if (impl_->expire && t >= *impl_->expire) return MuteRuleStatus::kExpired;
  if (IsMuted(t)) return MuteRuleStatus::kActive;
  return NextTransition(t) ? MuteRuleStatus::kScheduled : MuteRuleStatus::kExpired;
}

std::string_view MuteRuleStatusName(MuteRuleStatus s) {
  switch (s) {
    case MuteRuleStatus::kScheduled:
      return "SCHEDULED";
    case MuteRuleStatus::kActive:
      return "ACTIVE";
    case MuteRuleStatus::kExpired:
      return "EXPIRED";
  }
  return "EXPIRED";
}

std::optional<MuteRuleStatus> ParseMuteRuleStatus(std::string_view s) {
  for (MuteRuleStatus v :
       {MuteRuleStatus::kScheduled, MuteRuleStatus::kActive, MuteRuleStatus::kExpired}) {
    if (MuteRuleStatusName(v) == s) return v;
  }
  return std::nullopt;
}

std::string_view MuteTypeName(MuteType t) {
  return t == MuteType::kOneTime ? "ONE_TIME" : "RECURRING";
}

Status ValidateMuteTargets(std::span<const std::string> alarm_names) {
  if (alarm_names.size() > kMaxMuteTargets) {
    return Invalid("MuteTargets.AlarmNames can hold at most 100 alarm names");
  }
  for (const std::string& n : alarm_names) {
    if (n.empty() || n.size() > 255) {
      return Invalid(
          "Each alarm name in MuteTargets.AlarmNames must be between 1 and 255 "
          "characters");
    }
  }
  return OkStatus();
}

bool MuteTargetsInclude(std::span<const std::string> alarm_names, std::string_view alarm_name) {
  return std::find(alarm_names.begin(), alarm_names.end(), alarm_name) != alarm_names.end();
}

}  // namespace vigil::alarms
