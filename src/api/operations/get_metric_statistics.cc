// GetMetricStatistics: one metric's statistics per period, one datapoint per unit when no Unit is
// given (aws-recorded-answers.md §7), through the shared query engine. ExtendedStatistics take
// every percentile-family statistic (statistic.h); one CloudWatch cannot compute for a period
// (statistic sets, negative values) is left out of that datapoint's map, and a datapoint whose
// map would be empty is left out (docs/query.md).
#include "api/convert.h"
#include "api/limits.h"
#include "api/operations/operations.h"
#include "vigil/query/engine.h"

namespace vigil::api::ops {
namespace {

void SetBasic(cw::Datapoint& dp, query::Statistic::Kind kind, double v) {
  using Kind = query::Statistic::Kind;
  switch (kind) {
    case Kind::kSampleCount:
      dp.sample_count = v;
      break;
    case Kind::kAverage:
      dp.average = v;
      break;
    case Kind::kSum:
      dp.sum = v;
      break;
    case Kind::kMinimum:
      dp.minimum = v;
      break;
    case Kind::kMaximum:
      dp.maximum = v;
      break;
    default:
      break;
  }
}

}  // namespace

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
  std::vector<query::Statistic> stats;
  const auto& names = has_stats ? *in.statistics : *in.extended_statistics;
  for (size_t i = 0; i < names.size(); ++i) {
    auto s = query::Statistic::Parse(names[i]);
    // Statistics takes the five basic ones, ExtendedStatistics every other one.
    if (!s || s->basic() != has_stats) {
      std::string param = has_stats ? "Statistics" : "ExtendedStatistics";
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "The value " + names[i] + " for parameter " + param + ".member." +
                           std::to_string(i + 1) + " is not a valid statistic.");
    }
    stats.push_back(std::move(*s));
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
  req.now = ctx.now;
  ASSIGN_OR_RETURN(auto per_unit, query::FetchPeriods(*ctx.services->metrics, req));

  out.label = in.metric_name;
  out.datapoints.emplace();
  for (const auto& up : per_unit) {
    std::string unit(storage::UnitName(up.unit));
    for (const auto& p : up.periods) {
      cw::Datapoint dp;
      dp.timestamp = p.start;
      if (has_ext) dp.extended_statistics.emplace();
      for (const auto& s : stats) {
        auto v = s.Evaluate(p.stats);
        if (!v) continue;
        if (has_ext) {
          (*dp.extended_statistics)[s.text()] = *v;
        } else {
          SetBasic(dp, s.kind(), *v);
        }
      }
      if (has_ext && dp.extended_statistics->empty()) continue;
      dp.unit = unit;
      out.datapoints->push_back(std::move(dp));
    }
  }
  return OkStatus();
}

}  // namespace vigil::api::ops
