// DescribeAlarmHistory: the scope's history items filtered by alarm name, alarm types (metric
// alarms only unless AlarmTypes says otherwise), item type and [StartDate, EndDate], newest first
// unless ScanBy=TimestampAscending, MaxRecords (1-100, default 100) per page.
#include <algorithm>
#include <cstdio>

#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {
namespace {

constexpr int kDefaultMaxRecords = 100;
constexpr std::string_view kTokenKind = "DescribeAlarmHistory";

std::string Position(const alarms::HistoryItem& h) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld:%llu", static_cast<long long>(h.timestamp.millis),
                static_cast<unsigned long long>(h.sequence));
  return buf;
}

}  // namespace

Status DescribeAlarmHistory(RequestContext& ctx, const cw::DescribeAlarmHistoryInput& in,
                            cw::DescribeAlarmHistoryOutput& out) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  std::optional<alarms::HistoryType> type;
  if (in.history_item_type) {
    type = alarms::ParseHistoryType(*in.history_item_type);
    if (!type) {
      // AlarmContributorStateUpdate / AlarmContributorAction: vigil has no contributors.
      out.alarm_history_items.emplace();
      return OkStatus();
    }
  }
  if (in.start_date && in.end_date && *in.start_date > *in.end_date) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The parameter StartDate must be less than or equal to the parameter "
                     "EndDate.");
  }
  bool want_metric = true, want_composite = false;
  if (in.alarm_types) {
    want_metric = std::find(in.alarm_types->begin(), in.alarm_types->end(), "MetricAlarm") !=
                  in.alarm_types->end();
    want_composite = std::find(in.alarm_types->begin(), in.alarm_types->end(), "CompositeAlarm") !=
                     in.alarm_types->end();
  }
  const bool ascending = in.scan_by && *in.scan_by == "TimestampAscending";
  std::optional<std::string> after;
  if (in.next_token) {
    ASSIGN_OR_RETURN(after, DecodeToken(kTokenKind, *in.next_token));
  }
  const size_t max = static_cast<size_t>(in.max_records.value_or(kDefaultMaxRecords));

  auto items = service->History(ScopeOf(ctx));  // oldest first
  if (!ascending) std::reverse(items.begin(), items.end());
  bool skipping = after.has_value();
  out.alarm_history_items.emplace();
  for (const auto& h : items) {
    if (skipping) {
      if (Position(h) == *after) skipping = false;
      continue;
    }
    if (in.alarm_name && h.alarm_name != *in.alarm_name) continue;
    bool metric = h.kind == alarms::AlarmKind::kMetric;
    if (metric ? !want_metric : !want_composite) continue;
    if (type && h.type != *type) continue;
    if (in.start_date && h.timestamp < *in.start_date) continue;
    if (in.end_date && h.timestamp > *in.end_date) continue;
    if (out.alarm_history_items->size() == max) {
      out.next_token = EncodeToken(kTokenKind, *after);
      break;
    }
    cw::AlarmHistoryItem item;
    item.alarm_name = h.alarm_name;
    item.alarm_type = std::string(alarms::AlarmKindName(h.kind));
    item.timestamp = h.timestamp;
    item.history_item_type = std::string(alarms::HistoryTypeName(h.type));
    item.history_summary = h.summary;
    item.history_data = h.data;
    out.alarm_history_items->push_back(std::move(item));
    after = Position(h);
  }
  if (skipping) {
    return MakeError(ErrorCode::kInvalidNextToken, "The service returned an invalid NextToken.");
  }
  return OkStatus();
}

}  // namespace vigil::api::ops
