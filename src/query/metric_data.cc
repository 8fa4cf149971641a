// The GetMetricData engine (metric_data.h; docs/query.md "GetMetricData").
#include "vigil/query/metric_data.h"

#include <algorithm>

#include "query/labels.h"
#include "query/page_token.h"
#include "vigil/query/engine.h"

namespace vigil::query {
namespace {

DataMessage MultipleUnits(const std::vector<uint8_t>& units) {
  std::string list;
  for (uint8_t u : units) {
    if (!list.empty()) list += ", ";
    list += storage::UnitName(u);
  }
  return {"MultipleUnits", "Multiple units returned: '[" + list + "]'"};
}

ApiError InvalidToken() {
  return MakeError(ErrorCode::kInvalidNextToken, "The NextToken is invalid.");
}

}  // namespace

std::string_view DataStatusName(DataStatus s) {
  switch (s) {
    case DataStatus::kComplete:
      return "Complete";
    case DataStatus::kPartialData:
      return "PartialData";
    case DataStatus::kForbidden:
      return "Forbidden";
  }
  return "InternalError";
}

std::optional<int> ParseTimezoneOffset(std::string_view t) {
  if (t.size() != 5 || (t[0] != '+' && t[0] != '-')) return std::nullopt;
  for (size_t i = 1; i < 5; ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  int hours = (t[1] - '0') * 10 + (t[2] - '0');
  int minutes = (t[3] - '0') * 10 + (t[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  int offset = hours * 60 + minutes;
  return t[0] == '-' ? -offset : offset;
}

Result<MetricDataPage> GetMetricData(storage::MetricStore& store, const MetricDataRequest& request,
                                     Timestamp now) {
  const uint64_t fingerprint = internal::Fingerprint(request);
  internal::PagePosition start{0, std::nullopt, now};
  if (request.next_token) {
    auto decoded = internal::DecodePageToken(*request.next_token, fingerprint);
    if (!decoded || decoded->query >= request.queries.size()) return InvalidToken();
    start = *decoded;
  }
  // Every page answers as of the first call, so that rounding and retention do not move.
  const Timestamp as_of = start.first_call_now;
  const std::vector<std::string> default_labels = internal::DefaultLabels(request.queries);
  const bool descending = request.order == ScanOrder::kTimestampDescending;

  MetricDataPage page;
  size_t budget = std::clamp<size_t>(request.max_datapoints, 1, kMaxDatapointsPerCall);
  for (size_t i = start.query; i < request.queries.size(); ++i) {
    const MetricDataQuery& q = request.queries[i];
    if (!q.return_data) continue;
    if (budget == 0) {
      page.next_token =
          internal::EncodePageToken({static_cast<uint32_t>(i), std::nullopt, as_of}, fingerprint);
      break;
    }
    MetricDataResult r;
    r.id = q.id;
    MetricSeries series;
    if (q.forbidden) {
      r.status = DataStatus::kForbidden;
      r.messages.push_back({"Forbidden", "vigil keeps accounts apart: query " + q.id +
                                             " names an account other than the caller's."});
    } else {
      MetricQuery mq{q.series, q.unit, q.statistic, q.period_seconds, request.start, request.end};
      ASSIGN_OR_RETURN(series, QueryMetric(store, mq, as_of));
      if (!q.unit && series.units.size() > 1) r.messages.push_back(MultipleUnits(series.units));
    }
    const std::vector<Point>& pts = series.points;  // ascending

    internal::LabelContext lc{&q, default_labels[i], &pts, request.timezone_offset_minutes};
    r.label = q.label ? internal::ExpandLabel(*q.label, lc) : default_labels[i];

    // The values still due for this query, in scan order: [first, last) of `pts` read forwards
    // (ascending) or backwards (descending).
    size_t lo = 0, hi = pts.size();
    if (i == start.query && start.last) {
      auto cmp = [](const Point& p, Timestamp t) { return p.timestamp < t; };
      if (descending) {
        hi = std::lower_bound(pts.begin(), pts.end(), *start.last, cmp) - pts.begin();
      } else {
        lo = std::upper_bound(pts.begin(), pts.end(), *start.last,
                              [](Timestamp t, const Point& p) { return t < p.timestamp; }) -
             pts.begin();
      }
    }
    const size_t due = hi - lo;
    const size_t take = std::min(due, budget);
    r.timestamps.reserve(take);
    r.values.reserve(take);
    for (size_t k = 0; k < take; ++k) {
      const Point& p = descending ? pts[hi - 1 - k] : pts[lo + k];
      r.timestamps.push_back(p.timestamp);
      r.values.push_back(p.value);
    }
    budget -= take;
    const bool cut = take < due;
    if (cut) r.status = DataStatus::kPartialData;
    page.results.push_back(std::move(r));
    if (cut) {
      page.next_token = internal::EncodePageToken(
          {static_cast<uint32_t>(i), page.results.back().timestamps.back(), as_of}, fingerprint);
      break;
    }
  }
  return page;
}

}  // namespace vigil::query
