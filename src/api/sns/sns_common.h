// Helpers shared by the SNS operations: the registry and the sink of a request, topic ARN checks,
// attribute validation, paging, and the SNS form of decoding errors.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "vigil/common/result.h"
#include "vigil/notify/sns.h"
#include "vigil/notify/topics.h"

namespace vigil::api::sns_ops {

// Topics and subscriptions per page of ListTopics / ListSubscriptions(ByTopic), as SNS.
inline constexpr size_t kTopicsPerPage = 100;
inline constexpr size_t kSubscriptionsPerPage = 100;

// InternalError when the server runs without them (a test or a misconfigured main).
Result<notify::SnsTopics*> TopicsOf(const RequestContext& ctx);
Result<notify::MessageSink*> SinkOf(const RequestContext& ctx);

// `InvalidParameter: Invalid parameter: <what>`.
ApiError InvalidParameter(std::string_view what);

// A topic ARN the caller may use: well formed (else InvalidParameter "Invalid parameter:
// <param>"), in the caller's region (else InvalidParameter) and account (else
// AuthorizationError, as SNS answers for another account's topic under the default policy).
Status CheckTopicArn(const RequestContext& ctx, std::string_view arn, std::string_view param,
                     std::string_view action);
// The existing topic (NotFound "Topic does not exist" otherwise), after CheckTopicArn.
Result<notify::Topic> ExistingTopic(const RequestContext& ctx, std::string_view arn,
                                    std::string_view action);

// Topic attributes vigil accepts on CreateTopic and SetTopicAttributes, validated
// (DeliveryPolicy with ParseTopicDeliveryPolicy, Policy as a JSON object, DisplayName length...).
Status ValidateTopicAttribute(std::string_view name, std::string_view value);
// Subscription attributes for Subscribe and SetSubscriptionAttributes (RawMessageDelivery,
// DeliveryPolicy, FilterPolicy, FilterPolicyScope, RedrivePolicy, SubscriptionRoleArn).
// `protocol` decides which are allowed (RawMessageDelivery only for http/https...).
Status ValidateSubscriptionAttribute(std::string_view protocol, std::string_view name,
                                     std::string_view value);

// The attribute maps GetTopicAttributes / GetSubscriptionAttributes answer.
std::map<std::string, std::string> TopicAttributes(const notify::Topic& topic,
                                                   const notify::TopicCounts& counts);
std::map<std::string, std::string> SubscriptionAttributes(const notify::Subscription& sub,
                                                          const notify::Topic* topic,
                                                          bool confirmation_authenticated);

// Paging: a NextToken is the base64 of the first ARN of the next page. Invalid tokens answer
// InvalidParameter "Invalid parameter: NextToken".
std::string PageToken(std::string_view next_arn);
Result<std::string> DecodePageToken(std::string_view token);

// Decoding errors in SNS's words: a missing required member or a malformed value is
// InvalidParameter "Invalid parameter: <Name>" (SNS never answers MissingParameter).
ApiError ToSnsDecodeError(ApiError e);

}  // namespace vigil::api::sns_ops
