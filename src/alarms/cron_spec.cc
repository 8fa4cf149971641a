// cron() field parsing and day matching for mute rule schedules (cron_spec.h).
#include "alarms/cron_spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vigil::alarms::internal {
namespace {

constexpr std::string_view kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::string_view kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool EqualsUpper(std::string_view a, std::string_view upper) {
  if (a.size() != upper.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != upper[i]) return false;
  }
  return true;
}

// One field's description: its name, value range and how names and numbers map to values.
struct FieldDef {
  std::string_view name;
  int lo;
  int hi;
  const std::string_view* names = nullptr;  // names[i] is value i + names_base
  int name_count = 0;
  int names_base = 0;
};

class FieldParser {
 public:
  FieldParser(const FieldDef& def, std::string* why) : def_(def), why_(why) {}

  // A single value: a number in range or a name.
  std::optional<int> Value(std::string_view s) {
    for (int i = 0; i < def_.name_count; ++i) {
      if (EqualsUpper(s, def_.names[i])) return i + def_.names_base;
    }
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < def_.lo || v > def_.hi) {
      return Fail(s, "is not a valid value");
    }
    return v;
  }

  // `*`, `a`, `a-b`, each optionally `/step`: calls set(v) for each value.
  template <typename Set>
  bool Range(std::string_view item, Set set) {
    std::string_view base = item;
    int step = 1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      std::string_view s = item.substr(slash + 1);
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size() || step < 1 ||
          step > def_.hi) {
        return Fail(item, "has an invalid step").has_value();
      }
    }
    int a = def_.lo, b = def_.hi;
    if (base != "*") {
      size_t dash = base.find('-');
      std::optional<int> va = Value(base.substr(0, dash));
      if (!va) return false;
      a = *va;
      b = item.find('/') != std::string_view::npos ? def_.hi : a;
      if (dash != std::string_view::npos) {
        std::optional<int> vb = Value(base.substr(dash + 1));
        if (!vb) return false;
        b = *vb;
        if (b < a) return Fail(item, "is a range that ends before it starts").has_value();
      }
    }
    for (int v = a; v <= b; v += step) set(v);
    return true;
  }

  std::optional<int> Fail(std::string_view item, std::string_view what) {
    if (why_->empty()) {
      *why_ = std::string(def_.name);
      *why_ += " '";
      *why_ += item;
      *why_ += "' ";
      *why_ += what;
    }
    return std::nullopt;
  }

 private:
  const FieldDef& def_;
  std::string* why_;
};

template <size_t N>
bool SimpleField(std::string_view text, const FieldDef& def, std::bitset<N>& bits,
                 std::string* why) {
  FieldParser p(def, why);
  for (std::string_view item : Split(text, ',')) {
    if (!p.Range(item, [&](int v) { bits.set(static_cast<size_t>(v)); })) return false;
  }
  return true;
}

bool Digits(std::string_view s, int lo, int hi, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size() && *out >= lo && *out <= hi;
}

bool DayOfMonth(std::string_view text, CronSpec& c, std::string* why) {
  static constexpr FieldDef kDef{"Day-of-month", 1, 31};
  FieldParser p(kDef, why);
  if (text == "*" || text == "?") {
    c.dom_question = text == "?";
    return true;
  }
  c.dom_any = false;
  for (std::string_view item : Split(text, ',')) {
    int n = 0;
    if (item == "L") {
      c.dom_last_offsets.push_back(0);
    } else if (item == "LW") {
      c.dom_last_weekday = true;
    } else if (item.size() > 2 && item.substr(0, 2) == "L-") {
      if (!Digits(item.substr(2), 0, 30, &n))
        return p.Fail(item, "is not a valid value").has_value();
      c.dom_last_offsets.push_back(n);
    } else if (item.size() > 1 && item.back() == 'W') {
      if (!Digits(item.substr(0, item.size() - 1), 1, 31, &n)) {
        return p.Fail(item, "is not a valid value").has_value();
      }
      c.dom_nearest_weekday.push_back(n);
    } else if (!p.Range(item, [&](int v) { c.dom_days.set(static_cast<size_t>(v)); })) {
      return false;
    }
  }
  return true;
}

bool DayOfWeek(std::string_view text, CronSpec& c, std::string* why) {
  // 5 fields: 0-7 (0 and 7 = SUN); 6 fields (EventBridge): 1-7 (1 = SUN). Stored as 0 = SUN.
  const int base = c.six_fields ? 1 : 0;
  const FieldDef def{"Day-of-week", base, c.six_fields ? 7 : 7, kDayNames, 7, base};
  auto norm = [&](int v) { return (v - base) % 7; };
  FieldParser p(def, why);
  if (text == "*" || text == "?") {
    c.dow_question = text == "?";
    return true;
  }
  c.dow_any = false;
  for (std::string_view item : Split(text, ',')) {
    if (item == "L") {
      c.dow_days.set(6);  // Quartz/EventBridge: L alone is the last day of the week, SAT
    } else if (size_t hash = item.find('#'); hash != std::string_view::npos) {
      std::optional<int> d = p.Value(item.substr(0, hash));
      int k = 0;
      if (!d) return false;
      if (!Digits(item.substr(hash + 1), 1, 5, &k)) {
        return p.Fail(item, "must be weekday#n with n from 1 to 5").has_value();
      }
      c.dow_nth.emplace_back(norm(*d), k);
    } else if (item.size() > 1 && item.back() == 'L') {
      std::optional<int> d = p.Value(item.substr(0, item.size() - 1));
      if (!d) return false;
      c.dow_last.push_back(norm(*d));
    } else if (!p.Range(item, [&](int v) { c.dow_days.set(static_cast<size_t>(norm(v))); })) {
      return false;
    }
  }
  return true;
}

}  // namespace

