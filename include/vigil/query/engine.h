// The query engine: turns stored buckets into per-period statistics. GetMetricStatistics,
// GetMetricData and the alarm evaluator all go through FetchPeriods and Statistic::Evaluate
// (statistic.h), so they cannot disagree. QueryMetric is the one-call form an alarm evaluator
// needs: a metric, a statistic, a period and a time range in, (timestamp, value) points out.
//
// Time rules (cloudwatch-semantics.md §3): StartTime is rounded down by its age (to the minute
// under 15 days, 5 minutes under 63 days, the hour beyond; to the period for 1/5/10/20/30-second
// periods), periods are laid from the rounded start, StartTime is inclusive and EndTime exclusive,
// and each value is stamped with the start of its period. A period too fine for the age of its
// data returns nothing, as the GetMetricData/GetMetricStatistics reference says: sub-minute
// periods for data older than 3 hours, periods that are not a multiple of 300 s for data older
// than 15 days, not a multiple of 3600 s beyond 63 days (see PeriodServable).
//
// Thread safety: stateless functions; they may run concurrently (the store is thread-safe).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/query/statistic.h"
#include "vigil/storage/metric_store.h"

namespace vigil::query {

// StartTime rounded as CloudWatch does, for a query made at `now`.
Timestamp RoundStart(Timestamp start, int period_seconds, Timestamp now);

// Number of periods between a rounded start and the end (the last may be partial).
int64_t PeriodCount(Timestamp rounded_start, Timestamp end, int period_seconds);

// Whether CloudWatch still serves a period of `period_seconds` starting at `period_start` when
// asked at `now` (retention by resolution, cloudwatch-semantics.md §3).
bool PeriodServable(Timestamp period_start, int period_seconds, Timestamp now);

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
  // When the query is made: periods too fine for their age are dropped (PeriodServable). The
  // default (the epoch) drops nothing.
  Timestamp now;
};

// Aggregates a series' buckets into periods, per unit (units sorted by name, as AWS lists them).
Result<std::vector<UnitPeriods>> FetchPeriods(storage::MetricStore& store,
                                              const FetchRequest& request);

// One value of a metric: the statistic of the period starting at `timestamp`, and how many
// samples the period holds (alarms report it in StateReasonData and need it for
// EvaluateLowSampleCountPercentile).
struct Point {
  Timestamp timestamp;
  double value = 0;
  double sample_count = 0;
  bool operator==(const Point&) const = default;
};

struct MetricQuery {
  storage::SeriesKey series;  // canonical
  // Only this unit; without one, the alphabetically first unit that has data in the range (the
  // GetMetricData rule, aws-recorded-answers.md §7).
  std::optional<uint8_t> unit;
  Statistic statistic = Statistic::Basic(Statistic::Kind::kAverage);
  int period_seconds = 60;
  Timestamp start;  // as the caller gave it: QueryMetric rounds it
  Timestamp end;    // exclusive
};

struct MetricSeries {
  std::vector<Point> points;  // ascending; periods without a value are absent
  // Units that have data in the range, sorted by name. Without MetricQuery::unit and with more
  // than one here, `points` hold only the first (GetMetricData reports MultipleUnits).
  std::vector<uint8_t> units;
};

// The statistic of one metric per period over [start, end), asked at `now`.
Result<MetricSeries> QueryMetric(storage::MetricStore& store, const MetricQuery& query,
                                 Timestamp now);

}  // namespace vigil::query
