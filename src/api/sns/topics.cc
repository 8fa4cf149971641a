// CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes, SetTopicAttributes.
#include <algorithm>

#include "api/sns/sns_common.h"
#include "api/sns/sns_operations.h"

namespace vigil::api::sns_ops {
namespace {

bool ValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace

Status CreateTopic(RequestContext& ctx, const sns::CreateTopicInput& in,
                   sns::CreateTopicResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  if (!ValidTopicName(in.name)) return InvalidParameter("Topic Name");
  std::map<std::string, std::string> attributes;
  if (in.attributes) {
    for (const auto& [name, value] : *in.attributes) {
      RETURN_IF_ERROR(ValidateTopicAttribute(name, value));
      // FifoTopic/ContentBasedDeduplication can only be "false" here: the default, not stored.
      if (name == "FifoTopic" || name == "ContentBasedDeduplication") continue;
      attributes[name] = value;
    }
  }
  if (in.data_protection_policy && !in.data_protection_policy->empty()) {
    return InvalidParameter(
        "DataProtectionPolicy Reason: vigil does not support data protection "
        "policies");
  }
  std::map<std::string, std::string> tags;
  if (in.tags) {
    for (const auto& t : *in.tags) tags[t.key] = t.value;
  }
  ASSIGN_OR_RETURN(notify::Topic topic,
                   topics->CreateTopic(ctx.account, ctx.region, in.name, attributes, tags));
  out.topic_arn = topic.arn;
  return OkStatus();
}

Status DeleteTopic(RequestContext& ctx, const sns::DeleteTopicInput& in) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  RETURN_IF_ERROR(CheckTopicArn(ctx, in.topic_arn, "TopicArn", "DeleteTopic"));
  return topics->DeleteTopic(in.topic_arn);
}

Status ListTopics(RequestContext& ctx, const sns::ListTopicsInput& in,
                  sns::ListTopicsResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  std::string start;
  if (in.next_token && !in.next_token->empty()) {
    ASSIGN_OR_RETURN(start, DecodePageToken(*in.next_token));
  }
  auto all = topics->ListTopics(ctx.account, ctx.region);
  auto it =
      std::lower_bound(all.begin(), all.end(), start,
                       [](const notify::Topic& t, const std::string& s) { return t.arn < s; });
  out.topics.emplace();
  for (; it != all.end() && out.topics->size() < kTopicsPerPage; ++it) {
    out.topics->push_back(sns::Topic{it->arn});
  }
  if (it != all.end()) out.next_token = PageToken(it->arn);
  return OkStatus();
}

Status GetTopicAttributes(RequestContext& ctx, const sns::GetTopicAttributesInput& in,
                          sns::GetTopicAttributesResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  ASSIGN_OR_RETURN(notify::Topic topic, ExistingTopic(ctx, in.topic_arn, "GetTopicAttributes"));
  out.attributes = TopicAttributes(topic, topics->CountsOf(topic.arn));
  return OkStatus();
}

Status SetTopicAttributes(RequestContext& ctx, const sns::SetTopicAttributesInput& in) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  ASSIGN_OR_RETURN(notify::Topic topic, ExistingTopic(ctx, in.topic_arn, "SetTopicAttributes"));
  std::string value = in.attribute_value.value_or("");
  RETURN_IF_ERROR(ValidateTopicAttribute(in.attribute_name, value));
  if (in.attribute_name == "FifoTopic" || in.attribute_name == "ContentBasedDeduplication") {
    return OkStatus();  // "false", the only value vigil accepts, is every topic's state
  }
  return topics->SetTopicAttribute(topic.arn, in.attribute_name, value);
}

}  // namespace vigil::api::sns_ops
