// The metric-math functions over evaluated arguments (functions.h; docs/metric-math.md).
#include "query/math/functions.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "query/math/series_ops.h"

namespace vigil::query::math::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ApiError Invalid(const Node& call, std::string_view what) {
  std::string m(call.text);
  m += " at position ";
  m += std::to_string(call.position);
  m += ": ";
  m += what;
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

Value Scalar(double v) {
  Value out;
  out.type = Type::kScalar;
  out.scalar = v;
  return out;
}
Value OneSeries(Series s) {
  Value out;
  out.type = Type::kSeries;
  out.series.push_back(std::move(s));
  return out;
}

// f of every series of a series or array value, keeping its type.
template <typename F>
Value EachSeries(const Value& v, F f) {
  Value out;
  out.type = v.type;
  out.series.reserve(v.series.size());
  for (const Series& s : v.series) out.series.push_back(f(s));
  return out;
}

// The value of an element-wise function (ABS, LOG, ...) on a scalar, series or array.
template <typename F>
Value ElementWise(const Value& v, F f) {
  if (v.type == Type::kScalar) {
    double r = f(v.scalar);
    return Scalar(r - r == 0 ? r : kNaN);
  }
  return EachSeries(v, [&](const Series& s) { return MapValues(s, f); });
}

// A new series from consecutive pairs of points: f(previous index, index) for every point but
// the first.
template <typename F>
Series Pairwise(const Series& s, F f) {
  Series out;
  out.label = s.label;
  out.period_seconds = s.period_seconds;
  out.source = s.source;
  for (size_t i = 1; i < s.times.size(); ++i) {
    double v = f(i - 1, i);
    if (v - v != 0) continue;
    out.times.push_back(s.times[i]);
    out.values.push_back(v);
  }
  return out;
}

double TimePart(Fn fn, int64_t millis) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{millis}};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{tp - day};
  switch (fn) {
    case Fn::kMinute:
      return static_cast<double>(hms.minutes().count());
    case Fn::kHour:
      return static_cast<double>(hms.hours().count());
    case Fn::kDay:
      return static_cast<double>(weekday{day}.iso_encoding());  // Monday 1 .. Sunday 7
    case Fn::kDate:
      return static_cast<double>(static_cast<unsigned>(ymd.day()));
    case Fn::kMonth:
      return static_cast<double>(static_cast<unsigned>(ymd.month()));
    case Fn::kYear:
      return static_cast<double>(static_cast<int>(ymd.year()));
    default:  // kEpoch
      return std::floor(static_cast<double>(millis) / 1000.0);
  }
}

Series TimeSeriesOf(Fn fn, const Series& s) {
  Series out = s;
  for (size_t i = 0; i < s.times.size(); ++i) out.values[i] = TimePart(fn, s.times[i]);
  return out;
}

Result<Series> Fill(const Series& s, const Node& how_node, const Value& how,
                    const EvalContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<int64_t> grid, Grid(ctx, s.period_seconds));
  Series out;
  out.label = s.label;
  out.period_seconds = s.period_seconds;
  out.source = s.source;
  std::vector<int64_t> times;
  times.reserve(grid.size() + s.times.size());
  std::set_union(grid.begin(), grid.end(), s.times.begin(), s.times.end(),
                 std::back_inserter(times));
  const bool repeat = how_node.kind == Node::Kind::kKeyword && how_node.text == "REPEAT";
  const bool linear = how_node.kind == Node::Kind::kKeyword && how_node.text == "LINEAR";
  size_t next = 0;  // index in s of the first point at or after the current time
  for (int64_t t : times) {
    while (next < s.times.size() && s.times[next] < t) ++next;
    std::optional<double> v;
    if (next < s.times.size() && s.times[next] == t) {
      v = s.values[next];
    } else if (repeat) {
      if (next > 0) v = s.values[next - 1];
    } else if (linear) {
      if (next > 0 && next < s.times.size()) {
        const double t0 = static_cast<double>(s.times[next - 1]);
        const double t1 = static_cast<double>(s.times[next]);
        const double f = (static_cast<double>(t) - t0) / (t1 - t0);
        v = s.values[next - 1] + f * (s.values[next] - s.values[next - 1]);
      }
    } else if (how.type == Type::kScalar) {
      if (how.scalar == how.scalar) v = how.scalar;
    } else {
      v = ValueAt(how.series.front(), t);
    }
    if (!v) continue;
    out.times.push_back(t);
    out.values.push_back(*v);
  }
  return out;
}