int CronSpec::MinYear() const {
  if (any_year) return kCronMinYear;
  for (size_t i = 0; i < years.size(); ++i) {
    if (years.test(i)) return kCronMinYear + static_cast<int>(i);
  }
  return kCronMaxYear;
}

int CronSpec::MaxYear() const {
  if (any_year) return kCronMaxYear;
  for (size_t i = years.size(); i-- > 0;) {
    if (years.test(i)) return kCronMinYear + static_cast<int>(i);
  }
  return kCronMinYear;
}

bool CronSpec::YearMatches(int year) const {
  if (year < kCronMinYear || year > kCronMaxYear) return false;
  return any_year || years.test(static_cast<size_t>(year - kCronMinYear));
}

bool CronSpec::DayMatches(const date::year_month_day& ymd, unsigned weekday) const {
  const int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
  const int last = static_cast<int>(static_cast<unsigned>(
      date::year_month_day_last{ymd.year(), date::month_day_last{ymd.month()}}.day()));
  auto weekday_of = [&](int day) { return static_cast<int>((weekday + 7 * 5 + day - d) % 7); };
  auto nearest_weekday = [&](int n) {
    int w = weekday_of(n);
    if (w == 6) return n == 1 ? 3 : n - 1;         // SAT: FRI before, or MON after the 1st
    if (w == 0) return n == last ? n - 2 : n + 1;  // SUN: MON after, or FRI before the last
    return n;
  };
  bool dom = dom_days.test(static_cast<size_t>(d));
  for (int off : dom_last_offsets) dom = dom || d == last - off;
  if (dom_last_weekday) dom = dom || d == nearest_weekday(last);
  for (int n : dom_nearest_weekday) dom = dom || (n <= last && d == nearest_weekday(n));

  const int wd = static_cast<int>(weekday);
  bool dow = dow_days.test(static_cast<size_t>(wd));
  for (auto [w, k] : dow_nth) dow = dow || (w == wd && (d - 1) / 7 + 1 == k);
  for (int w : dow_last) dow = dow || (w == wd && d + 7 > last);

  if (dom_any && dow_any) return true;
  if (dom_any) return dow;
  if (dow_any) return dom;
  return dom || dow;  // 5-field cron with both day fields restricted: either matches
}

std::optional<CronSpec> ParseCron(std::string_view fields, std::string* why) {
  why->clear();
  std::vector<std::string_view> f;
  size_t i = 0;
  while (i < fields.size()) {
    while (i < fields.size() && fields[i] == ' ') ++i;
    size_t j = i;
    while (j < fields.size() && fields[j] != ' ') ++j;
    if (j > i) f.push_back(fields.substr(i, j - i));
    i = j;
  }
  if (f.size() != 5 && f.size() != 6) {
    *why = "cron() takes 5 fields (minutes hours day-of-month month day-of-week) or 6 (with year)";
    return std::nullopt;
  }
  CronSpec c;
  c.six_fields = f.size() == 6;
  static constexpr FieldDef kMin{"Minutes", 0, 59};
  static constexpr FieldDef kHour{"Hours", 0, 23};
  static constexpr FieldDef kMonth{"Month", 1, 12, kMonthNames, 12, 1};
  static constexpr FieldDef kYear{"Year", kCronMinYear, kCronMaxYear};
  if (!SimpleField(f[0], kMin, c.minutes, why) || !SimpleField(f[1], kHour, c.hours, why) ||
      !DayOfMonth(f[2], c, why) || !SimpleField(f[3], kMonth, c.months, why) ||
      !DayOfWeek(f[4], c, why)) {
    return std::nullopt;
  }
  if (c.six_fields) {
    if (c.dom_question == c.dow_question) {
      *why = "exactly one of Day-of-month and Day-of-week must be '?'";
      return std::nullopt;
    }
    if (f[5] != "*") {
      c.any_year = false;
      FieldParser p(kYear, why);
      for (std::string_view item : Split(f[5], ',')) {
        if (!p.Range(item, [&](int v) { c.years.set(static_cast<size_t>(v - kCronMinYear)); })) {
          return std::nullopt;
        }
      }
    }
  }
  return c;
}

}  // namespace vigil::alarms::internal
