#include "vigil/common/time.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second, millis;
};

Civil ToCivil(Timestamp t) {
  int64_t ms = t.millis;
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t rem = ms - days * 86400000;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  Civil c;
  c.year = y + (m <= 2);
  c.month = m;
  c.day = d;
  c.hour = static_cast<unsigned>(rem / 3600000);
  c.minute = static_cast<unsigned>(rem / 60000 % 60);
  c.second = static_cast<unsigned>(rem / 1000 % 60);
  c.millis = static_cast<unsigned>(rem % 1000);
  return c;
}

bool ReadDigits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

Timestamp Timestamp::FromDoubleSeconds(double s) {
  return Timestamp{static_cast<int64_t>(std::llround(s * 1000.0))};
}

std::optional<Timestamp> FromEpochSeconds(double seconds) {
  // 253402300800 = 10000-01-01T00:00:00Z.
  if (!std::isfinite(seconds) || seconds < -62135596800.0 || seconds >= 253402300800.0) {
    return std::nullopt;
  }
  return Timestamp::FromDoubleSeconds(seconds);
}

namespace {

// Writes `v` as exactly `width` decimal digits.
char* PutDigits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

// Hot path (every timestamp of an XML response): no snprintf.
std::string FormatIso8601(Timestamp t) {
  Civil c = ToCivil(t);
  if (c.year < 0 || c.year > 9999) {
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
                          static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute,
                          c.second);
    return std::string(buf, static_cast<size_t>(n));
  }
  char buf[24];
  char* p = PutDigits(buf, static_cast<unsigned>(c.year), 4);
  *p++ = '-';
  p = PutDigits(p, c.month, 2);
  *p++ = '-';
  p = PutDigits(p, c.day, 2);
  *p++ = 'T';
  p = PutDigits(p, c.hour, 2);
  *p++ = ':';
  p = PutDigits(p, c.minute, 2);
  *p++ = ':';
  p = PutDigits(p, c.second, 2);
  if (c.millis != 0) {
    *p++ = '.';
    p = PutDigits(p, c.millis, 3);
  }
  *p++ = 'Z';
  return std::string(buf, static_cast<size_t>(p - buf));
}

std::string FormatAwsMillis(Timestamp t) {
  Civil c = ToCivil(t);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%03u+0000",
                        static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second,
                        c.millis);
  return std::string(buf, static_cast<size_t>(n));
}

std::string FormatReasonDate(Timestamp t) {
  Civil c = ToCivil(t);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%02u/%02u/%02lld %02u:%02u:%02u", c.day, c.month,
                        static_cast<long long>(((c.year % 100) + 100) % 100), c.hour, c.minute,
                        c.second);
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<Timestamp> ParseTimestamp(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Plain epoch seconds ("1795779600" or "1795779600.5").
  if (s.find('-', 1) == std::string_view::npos && s.find(':') == std::string_view::npos) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return FromEpochSeconds(v);
  }
  size_t pos = 0;
  int year, month, day, hour = 0, minute = 0, second = 0;
  int64_t millis = 0;
  if (!ReadDigits(s, pos, 4, year) || !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, month) ||
      !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, day)) {
    return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (pos < s.size()) {
    if (!(Expect(s, pos, 'T') || Expect(s, pos, 't') || Expect(s, pos, ' '))) return std::nullopt;
    if (!ReadDigits(s, pos, 2, hour) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, minute)) {
      return std::nullopt;
    }
    if (Expect(s, pos, ':') && !ReadDigits(s, pos, 2, second)) return std::nullopt;
    if (Expect(s, pos, '.') || Expect(s, pos, ',')) {
      int64_t scale = 100;
      size_t digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 3) millis += (s[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
    }
    if (pos < s.size()) {
      if (Expect(s, pos, 'Z') || Expect(s, pos, 'z')) {
      } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int oh, om = 0;
        if (!ReadDigits(s, pos, 2, oh)) return std::nullopt;
        Expect(s, pos, ':');
        if (pos < s.size() && !ReadDigits(s, pos, 2, om)) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return Timestamp{secs * 1000 + millis};
}

}  // namespace vigil