Series If(const Series& cond, const std::vector<const Value*>& args) {
  Series out;
  out.label = cond.label;
  out.period_seconds = cond.period_seconds;
  out.source = cond.source;
  for (size_t i = 0; i < cond.times.size(); ++i) {
    const size_t pick = cond.values[i] != 0 ? 1 : 2;
    if (pick >= args.size()) continue;  // no falseValue: no point
    const Value& a = *args[pick];
    std::optional<double> v;
    if (a.type == Type::kScalar) {
      if (a.scalar == a.scalar) v = a.scalar;
    } else {
      v = ValueAt(a.series.front(), cond.times[i]);
    }
    if (!v) continue;
    out.times.push_back(cond.times[i]);
    out.values.push_back(*v);
  }
  return out;
}

// A whole number >= 0 from a scalar argument.
Result<size_t> Index(const Node& call, size_t arg, const Value& v) {
  const double x = v.scalar;
  if (!(x >= 0) || x != std::floor(x) || x > 1e9) {
    std::string what = "argument ";
    what += std::to_string(arg + 1);
    what += " must be a whole number of at least 0";
    return Invalid(call, what);
  }
  return static_cast<size_t>(x);
}

Reduce ReduceOf(std::string_view name) {
  if (name == "SUM") return Reduce::kSum;
  if (name == "MIN") return Reduce::kMin;
  if (name == "MAX") return Reduce::kMax;
  if (name == "STDDEV") return Reduce::kStddev;
  if (name == "COUNT") return Reduce::kCount;
  return Reduce::kAvg;
}

}  // namespace

