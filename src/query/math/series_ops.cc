#include "query/math/series_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::query::math::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Removes the points whose value is NaN (no value).
void DropNaN(Series& s) {
  size_t w = 0;
  for (size_t k = 0; k < s.values.size(); ++k) {
    if (s.values[k] != s.values[k]) continue;
    s.times[w] = s.times[k];
    s.values[w++] = s.values[k];
  }
  s.times.resize(w);
  s.values.resize(w);
}

}  // namespace

std::optional<Op> ParseOp(std::string_view t) {
  if (t == "+") return Op::kAdd;
  if (t == "-") return Op::kSub;
  if (t == "*") return Op::kMul;
  if (t == "/") return Op::kDiv;
  if (t == "^") return Op::kPow;
  if (t == "<") return Op::kLt;
  if (t == "<=") return Op::kLe;
  if (t == ">") return Op::kGt;
  if (t == ">=") return Op::kGe;
  if (t == "==") return Op::kEq;
  if (t == "!=") return Op::kNe;
  if (t == "AND") return Op::kAnd;
  if (t == "OR") return Op::kOr;
  return std::nullopt;
}

Series CombineSeries(const Series& a, const Series& b, Op op) {
  Series out;
  out.label = a.label;
  out.source = a.source;
  out.period_seconds = std::min(a.period_seconds, b.period_seconds);
  if (a.times == b.times) {  // the usual case: one period grid, nothing to align
    out.times = a.times;
    out.values.resize(a.values.size());
    bool dropped = false;
    for (size_t k = 0; k < a.values.size(); ++k) {
      out.values[k] = Apply(op, a.values[k], b.values[k]);
      dropped = dropped || out.values[k] != out.values[k];
    }
    if (dropped) DropNaN(out);
    return out;
  }
  out.times.reserve(std::max(a.times.size(), b.times.size()));
  out.values.reserve(out.times.capacity());
  size_t i = 0, j = 0;
  auto emit = [&](int64_t t, double x, double y) {
    double v = Apply(op, x, y);
    if (v != v) return;
    out.times.push_back(t);
    out.values.push_back(v);
  };
  while (i < a.times.size() || j < b.times.size()) {
    if (j == b.times.size() || (i < a.times.size() && a.times[i] < b.times[j])) {
      emit(a.times[i], a.values[i], 0);
      ++i;
    } else if (i == a.times.size() || b.times[j] < a.times[i]) {
      emit(b.times[j], 0, b.values[j]);
      ++j;
    } else {
      emit(a.times[i], a.values[i], b.values[j]);
      ++i;
      ++j;
    }
  }
  return out;
}

Series CombineScalar(const Series& s, double x, Op op, bool scalar_left) {
  if (scalar_left) return MapValues(s, [&](double v) { return Apply(op, x, v); });
  return MapValues(s, [&](double v) { return Apply(op, v, x); });
}

void CombineScalarInPlace(Series& s, double x, Op op, bool scalar_left) {
  bool dropped = false;
  for (double& v : s.values) {
    v = scalar_left ? Apply(op, x, v) : Apply(op, v, x);
    dropped = dropped || v != v;
  }
  if (dropped) DropNaN(s);
}

void CombineSameTimesInPlace(Series& s, const Series& b, Op op) {
  bool dropped = false;
  for (size_t k = 0; k < s.values.size(); ++k) {
    s.values[k] = Apply(op, s.values[k], b.values[k]);
    dropped = dropped || s.values[k] != s.values[k];
  }
  s.period_seconds = std::min(s.period_seconds, b.period_seconds);
  if (dropped) DropNaN(s);
}

std::vector<int64_t> UnionTimes(const std::vector<Series>& all) {
  std::vector<int64_t> u, tmp;
  for (const Series& s : all) {
    if (s.times == u || s.times.empty()) continue;
    if (u.empty()) {
      u = s.times;
      continue;
    }
    tmp.clear();
    tmp.reserve(u.size() + s.times.size());
    std::set_union(u.begin(), u.end(), s.times.begin(), s.times.end(), std::back_inserter(tmp));
    u.swap(tmp);
  }
  return u;
}

std::optional<double> ValueAt(const Series& s, int64_t t) {
  auto it = std::lower_bound(s.times.begin(), s.times.end(), t);
  if (it == s.times.end() || *it != t) return std::nullopt;
  return s.values[static_cast<size_t>(it - s.times.begin())];
}

double ReduceSeries(const Series& s, Reduce how) {
  const auto& v = s.values;
  if (how == Reduce::kCount) return static_cast<double>(v.size());
  if (v.empty()) return how == Reduce::kSum ? 0 : kNaN;
  double sum = 0, mn = v[0], mx = v[0];
  for (double x : v) {
    sum += x;
    mn = std::min(mn, x);
    mx = std::max(mx, x);
  }
  const double n = static_cast<double>(v.size());
  switch (how) {
    case Reduce::kSum:
      return sum;
    case Reduce::kAvg:
      return sum / n;
    case Reduce::kMin:
      return mn;
    case Reduce::kMax:
      return mx;
    case Reduce::kStddev: {
      const double mean = sum / n;
      double sq = 0;
      for (double x : v) sq += (x - mean) * (x - mean);
      return std::sqrt(sq / n);
    }
    case Reduce::kCount:
      break;
  }
  return kNaN;
}

Series ReduceAcross(const std::vector<Series>& all, Reduce how) {
  Series out;
  out.period_seconds = all.empty() ? 60 : all.front().period_seconds;
  for (const Series& s : all) out.period_seconds = std::min(out.period_seconds, s.period_seconds);
  out.times = UnionTimes(all);
  const size_t n = out.times.size();
  struct Acc {
    double sum = 0, count = 0, min = kNaN, max = kNaN, sq = 0;
  };
  std::vector<Acc> acc(n);
  // Each point's slot in the union, found once (all series usually share one grid), flat.
  std::vector<uint32_t> slots;
  size_t total = 0;
  for (const Series& s : all) total += s.times.size();
  slots.reserve(total);
  for (const Series& s : all) {
    const bool same = s.times.size() == n;  // a subset of the union that large is the union
    size_t u = 0;
    for (size_t i = 0; i < s.times.size(); ++i) {
      if (same) {
        u = i;
      } else {
        while (out.times[u] < s.times[i]) ++u;
      }
      slots.push_back(static_cast<uint32_t>(u));
      Acc& a = acc[u];
      const double v = s.values[i];
      a.sum += v;
      a.count += 1;
      if (!(a.min <= v)) a.min = v;
      if (!(a.max >= v)) a.max = v;
    }
  }
  if (how == Reduce::kStddev) {
    size_t k = 0;
    for (const Series& s : all) {
      for (size_t i = 0; i < s.times.size(); ++i) {
        Acc& a = acc[slots[k++]];
        const double d = s.values[i] - a.sum / a.count;
        a.sq += d * d;
      }
    }
  }
  out.values.resize(n);
  for (size_t u = 0; u < n; ++u) {
    const Acc& a = acc[u];
    double v = 0;
    switch (how) {
      case Reduce::kSum:
        v = a.sum;
        break;
      case Reduce::kAvg:
        v = a.sum / a.count;
        break;
      case Reduce::kMin:
        v = a.min;
        break;
      case Reduce::kMax:
        v = a.max;
        break;
      case Reduce::kStddev:
        v = std::sqrt(a.sq / a.count);
        break;
      case Reduce::kCount:
        v = a.count;
        break;
    }
    out.values[u] = v;
  }
  return out;
}

}  // namespace vigil::query::math::internal
