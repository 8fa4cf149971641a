#include "vigil/query/engine.h"

#include <algorithm>
#include <array>
#include <map>

namespace vigil::query {
namespace {

constexpr std::array<std::string_view, 5> kStatisticNames = {"SampleCount", "Average", "Sum",
                                                            "Minimum", "Maximum"};

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

std::optional<Statistic> ParseStatistic(std::string_view name) {
  for (size_t i = 0; i < kStatisticNames.size(); ++i) {
    if (kStatisticNames[i] == name) return static_cast<Statistic>(i);
  }
  return std::nullopt;
}

std::string_view StatisticName(Statistic s) { return kStatisticNames[static_cast<size_t>(s)]; }

double Extract(const storage::Aggregate& a, Statistic s) {
  switch (s) {
    case Statistic::kSampleCount:
      return a.sample_count;
    case Statistic::kAverage:
      return a.sample_count > 0 ? a.sum / a.sample_count : 0;
    case Statistic::kSum:
      return a.sum;
    case Statistic::kMinimum:
      return a.minimum;
    case Statistic::kMaximum:
      return a.maximum;
  }
  return 0;
}

Timestamp RoundStart(Timestamp start, int period_seconds, Timestamp now) {
  constexpr int64_t kDay = 86400;
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

Result<std::vector<UnitPeriods>> FetchPeriods(storage::MetricStore& store,
                                              const FetchRequest& request) {
  ASSIGN_OR_RETURN(auto per_unit,
                   store.Read(request.series, request.unit, request.start, request.end,
                                              request.period_seconds));
  std::vector<UnitPeriods> out;
  const int64_t p = request.period_seconds;
  const int64_t base = request.start.seconds();
  for (auto& ub : per_unit) {
    UnitPeriods up{ub.unit, {}};
    for (const auto& b : ub.buckets) {
      int64_t idx = FloorDiv(b.start.seconds() - base, p);
      Timestamp ps = Timestamp::FromSeconds(base + idx * p);
      if (up.periods.empty() || up.periods.back().start != ps) up.periods.push_back({ps, {}});
      up.periods.back().stats.Merge(b.stats);
    }
    out.push_back(std::move(up));
  }
  std::sort(out.begin(), out.end(), [](const UnitPeriods& a, const UnitPeriods& b) {
    return storage::UnitName(a.unit) < storage::UnitName(b.unit);
  });
  return out;
}

}  // namespace vigil::query
