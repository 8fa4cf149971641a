// ListMetrics: the series index filtered by namespace, name and dimensions, 500 a page, without
// metrics that received no data for two weeks (or three hours with RecentlyActive=PT3H).
#include "api/convert.h"
#include "api/limits.h"
#include "api/operations/operations.h"
#include "vigil/common/base64.h"

namespace vigil::api::ops {

Status ListMetrics(RequestContext& ctx, const cw::ListMetricsInput& in,
                   cw::ListMetricsOutput& out) {
  storage::ListFilter filter;
  filter.account = ctx.account;
  filter.region = ctx.region;
  filter.namespace_ = in.namespace_;
  filter.metric_name = in.metric_name;
  if (in.dimensions) {
    for (const auto& d : *in.dimensions) filter.dimensions.push_back({d.name, d.value});
  }
  int64_t window = in.recently_active ? kRecentlyActiveMillis : kListMetricsActiveWindowMillis;
  filter.active_since = Timestamp{ctx.now.millis - window};

  std::optional<storage::SeriesKey> after;
  if (in.next_token) {
    auto bytes = Base64Decode(*in.next_token);
    if (bytes) after = storage::DecodeSeriesKey(*bytes);
    if (!after || after->account != ctx.account || after->region != ctx.region) {
      return MakeError(ErrorCode::kInvalidNextToken, "The NextToken is invalid.");
    }
  }
  ASSIGN_OR_RETURN(auto found,
                   ctx.services->metrics->List(filter, after, kListMetricsPageSize + 1));
  bool more = found.size() > kListMetricsPageSize;
  if (more) found.resize(kListMetricsPageSize);

  out.metrics.emplace();
  out.metrics->reserve(found.size());
  for (const auto& s : found) {
    cw::Metric m;
    m.namespace_ = s.key.namespace_;
    m.metric_name = s.key.metric_name;
    m.dimensions = ToWireDimensions(s.key.dimensions);
    out.metrics->push_back(std::move(m));
  }
  if (in.include_linked_accounts.value_or(false)) {
    out.owning_accounts = std::vector<std::string>(found.size(), ctx.account);
  }
  if (more) out.next_token = Base64Encode(storage::EncodeSeriesKey(found.back().key));
  return OkStatus();
}

}  // namespace vigil::api::ops
