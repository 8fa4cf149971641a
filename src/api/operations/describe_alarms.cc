// DescribeAlarms: the filters (names or prefix, types, state, action prefix, children/parents of
// a composite) over the scope's alarms sorted by name, MaxRecords (1-100, default 50) per page and
// an opaque NextToken naming the last alarm returned.
#include <algorithm>

#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"
#include "vigil/alarms/composite_rule.h"

namespace vigil::api::ops {
namespace {

constexpr int kDefaultMaxRecords = 50;
constexpr std::string_view kTokenKind = "DescribeAlarms";

bool HasActionPrefix(const alarms::AlarmConfig& c, std::string_view prefix) {
  for (const auto* list : {&c.ok_actions, &c.alarm_actions, &c.insufficient_data_actions}) {
    for (const auto& a : *list) {
      if (a.starts_with(prefix)) return true;
    }
  }
  return false;
}

std::vector<std::string> RuleChildren(const RequestContext& ctx, const alarms::Alarm& a) {
  if (a.config.kind != alarms::AlarmKind::kComposite) return {};
  auto rule =
      alarms::ParseCompositeRule(a.config.alarm_rule, alarms::RuleScope{ctx.region, ctx.account});
  return rule.ok() ? rule->children : std::vector<std::string>{};
}

}  // namespace

Status DescribeAlarms(RequestContext& ctx, const cw::DescribeAlarmsInput& in,
                      cw::DescribeAlarmsOutput& out) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  if (in.alarm_names && in.alarm_name_prefix) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.");
  }
  bool family = in.children_of_alarm_name || in.parents_of_alarm_name;
  if (in.children_of_alarm_name && in.parents_of_alarm_name) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "The parameters ChildrenOfAlarmName and ParentsOfAlarmName are mutually "
                     "exclusive.");
  }
  if (family && (in.alarm_names || in.alarm_name_prefix || in.state_value || in.action_prefix)) {
    return MakeError(ErrorCode::kInvalidParameterCombination,
                     "With ChildrenOfAlarmName or ParentsOfAlarmName, only AlarmTypes, MaxRecords "
                     "and NextToken may be given.");
  }
  bool want_metric = true, want_composite = false;
  if (in.alarm_types) {
    want_metric = std::find(in.alarm_types->begin(), in.alarm_types->end(), "MetricAlarm") !=
                  in.alarm_types->end();
    want_composite = std::find(in.alarm_types->begin(), in.alarm_types->end(), "CompositeAlarm") !=
                     in.alarm_types->end();
  } else if (family) {
    want_composite = true;  // children and parents may be of either kind
  }
  std::string after;
  if (in.next_token) {
    ASSIGN_OR_RETURN(after, DecodeToken(kTokenKind, *in.next_token));
  }
  const size_t max = static_cast<size_t>(in.max_records.value_or(kDefaultMaxRecords));

  // By name: read only those alarms (a large account need not be copied); sorted like the list.
  std::vector<alarms::Alarm> all;
  if (in.alarm_names) {
    std::vector<std::string> names = *in.alarm_names;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& name : names) {
      if (auto a = service->GetAlarm(ScopeOf(ctx), name)) all.push_back(std::move(*a));
    }
  } else {
    all = service->ListAlarms(ScopeOf(ctx));
  }
  std::vector<std::string> family_names;
  if (in.children_of_alarm_name) {
    auto it = std::find_if(all.begin(), all.end(), [&](const alarms::Alarm& a) {
      return a.config.name == *in.children_of_alarm_name;
    });
    if (it != all.end()) family_names = RuleChildren(ctx, *it);
  } else if (in.parents_of_alarm_name) {
    for (const auto& a : all) {
      auto children = RuleChildren(ctx, a);
      if (std::find(children.begin(), children.end(), *in.parents_of_alarm_name) !=
          children.end()) {
        family_names.push_back(a.config.name);
      }
    }
  }

  out.metric_alarms.emplace();
  out.composite_alarms.emplace();
  size_t returned = 0;
  for (const auto& a : all) {  // sorted by name
    const auto& c = a.config;
    if (!after.empty() && c.name <= after) continue;
    bool metric = c.kind == alarms::AlarmKind::kMetric;
    if (metric ? !want_metric : !want_composite) continue;
    if (in.alarm_names && std::find(in.alarm_names->begin(), in.alarm_names->end(), c.name) ==
                              in.alarm_names->end()) {
      continue;
    }
    if (in.alarm_name_prefix && !c.name.starts_with(*in.alarm_name_prefix)) continue;
    if (in.state_value && alarms::StateName(a.status.value) != *in.state_value) continue;
    if (in.action_prefix && !HasActionPrefix(c, *in.action_prefix)) continue;
    if (family &&
        std::find(family_names.begin(), family_names.end(), c.name) == family_names.end()) {
      continue;
    }
    if (returned == max) {
      out.next_token = EncodeToken(kTokenKind, after);
      break;
    }
    if (metric) {
      out.metric_alarms->push_back(ToWireMetricAlarm(a));
    } else {
      out.composite_alarms->push_back(ToWireCompositeAlarm(a));
    }
    after = c.name;
    ++returned;
  }
  return OkStatus();
}

}  // namespace vigil::api::ops
