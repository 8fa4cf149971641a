#include "vigil/query/engine.h"

#include <algorithm>

namespace vigil::query {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kHighResolutionKeptMillis = 3 * 3600 * 1000LL;
constexpr int64_t kMinuteKeptMillis = 15 * kDay * 1000;
constexpr int64_t kFiveMinuteKeptMillis = 63 * kDay * 1000;

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

Timestamp RoundStart(Timestamp start, int period_seconds, Timestamp now) {
  int64_t age = now.seconds() - start.seconds();
  int64_t unit;
  if (period_seconds < 60) {
    unit = period_seconds;
  } else if (age < 15 * kDay) {
    unit = 60;
  } else if (age < 63 * kDay) {
    unit = 300;
  } else {
    unit = 3600;
  }
  return Timestamp::FromSeconds(FloorDiv(start.seconds(), unit) * unit);
}

int64_t PeriodCount(Timestamp rounded_start, Timestamp end, int period_seconds) {
  int64_t span_ms = end.millis - rounded_start.millis;
  if (span_ms <= 0) return 0;
  int64_t p = int64_t{period_seconds} * 1000;
  return (span_ms + p - 1) / p;
}

bool PeriodServable(Timestamp period_start, int period_seconds, Timestamp now) {
  int64_t age = now.millis - period_start.millis;
  if (age > kHighResolutionKeptMillis && period_seconds % 60 != 0) return false;
  if (age > kMinuteKeptMillis && period_seconds % 300 != 0) return false;
  if (age > kFiveMinuteKeptMillis && period_seconds % 3600 != 0) return false;
  return true;
}

Result<std::vector<UnitPeriods>> FetchPeriods(storage::MetricStore& store,
                                              const FetchRequest& request) {
  ASSIGN_OR_RETURN(auto per_unit, store.Read(request.series, request.unit, request.start,
                                             request.end, request.period_seconds));
  std::vector<UnitPeriods> out;
  out.reserve(per_unit.size());
  const int64_t p = request.period_seconds;
  const int64_t base = request.start.seconds();
  for (auto& ub : per_unit) {
    UnitPeriods up{ub.unit, {}};
    up.periods.reserve(ub.buckets.size());
    for (auto& b : ub.buckets) {
      int64_t idx = FloorDiv(b.start.seconds() - base, p);
      Timestamp ps = Timestamp::FromSeconds(base + idx * p);
      if (!up.periods.empty() && up.periods.back().start == ps) {
        up.periods.back().stats.Merge(b.stats);
      } else if (PeriodServable(ps, request.period_seconds, request.now)) {
        // The common case (one bucket per period) moves the bucket instead of merging a copy.
        up.periods.push_back({ps, std::move(b.stats)});
      }
    }
    if (!up.periods.empty()) out.push_back(std::move(up));
  }
  std::sort(out.begin(), out.end(), [](const UnitPeriods& a, const UnitPeriods& b) {
    return storage::UnitName(a.unit) < storage::UnitName(b.unit);
  });
  return out;
}

Result<MetricSeries> QueryMetric(storage::MetricStore& store, const MetricQuery& query,
                                 Timestamp now) {
  FetchRequest req;
  req.series = query.series;
  req.unit = query.unit;
  req.start = RoundStart(query.start, query.period_seconds, now);
  req.end = query.end;
  req.period_seconds = query.period_seconds;
  req.now = now;
  MetricSeries out;
  if (req.start >= req.end) return out;
  ASSIGN_OR_RETURN(auto per_unit, FetchPeriods(store, req));
  if (per_unit.empty()) return out;
  out.units.reserve(per_unit.size());
  for (const auto& up : per_unit) out.units.push_back(up.unit);
  const auto& periods = per_unit.front().periods;  // the given unit, or the first by name
  out.points.reserve(periods.size());
  for (const auto& p : periods) {
    if (auto v = query.statistic.Evaluate(p.stats)) {
      out.points.push_back({p.start, *v, p.stats.sample_count});
    }
  }
  return out;
}

}  // namespace vigil::query
