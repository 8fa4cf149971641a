// Parsing and evaluation of CloudWatch statistics (statistic.h; docs/query.md).
#include "vigil/query/statistic.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace vigil::query {
namespace {

using Kind = Statistic::Kind;
using Bound = Statistic::Bound;
using Point = storage::Distribution::Point;

constexpr std::array<std::string_view, 5> kBasicNames = {"SampleCount", "Average", "Sum", "Minimum",
                                                         "Maximum"};
constexpr size_t kMaxDecimals = 10;
constexpr size_t kMaxNumberChars = 40;

// A decimal number as the statistic syntax writes it: digits, optionally '.' and 1 to 10 digits;
// a leading '-' only where `allow_sign`. No exponent, no spaces, no '+'.
std::optional<double> ParseNumber(std::string_view s, bool allow_sign) {
  if (s.empty() || s.size() > kMaxNumberChars) return std::nullopt;
  size_t i = 0;
  if (allow_sign && s[0] == '-') i = 1;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  if (int_digits == 0) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != '.') return std::nullopt;
    ++i;
    size_t decimals = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++decimals;
    if (decimals == 0 || decimals > kMaxDecimals || i != s.size()) return std::nullopt;
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> ParsePercent(std::string_view s) {
  auto v = ParseNumber(s, false);
  if (!v || *v > 100) return std::nullopt;
  return v;
}

// One side inside parentheses: empty (absent), "NN%" or "NN".
std::optional<Bound> ParseBound(std::string_view s) {
  Bound b;
  if (s.empty()) return b;
  b.present = true;
  if (s.back() == '%') {
    auto v = ParsePercent(s.substr(0, s.size() - 1));
    if (!v) return std::nullopt;
    b.percent = true;
    b.value = *v;
    return b;
  }
  auto v = ParseNumber(s, true);
  if (!v) return std::nullopt;
  b.value = *v;
  return b;
}

// q/100 × total, snapped to a whole number when it is meant to be one (7% of 100 is 7, not
// 7.000000000000001).
double Fraction(double q, double total) {
  double x = q / 100.0 * total;
  double r = std::round(x);
  // Two roundings (q/100, × total) leave a few ulps; a statistic's 10 decimals are far coarser.
  if (std::fabs(x - r) <=
      8 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::fabs(x))) {
    x = r;
  }
  return x;
}

// The rank that percentile q selects among `total` weighted values: ceil(q/100 × total).
double RankOf(double q, double total) {
  return std::clamp(std::ceil(Fraction(q, total)), 0.0, total);
}

// How many of the lowest values a lower percent bound q removes: floor(q/100 × total), so that a
// range removes only whole values on each side (IQM of 1..10 keeps 3..8).
double RanksBelow(double q, double total) {
  return std::clamp(std::floor(Fraction(q, total)), 0.0, total);
}

// The tolerance for comparing cumulative counts (exact for whole counts).
double Slack(double total) { return 1e-9 * std::max(1.0, total); }

// Index of the point holding rank `rank` (the first with cumulative count >= rank); ranks <= 0
// select the first point.
size_t PointAtRank(const std::vector<Point>& pts, double rank, double total) {
  double cumulative = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    cumulative += pts[i].count;
    if (cumulative >= rank - Slack(total)) return i;
  }
  return pts.size() - 1;
}

// The rank range (lo, hi] that a range statistic keeps.
std::pair<double, double> KeptRanks(const std::vector<Point>& pts, double total, const Bound& lower,
                                    const Bound& upper) {
  auto rank = [&](const Bound& b, bool is_lower) {
    if (!b.present) return is_lower ? 0.0 : total;
    if (b.percent) return is_lower ? RanksBelow(b.value, total) : RankOf(b.value, total);
    // Absolute bound v: the number of values <= v (values equal to the lower bound are excluded,
    // values equal to the upper bound are included).
    double at_or_below = 0;
    for (const Point& p : pts) {
      if (p.value > b.value) break;
      at_or_below += p.count;
    }
    return at_or_below;
  };
  double lo = rank(lower, true);
  double hi = rank(upper, false);
  return {lo, std::max(lo, hi)};
}

struct RangeSums {
  double count = 0;  // weighted values kept
  double sum = 0;    // their sum
};

RangeSums SumRange(const std::vector<Point>& pts, double lo, double hi) {
  RangeSums r;
  double before = 0;
  for (const Point& p : pts) {
    double after = before + p.count;
    double kept = std::min(after, hi) - std::max(before, lo);
    if (kept > 0) {
      r.count += kept;
      r.sum += kept * p.value;
    }
    before = after;
    if (before >= hi) break;
  }
  return r;
}

}  // namespace

std::string_view BasicStatisticName(Kind kind) {
  auto i = static_cast<size_t>(kind);
  return i < kBasicNames.size() ? kBasicNames[i] : std::string_view();
}

