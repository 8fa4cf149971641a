// PutAlarmMuteRule / GetAlarmMuteRule / ListAlarmMuteRules / DeleteAlarmMuteRule. The schedule
// (cron/at, duration, timezone, StartDate/ExpireDate) is validated by alarms::MuteSchedule;
// targets need not exist yet (a rule may name alarms created later). Status and MuteType are
// computed from the schedule at the request's time.
#include <algorithm>

#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"
#include "vigil/alarms/mute_schedule.h"

namespace vigil::api::ops {
namespace {

constexpr int kDefaultMaxRecords = 50;
constexpr std::string_view kTokenKind = "ListAlarmMuteRules";

std::string MuteArn(const RequestContext& ctx, std::string_view name) {
  std::string arn = "arn:aws:cloudwatch:";
  arn += ctx.region;
  arn += ':';
  arn += ctx.account;
  arn += ":alarm-mute-rule:";
  arn += name;
  return arn;
}

struct Computed {
  alarms::MuteRuleStatus status = alarms::MuteRuleStatus::kExpired;
  alarms::MuteType type = alarms::MuteType::kRecurring;
};

Computed Compute(const alarms::MuteRule& r, Timestamp now) {
  Computed c;
  auto s = alarms::MuteSchedule::Parse(
      {r.expression, r.duration, r.timezone, r.start_date, r.expire_date});
  if (s.ok()) {
    c.status = s->Status(now);
    c.type = s->type();
  }
  return c;
}

}  // namespace

Status PutAlarmMuteRule(RequestContext& ctx, const cw::PutAlarmMuteRuleInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  alarms::MuteRule r;
  r.account = ctx.account;
  r.region = ctx.region;
  r.name = in.name;
  r.arn = MuteArn(ctx, in.name);
  r.description = in.description;
  r.expression = in.rule.schedule.expression;
  r.duration = in.rule.schedule.duration;
  r.timezone = in.rule.schedule.timezone;
  if (in.mute_targets) r.alarm_names = in.mute_targets->alarm_names;
  r.tags = TagMap(in.tags);
  r.start_date = in.start_date;
  r.expire_date = in.expire_date;
  r.last_updated = ctx.now;
  return service->PutMuteRule(std::move(r));
}

Status GetAlarmMuteRule(RequestContext& ctx, const cw::GetAlarmMuteRuleInput& in,
                        cw::GetAlarmMuteRuleOutput& out) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  auto r = service->GetMuteRule(ScopeOf(ctx), in.alarm_mute_rule_name);
  if (!r) {
    return MakeError(ErrorCode::kResourceNotFoundException,
                     "The alarm mute rule " + in.alarm_mute_rule_name + " does not exist.");
  }
  Computed c = Compute(*r, ctx.now);
  out.name = r->name;
  out.alarm_mute_rule_arn = r->arn;
  out.description = r->description;
  cw::Rule rule;
  rule.schedule.expression = r->expression;
  rule.schedule.duration = r->duration;
  rule.schedule.timezone = r->timezone;
  out.rule = std::move(rule);
  if (!r->alarm_names.empty()) out.mute_targets = cw::MuteTargets{r->alarm_names};
  out.start_date = r->start_date;
  out.expire_date = r->expire_date;
  out.status = std::string(alarms::MuteRuleStatusName(c.status));
  out.last_updated_timestamp = r->last_updated;
  out.mute_type = std::string(alarms::MuteTypeName(c.type));
  return OkStatus();
}

Status ListAlarmMuteRules(RequestContext& ctx, const cw::ListAlarmMuteRulesInput& in,
                          cw::ListAlarmMuteRulesOutput& out) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  std::string after;
  if (in.next_token) {
    ASSIGN_OR_RETURN(after, DecodeToken(kTokenKind, *in.next_token));
  }
  const size_t max = static_cast<size_t>(in.max_records.value_or(kDefaultMaxRecords));
  out.alarm_mute_rule_summaries.emplace();
  std::string last;
  for (const auto& r : service->ListMuteRules(ScopeOf(ctx))) {  // sorted by name
    if (!after.empty() && r.name <= after) continue;
    if (in.alarm_name && !alarms::MuteTargetsInclude(r.alarm_names, *in.alarm_name)) continue;
    Computed c = Compute(r, ctx.now);
    std::string status(alarms::MuteRuleStatusName(c.status));
    if (in.statuses &&
        std::find(in.statuses->begin(), in.statuses->end(), status) == in.statuses->end()) {
      continue;
    }
    if (out.alarm_mute_rule_summaries->size() == max) {
      out.next_token = EncodeToken(kTokenKind, last);
      break;
    }
    cw::AlarmMuteRuleSummary s;
    s.alarm_mute_rule_arn = r.arn;
    s.expire_date = r.expire_date;
    s.status = status;
    s.mute_type = std::string(alarms::MuteTypeName(c.type));
    s.last_updated_timestamp = r.last_updated;
    out.alarm_mute_rule_summaries->push_back(std::move(s));
    last = r.name;
  }
  return OkStatus();
}

Status DeleteAlarmMuteRule(RequestContext& ctx, const cw::DeleteAlarmMuteRuleInput& in) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  return service->DeleteMuteRule(ScopeOf(ctx), in.alarm_mute_rule_name);
}

}  // namespace vigil::api::ops