Result<Value> CallFunction(Fn fn, const Node& call, const std::vector<const Value*>& args,
                           const EvalContext& ctx) {
  const Value& a0 = *args[0];
  switch (fn) {
    case Fn::kAbs:
      return ElementWise(a0, [](double v) { return std::fabs(v); });
    case Fn::kCeil:
      return ElementWise(a0, [](double v) { return std::ceil(v); });
    case Fn::kFloor:
      return ElementWise(a0, [](double v) { return std::floor(v); });
    case Fn::kLog:
      return ElementWise(a0, [](double v) { return v > 0 ? std::log(v) : kNaN; });
    case Fn::kLog10:
      return ElementWise(a0, [](double v) { return v > 0 ? std::log10(v) : kNaN; });
    case Fn::kSqrt:
      return ElementWise(a0, [](double v) { return v >= 0 ? std::sqrt(v) : kNaN; });
    case Fn::kAvg:
    case Fn::kMax:
    case Fn::kMin:
    case Fn::kSum:
    case Fn::kStddev:
    case Fn::kDatapointCount: {
      const Reduce how = fn == Fn::kDatapointCount ? Reduce::kCount : ReduceOf(call.text);
      if (a0.type == Type::kSeries) return Scalar(ReduceSeries(a0.series[0], how));
      return OneSeries(ReduceAcross(a0.series, how));
    }
    case Fn::kDiff:
      return EachSeries(a0, [](const Series& s) {
        return Pairwise(s, [&](size_t a, size_t b) { return s.values[b] - s.values[a]; });
      });
    case Fn::kDiffTime:
      return EachSeries(a0, [](const Series& s) {
        return Pairwise(s, [&](size_t a, size_t b) {
          return static_cast<double>(s.times[b] - s.times[a]) / 1000.0;
        });
      });
    case Fn::kRate:
      return EachSeries(a0, [](const Series& s) {
        return Pairwise(s, [&](size_t a, size_t b) {
          return (s.values[b] - s.values[a]) * 1000.0 /
                 static_cast<double>(s.times[b] - s.times[a]);
        });
      });
    case Fn::kRunningSum:
      return EachSeries(a0, [](const Series& s) {
        Series out = s;
        double sum = 0;
        for (double& v : out.values) v = (sum += v);
        return out;
      });
    case Fn::kMinute:
    case Fn::kHour:
    case Fn::kDay:
    case Fn::kDate:
    case Fn::kMonth:
    case Fn::kYear:
    case Fn::kEpoch:
      return EachSeries(a0, [fn](const Series& s) { return TimeSeriesOf(fn, s); });
    case Fn::kFill: {
      Value v;
      v.type = a0.type;
      for (const Series& s : a0.series) {
        ASSIGN_OR_RETURN(Series filled, Fill(s, call.children[1], *args[1], ctx));
        v.series.push_back(std::move(filled));
      }
      return v;
    }
    case Fn::kFirst:
    case Fn::kLast: {
      if (a0.series.empty()) return OneSeries(Series{{}, {}, "", ctx.period_seconds, {}});
      return OneSeries(fn == Fn::kFirst ? a0.series.front() : a0.series.back());
    }
    case Fn::kIf: {
      return EachSeries(a0, [&](const Series& s) { return If(s, args); });
    }
    case Fn::kMetricCount:
      return Scalar(static_cast<double>(a0.series.size()));
    case Fn::kPeriod:
      return Scalar(a0.series.empty() ? ctx.period_seconds : a0.series.front().period_seconds);
    case Fn::kRemoveEmpty: {
      Value v;
      v.type = Type::kArray;
      for (const Series& s : a0.series) {
        if (!s.times.empty()) v.series.push_back(s);
      }
      return v;
    }
    case Fn::kSlice: {
      ASSIGN_OR_RETURN(size_t from, Index(call, 1, *args[1]));
      if (args.size() == 2) {
        if (from >= a0.series.size()) return OneSeries(Series{{}, {}, "", ctx.period_seconds, {}});
        return OneSeries(a0.series[from]);
      }
      ASSIGN_OR_RETURN(size_t to, Index(call, 2, *args[2]));
      to = std::min(to, a0.series.size());
      from = std::min(from, to);
      Value v;
      v.type = Type::kArray;
      v.series.assign(a0.series.begin() + static_cast<long>(from),
                      a0.series.begin() + static_cast<long>(to));
      return v;
    }
    case Fn::kSort: {
      const Value& v = a0;
      const Reduce how = ReduceOf(call.children[1].text);
      const bool desc = call.children[2].text == "DESC";
      std::vector<std::pair<double, size_t>> keys;
      for (size_t i = 0; i < v.series.size(); ++i) {
        keys.emplace_back(ReduceSeries(v.series[i], how), i);
      }
      // Series without a value for the key go last, whatever the order.
      std::stable_sort(keys.begin(), keys.end(), [desc](const auto& a, const auto& b) {
        const bool an = a.first != a.first, bn = b.first != b.first;
        if (an || bn) return !an && bn;
        return desc ? a.first > b.first : a.first < b.first;
      });
      size_t limit = keys.size();
      if (args.size() == 4) {
        ASSIGN_OR_RETURN(limit, Index(call, 3, *args[3]));
        limit = std::min(limit, keys.size());
      }
      Value sorted;
      sorted.type = Type::kArray;
      sorted.series.reserve(limit);
      for (size_t i = 0; i < limit; ++i) sorted.series.push_back(v.series[keys[i].second]);
      return sorted;
    }
    case Fn::kTimeSeries: {
      Series s;
      s.period_seconds = ctx.period_seconds;
      const double x = a0.scalar;
      if (x == x) {
        ASSIGN_OR_RETURN(s.times, Grid(ctx, ctx.period_seconds));
        s.values.assign(s.times.size(), x);
      }
      return OneSeries(std::move(s));
    }
    default:
      break;
  }
  return Invalid(call, "cannot be evaluated here");
}

}  // namespace vigil::query::math::internal
