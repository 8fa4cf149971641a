// GetMetricStatistics: one metric's statistics per period, one datapoint per unit when no Unit is
// given (aws-recorded-answers.md §7), through the shared query engine.
#include "api/convert.h"
#include "api/limits.h"
#include "api/operations/operations.h"
#include "vigil/query/engine.h"

namespace vigil::api::ops {

Status GetMetricStatistics(RequestContext& ctx, const cw::GetMetricStatisticsInput& in,
                           cw::GetMetricStatisticsOutput& out) {
  bool has_stats = in.statistics && !in.statistics->empty();
  bool has_ext = in.extended_statistics && !in.extended_statistics->empty();
  if (has_stats && has_ext) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "The parameters Statistics and ExtendedStatistics are mutually exclusive and "
                     "you have specified both.");
  }
  if (!has_stats && !has_ext) {
    return MakeError(ErrorCode::kMissingParameter,
                     "Either the parameter Statistics or ExtendedStatistics is required.");
  }
  if (has_ext) {
    return MakeError(ErrorCode::kNotImplemented,
                     "vigil does not compute ExtendedStatistics (percentiles) yet.");
  }
  std::vector<query::Statistic> stats;
  for (const auto& name : *in.statistics) {
    auto s = query::ParseStatistic(name);
    if (!s) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "The value " + name + " for parameter Statistics is invalid.");
    }
    stats.push_back(*s);
  }
  if (!IsValidPeriod(in.period)) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60.");
  }
  if (in.start_time >= in.end_time) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The parameter StartTime must be less than the parameter EndTime.");
  }
  Timestamp start = query::RoundStart(in.start_time, in.period, ctx.now);
  int64_t count = query::PeriodCount(start, in.end_time, in.period);
  if (count > kMaxStatisticsDatapoints) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "You have requested up to " + std::to_string(count) +
                         " datapoints, which exceeds the limit of " +
                         std::to_string(kMaxStatisticsDatapoints) +
                         ". You may reduce the datapoints requested by increasing Period, or "
                         "decreasing the time range.");
  }

  query::FetchRequest req;
  req.series = {ctx.account, ctx.region, in.namespace_, in.metric_name,
                ToStoreDimensions(in.dimensions)};
  req.series.Canonicalize();
  if (in.unit) req.unit = storage::UnitCode(*in.unit);
  req.start = start;
  req.end = in.end_time;
  req.period_seconds = in.period;
  ASSIGN_OR_RETURN(auto per_unit, query::FetchPeriods(*ctx.services->metrics, req));

  out.label = in.metric_name;
  out.datapoints.emplace();
  for (const auto& up : per_unit) {
    std::string unit(storage::UnitName(up.unit));
    for (const auto& p : up.periods) {
      cw::Datapoint dp;
      dp.timestamp = p.start;
      for (auto s : stats) {
        double v = query::Extract(p.stats, s);
        switch (s) {
          case query::Statistic::kSampleCount:
            dp.sample_count = v;
            break;
          case query::Statistic::kAverage:
            dp.average = v;
            break;
          case query::Statistic::kSum:
            dp.sum = v;
            break;
          case query::Statistic::kMinimum:
            dp.minimum = v;
            break;
          case query::Statistic::kMaximum:
            dp.maximum = v;
            break;
        }
      }
      dp.unit = unit;
      out.datapoints->push_back(std::move(dp));
    }
  }
  return OkStatus();
}

}  // namespace vigil::api::ops
