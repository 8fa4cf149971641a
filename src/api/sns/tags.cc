// TagResource / UntagResource / ListTagsForResource on SNS topic ARNs. A topic that does not
// exist is ResourceNotFound "Resource does not exist" (SNS's answer for tag operations, unlike
// the NotFound of the topic operations); more than 50 tags is TagLimitExceeded.
#include "api/sns/sns_common.h"
#include "api/sns/sns_operations.h"

namespace vigil::api::sns_ops {
namespace {

Result<notify::SnsTopics*> TaggableTopic(const RequestContext& ctx, const std::string& arn,
                                         std::string_view action) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  RETURN_IF_ERROR(CheckTopicArn(ctx, arn, "ResourceArn", action));
  return topics;
}

}  // namespace

Status TagResource(RequestContext& ctx, const sns::TagResourceRequest& in,
                   sns::TagResourceResponse&) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TaggableTopic(ctx, in.resource_arn, "TagResource"));
  std::map<std::string, std::string> tags;
  for (const auto& t : in.tags) tags[t.key] = t.value;
  return topics->TagTopic(in.resource_arn, tags);
}

Status UntagResource(RequestContext& ctx, const sns::UntagResourceRequest& in,
                     sns::UntagResourceResponse&) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics,
                   TaggableTopic(ctx, in.resource_arn, "UntagResource"));
  return topics->UntagTopic(in.resource_arn, in.tag_keys);
}

Status ListTagsForResource(RequestContext& ctx, const sns::ListTagsForResourceRequest& in,
                           sns::ListTagsForResourceResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics,
                   TaggableTopic(ctx, in.resource_arn, "ListTagsForResource"));
  auto topic = topics->FindTopic(in.resource_arn);
  if (!topic) return MakeError(ErrorCode::kResourceNotFound, "Resource does not exist");
  out.tags.emplace();
  for (const auto& [k, v] : topic->tags) out.tags->push_back(sns::Tag{k, v});
  return OkStatus();
}

}  // namespace vigil::api::sns_ops