Statistic Statistic::Basic(Kind kind) {
  Statistic s;
  s.kind_ = kind;
  s.text_ = std::string(BasicStatisticName(kind));
  return s;
}

std::optional<Statistic> Statistic::Parse(std::string_view text) {
  for (size_t i = 0; i < kBasicNames.size(); ++i) {
    if (text == kBasicNames[i]) return Basic(static_cast<Kind>(i));
  }
  Statistic s;
  s.text_ = std::string(text);
  if (text == "IQM") {
    s.kind_ = Kind::kTrimmedMean;
    s.lower_ = {true, true, 25};
    s.upper_ = {true, true, 75};
    return s;
  }
  if (text.size() >= 2 && text[0] == 'p' && text[1] >= '0' && text[1] <= '9') {
    auto q = ParsePercent(text.substr(1));
    if (!q) return std::nullopt;
    s.kind_ = Kind::kPercentile;
    s.percentile_ = *q;
    return s;
  }
  struct Prefix {
    std::string_view lower, upper;
    Kind kind;
  };
  static constexpr Prefix kPrefixes[] = {{"tm", "TM", Kind::kTrimmedMean},
                                         {"wm", "WM", Kind::kWinsorizedMean},
                                         {"tc", "TC", Kind::kTrimmedCount},
                                         {"ts", "TS", Kind::kTrimmedSum},
                                         {"", "PR", Kind::kPercentileRank}};
  if (text.size() < 3) return std::nullopt;
  std::string_view head = text.substr(0, 2);
  std::string_view rest = text.substr(2);
  for (const Prefix& p : kPrefixes) {
    if (!p.lower.empty() && head == p.lower) {
      // Lowercase: exactly one number, an upper percentile bound.
      auto q = ParsePercent(rest);
      if (!q) return std::nullopt;
      s.kind_ = p.kind;
      s.upper_ = {true, true, *q};
      return s;
    }
    if (head == p.upper) {
      // Uppercase: "(lower:upper)", each side optional but not both.
      if (rest.size() < 3 || rest.front() != '(' || rest.back() != ')') return std::nullopt;
      std::string_view inside = rest.substr(1, rest.size() - 2);
      size_t colon = inside.find(':');
      if (colon == std::string_view::npos ||
          inside.find(':', colon + 1) != std::string_view::npos) {
        return std::nullopt;
      }
      auto lo = ParseBound(inside.substr(0, colon));
      auto hi = ParseBound(inside.substr(colon + 1));
      if (!lo || !hi || (!lo->present && !hi->present)) return std::nullopt;
      if (lo->present && hi->present) {
        if (lo->percent != hi->percent || lo->value > hi->value) return std::nullopt;
      }
      if (p.kind == Kind::kPercentileRank && (lo->percent || hi->percent)) return std::nullopt;
      s.kind_ = p.kind;
      s.lower_ = *lo;
      s.upper_ = *hi;
      return s;
    }
  }
  return std::nullopt;
}

std::optional<double> Statistic::Evaluate(const storage::Aggregate& a) const {
  if (a.empty()) return std::nullopt;
  switch (kind_) {
    case Kind::kSampleCount:
      return a.sample_count;
    case Kind::kAverage:
      return a.sum / a.sample_count;
    case Kind::kSum:
      return a.sum;
    case Kind::kMinimum:
      return a.minimum;
    case Kind::kMaximum:
      return a.maximum;
    default:
      break;
  }
  // The percentile family needs every raw value, none negative (cloudwatch-semantics.md §2).
  if (!a.values_complete || a.minimum < 0 || a.values.empty()) return std::nullopt;
  const std::vector<Point> pts = a.values.Points();
  const double total = a.values.total_count();

  if (kind_ == Kind::kPercentile) {
    double rank = RankOf(percentile_, total);
    if (!a.values.exact()) {
      // Sketch representatives are within 1% of the true value; the extremes are known exactly.
      if (rank >= total) return a.maximum;
      if (rank <= 1) return a.minimum;
    }
    double v = pts[PointAtRank(pts, rank, total)].value;
    return std::clamp(v, a.minimum, a.maximum);
  }

  auto [lo, hi] = KeptRanks(pts, total, lower_, upper_);
  RangeSums kept = SumRange(pts, lo, hi);
  switch (kind_) {
    case Kind::kTrimmedCount:
      return kept.count;
    case Kind::kTrimmedSum:
      return kept.sum;
    case Kind::kPercentileRank:
      return 100.0 * kept.count / total;
    case Kind::kTrimmedMean:
      if (kept.count <= 0) return std::nullopt;
      return kept.sum / kept.count;
    case Kind::kWinsorizedMean: {
      if (kept.count <= 0) return std::nullopt;
      // Values below the kept range count as the lowest kept value, values above as the highest.
      double low = pts[PointAtRank(pts, lo + Slack(total) * 2, total)].value;
      double high = pts[PointAtRank(pts, hi, total)].value;
      return (lo * low + kept.sum + (total - hi) * high) / total;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace vigil::query
