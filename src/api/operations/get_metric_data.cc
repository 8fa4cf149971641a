// GetMetricData: validate the queries the way CloudWatch does (every problem reported, one line
// each), then hand them to the query engine (query/metric_data.h), which reads, labels and pages.
// Expression queries (metric math, SEARCH, Metrics Insights) are checked by query::math::CheckRequest
// (docs/metric-math.md) and their problems reported with the others.
// Messages and the rules AWS does not publish are in docs/query.md and docs/decisions/0021.
#include <set>

#include "api/convert.h"
#include "api/limits.h"
#include "api/operations/anomaly_common.h"
#include "vigil/api/anomaly_retrainer.h"
#include "api/operations/operations.h"
#include "vigil/query/math.h"
#include "vigil/query/metric_data.h"

namespace vigil::api::ops {
namespace {

// CloudWatch's GetMetricData validation errors: code ValidationError, one line per problem, each
// line ending in a newline (as public AWS answers show).
class Problems {
 public:
  void Add(std::string line) {
    text_ += line;
    text_ += '\n';
  }
  bool empty() const { return text_.empty(); }
  ApiError Error() const { return MakeError(ErrorCode::kValidationError, text_); }

 private:
  std::string text_;
};

bool ValidId(std::string_view id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Checks one MetricStat query; on success fills `out`.
void CheckMetricStat(const RequestContext& ctx, const cw::MetricDataQuery& q,
                     const std::string& path, Problems& p, query::MetricDataQuery& out) {
  const cw::MetricStat& ms = *q.metric_stat;
  bool ok = true;
  if (!ms.metric.namespace_) {
    p.Add("The parameter " + path + ".MetricStat.Metric.Namespace is required.");
    ok = false;
  }
  if (!ms.metric.metric_name) {
    p.Add("The parameter " + path + ".MetricStat.Metric.MetricName is required.");
    ok = false;
  }
  auto stat = query::Statistic::Parse(ms.stat);
  if (!stat) {
    p.Add("The value " + ms.stat + " for parameter " + path +
          ".MetricStat.Stat is not a valid statistic.");
    ok = false;
  }
  if (!IsValidPeriod(ms.period)) {
    p.Add("The parameter " + path +
          ".MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of "
          "60.");
    ok = false;
  }
  if (!ok) return;
  out.series = {ctx.account, ctx.region, *ms.metric.namespace_, *ms.metric.metric_name,
                ToStoreDimensions(ms.metric.dimensions)};
  out.series.Canonicalize();
  if (ms.unit) out.unit = storage::UnitCode(*ms.unit);
  out.statistic = std::move(*stat);
  out.period_seconds = ms.period;
  out.forbidden = q.account_id && *q.account_id != ctx.account;
}

}  // namespace

Status GetMetricData(RequestContext& ctx, const cw::GetMetricDataInput& in,
                     cw::GetMetricDataOutput& out) {
  const auto& queries = in.metric_data_queries;
  if (queries.size() > query::kMaxDataQueries) {
    Problems p;
    p.Add("The collection MetricDataQueries must not have a size greater than " +
          std::to_string(query::kMaxDataQueries) + ".");
    return p.Error();
  }
  query::MetricDataRequest req;
  req.queries.resize(queries.size());
  Problems p;
  std::set<std::string_view> ids;
  bool duplicate = false;
  for (size_t i = 0; i < queries.size(); ++i) {
    const cw::MetricDataQuery& q = queries[i];
    const std::string path = "MetricDataQueries.member." + std::to_string(i + 1);
    if (!ValidId(q.id)) {
      p.Add("The value " + q.id + " for parameter " + path +
            ".Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.");
    }
    duplicate = duplicate || !ids.insert(q.id).second;
    if (q.metric_stat && q.expression) {
      p.Add(
          "The parameters MetricDataQuery Expression and MetricStat are mutually exclusive and "
          "you have specified both.");
    } else if (!q.metric_stat && !q.expression) {
      p.Add("The parameter " + path + ".MetricStat is required.");
    } else if (q.metric_stat) {
      CheckMetricStat(ctx, q, path, p, req.queries[i]);
    } else {
      query::MetricDataQuery& e = req.queries[i];
      e.expression = q.expression;
      e.period_seconds = q.period.value_or(0);  // 0: not given (metric_data.h)
      e.series.account = ctx.account;
      e.series.region = ctx.region;
    }
    if (q.period && !IsValidPeriod(*q.period)) {
      p.Add("The parameter " + path + ".Period must be 1, 5, 10, 20, 30 or a multiple of 60.");
    }
    req.queries[i].id = q.id;
    req.queries[i].label = q.label;
    req.queries[i].return_data = q.return_data.value_or(true);
  }
  if (duplicate) p.Add("The values for parameter id in MetricDataQueries are not unique.");
  for (std::string& line : query::math::CheckRequest(req.queries)) p.Add(std::move(line));
  if (in.start_time == in.end_time) {
    p.Add("The parameter StartTime must not equal parameter EndTime.");
  } else if (in.start_time > in.end_time) {
    p.Add("The parameter StartTime must be less than the parameter EndTime.");
  }
  if (in.max_datapoints && *in.max_datapoints <= 0) {
    p.Add("The parameter MaxDatapoints must be greater than 0.");
  }
  if (in.label_options && in.label_options->timezone) {
    auto tz = query::ParseTimezoneOffset(*in.label_options->timezone);
    if (!tz) {
      p.Add("The value " + *in.label_options->timezone +
            " for parameter LabelOptions.Timezone is invalid. It must be + or - followed by four "
            "digits, HHMM.");
    } else {
      req.timezone_offset_minutes = *tz;
    }
  }
  if (!p.empty()) return p.Error();

  req.start = in.start_time;
  req.end = in.end_time;
  req.order = in.scan_by && *in.scan_by == "TimestampAscending"
                  ? query::ScanOrder::kTimestampAscending
                  : query::ScanOrder::kTimestampDescending;
  if (in.max_datapoints) req.max_datapoints = static_cast<size_t>(*in.max_datapoints);
  req.next_token = in.next_token;
  req.anomaly_settings = AnomalySettingsLookup(ctx);
  req.expression_anomaly_settings = ExpressionSettingsLookup(ctx);
  if (ctx.services->anomaly_retrainer != nullptr) {  // the scheduled models (anomaly_retrainer.h)
    req.anomaly_settings =
        ctx.services->anomaly_retrainer->WithTrainedModels(std::move(req.anomaly_settings));
    req.expression_anomaly_settings = ctx.services->anomaly_retrainer->WithTrainedModels(
        std::move(req.expression_anomaly_settings));
  }
  ASSIGN_OR_RETURN(auto page, query::GetMetricData(*ctx.services->metrics, req, ctx.now));

  out.messages.emplace();
  out.metric_data_results.emplace();
  out.metric_data_results->reserve(page.results.size());
  for (auto& r : page.results) {
    cw::MetricDataResult w;
    w.id = std::move(r.id);
    w.label = std::move(r.label);
    w.timestamps = std::move(r.timestamps);
    w.values = std::move(r.values);
    w.status_code = std::string(query::DataStatusName(r.status));
    if (!r.messages.empty()) {
      w.messages.emplace();
      for (auto& m : r.messages) w.messages->push_back({std::move(m.code), std::move(m.value)});
    }
    out.metric_data_results->push_back(std::move(w));
  }
  out.next_token = std::move(page.next_token);
  return OkStatus();
}

}  // namespace vigil::api::ops
