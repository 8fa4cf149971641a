// The query engine: turns stored buckets into per-period statistics. GetMetricStatistics,
// GetMetricData and the alarm evaluator all go through FetchPeriods, so they cannot disagree.
//
// Time rules (cloudwatch-semantics.md §3): StartTime is rounded down by its age (to the minute
// under 15 days, 5 minutes under 63 days, the hour beyond; to the period for 1/5/10/20/30-second
// periods), periods are laid from the rounded start, StartTime is inclusive and EndTime exclusive,
// and each value is stamped with the start of its period.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/storage/metric_store.h"

namespace vigil::query {

enum class Statistic { kSampleCount, kAverage, kSum, kMinimum, kMaximum };

std::optional<Statistic> ParseStatistic(std::string_view name);  // "SampleCount", "Average", ...
std::string_view StatisticName(Statistic s);
double Extract(const storage::Aggregate& a, Statistic s);

// StartTime rounded as CloudWatch does, for a query made at `now`.
Timestamp RoundStart(Timestamp start, int period_seconds, Timestamp now);

// Number of periods between a rounded start and the end (the last may be partial).
int64_t PeriodCount(Timestamp rounded_start, Timestamp end, int period_seconds);

struct PeriodValue {
  Timestamp start;  // period start
  storage::Aggregate stats;
};

struct UnitPeriods {
  uint8_t unit;
  std::vector<PeriodValue> periods;  // ascending; only periods with data
};

struct FetchRequest {
  storage::SeriesKey series;
  std::optional<uint8_t> unit;
  Timestamp start;  // already rounded
  Timestamp end;
  int period_seconds = 60;
};

// Aggregates a series' buckets into periods, per unit (units sorted by name, as AWS lists them).
Result<std::vector<UnitPeriods>> FetchPeriods(storage::MetricStore& store,
                                              const FetchRequest& request);

}  // namespace vigil::query
