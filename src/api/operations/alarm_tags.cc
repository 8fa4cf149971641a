// TagResource / UntagResource / ListTagsForResource on alarm ARNs
// (arn:aws:cloudwatch:<region>:<account>:alarm:<name>). Listing a deleted alarm's tags answers an
// empty list (recorded); tagging one is ResourceNotFoundException.
#include "api/operations/alarm_common.h"
#include "api/operations/operations.h"

namespace vigil::api::ops {
namespace {

Result<std::string> NameOf(const RequestContext& ctx, const std::string& arn) {
  auto name = AlarmNameFromArn(ctx, arn);
  if (!name) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "Invalid ResourceARN " + arn +
                         ": vigil tags alarms of this account and region "
                         "(arn:aws:cloudwatch:<region>:<account>:alarm:<name>).");
  }
  return *name;
}

ApiError NotFound(const std::string& arn) {
  return MakeError(ErrorCode::kResourceNotFoundException, "Resource " + arn + " not found.");
}

}  // namespace

Status TagResource(RequestContext& ctx, const cw::TagResourceInput& in, cw::TagResourceOutput&) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  ASSIGN_OR_RETURN(std::string name, NameOf(ctx, in.resource_arn));
  Status s = service->TagAlarm(ScopeOf(ctx), name, TagMap(in.tags));
  if (!s.ok() && s.error().code == ErrorCode::kResourceNotFound) return NotFound(in.resource_arn);
  return s;
}

Status UntagResource(RequestContext& ctx, const cw::UntagResourceInput& in,
                     cw::UntagResourceOutput&) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  ASSIGN_OR_RETURN(std::string name, NameOf(ctx, in.resource_arn));
  Status s = service->UntagAlarm(ScopeOf(ctx), name, in.tag_keys);
  if (!s.ok() && s.error().code == ErrorCode::kResourceNotFound) return NotFound(in.resource_arn);
  return s;
}

Status ListTagsForResource(RequestContext& ctx, const cw::ListTagsForResourceInput& in,
                           cw::ListTagsForResourceOutput& out) {
  ASSIGN_OR_RETURN(auto* service, AlarmsOf(ctx));
  ASSIGN_OR_RETURN(std::string name, NameOf(ctx, in.resource_arn));
  out.tags.emplace();
  if (auto tags = service->Tags(ScopeOf(ctx), name)) {
    for (const auto& [k, v] : *tags) out.tags->push_back(cw::Tag{k, v});
  }
  return OkStatus();
}

}  // namespace vigil::api::ops
