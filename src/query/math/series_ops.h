// Point-wise building blocks of metric math over time series (math.h): operators, alignment on
// the union of timestamps, and per-timestamp aggregation across an array.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "vigil/query/math.h"

namespace vigil::query::math::internal {

enum class Op { kAdd, kSub, kMul, kDiv, kPow, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr };
std::optional<Op> ParseOp(std::string_view text);

// a op b; NaN when the result has no value (division by zero, a non-finite result). Inline: it
// runs once per point.
inline double Apply(Op op, double a, double b) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (a - a != 0 || b - b != 0) return kNaN;
  double r = kNaN;
  switch (op) {
    case Op::kAdd:
      r = a + b;
      break;
    case Op::kSub:
      r = a - b;
      break;
    case Op::kMul:
      r = a * b;
      break;
    case Op::kDiv:
      r = b == 0 ? kNaN : a / b;
      break;
    case Op::kPow:
      r = std::pow(a, b);
      break;
    case Op::kLt:
      r = a < b;
      break;
    case Op::kLe:
      r = a <= b;
      break;
    case Op::kGt:
      r = a > b;
      break;
    case Op::kGe:
      r = a >= b;
      break;
    case Op::kEq:
      r = a == b;
      break;
    case Op::kNe:
      r = a != b;
      break;
    case Op::kAnd:
      r = (a != 0) && (b != 0);
      break;
    case Op::kOr:
      r = (a != 0) || (b != 0);
      break;
  }
  return r - r == 0 ? r : kNaN;
}

// Drops the point when f(value) is not finite.
template <typename F>
Series MapValues(const Series& s, F f) {
  Series out;
  out.label = s.label;
  out.period_seconds = s.period_seconds;
  out.source = s.source;
  out.times.reserve(s.times.size());
  out.values.reserve(s.values.size());
  for (size_t i = 0; i < s.times.size(); ++i) {
    double v = f(s.values[i]);
    if (v - v != 0) continue;  // NaN or infinite
    out.times.push_back(s.times[i]);
    out.values.push_back(v);
  }
  return out;
}

// a op b on the union of their timestamps, a missing value counting as 0. Keeps a's label and
// source; the period is the smaller of the two.
Series CombineSeries(const Series& a, const Series& b, Op op);
// Every point of `s` combined with the scalar `x` (x op v when scalar_left, else v op x).
Series CombineScalar(const Series& s, double x, Op op, bool scalar_left);
// The same, in place.
void CombineScalarInPlace(Series& s, double x, Op op, bool scalar_left);
// s op b in place, for two series with the same timestamps.
void CombineSameTimesInPlace(Series& s, const Series& b, Op op);

// The sorted union of the timestamps of every series.
std::vector<int64_t> UnionTimes(const std::vector<Series>& all);

// The value of `s` at `t`, if it has one.
std::optional<double> ValueAt(const Series& s, int64_t t);

enum class Reduce { kSum, kAvg, kMin, kMax, kStddev, kCount };
// One number from a whole series (NaN when it has no value: AVG, MIN, MAX, STDDEV of nothing).
double ReduceSeries(const Series& s, Reduce how);
// Per timestamp of the union, the reduction of the values the series have there.
Series ReduceAcross(const std::vector<Series>& all, Reduce how);

}  // namespace vigil::query::math::internal
