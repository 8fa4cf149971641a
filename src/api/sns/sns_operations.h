// The SNS-compatible operations (2010-03-31, Query protocol), registered in registry.cc
// (Registry::Sns). One file per group: topics.cc, subscriptions.cc, publish.cc, tags.cc.
// Behaviour, errors and the decisions where SNS is silent: docs/sns-api.md.
#pragma once

#include "api/context.h"
#include "vigil/common/result.h"
#include "vigil/model/sns.h"

namespace vigil::api::sns_ops {

namespace sns = vigil::model::sns;

// Topics (topics.cc).
Status CreateTopic(RequestContext& ctx, const sns::CreateTopicInput& in,
                   sns::CreateTopicResponse& out);
Status DeleteTopic(RequestContext& ctx, const sns::DeleteTopicInput& in);
Status ListTopics(RequestContext& ctx, const sns::ListTopicsInput& in,
                  sns::ListTopicsResponse& out);
Status GetTopicAttributes(RequestContext& ctx, const sns::GetTopicAttributesInput& in,
                          sns::GetTopicAttributesResponse& out);
Status SetTopicAttributes(RequestContext& ctx, const sns::SetTopicAttributesInput& in);

// Tags on topics (tags.cc).
Status TagResource(RequestContext& ctx, const sns::TagResourceRequest& in,
                   sns::TagResourceResponse& out);
Status UntagResource(RequestContext& ctx, const sns::UntagResourceRequest& in,
                     sns::UntagResourceResponse& out);
Status ListTagsForResource(RequestContext& ctx, const sns::ListTagsForResourceRequest& in,
                           sns::ListTagsForResourceResponse& out);

// Subscriptions (subscriptions.cc).
Status Subscribe(RequestContext& ctx, const sns::SubscribeInput& in, sns::SubscribeResponse& out);
Status ConfirmSubscription(RequestContext& ctx, const sns::ConfirmSubscriptionInput& in,
                           sns::ConfirmSubscriptionResponse& out);
Status Unsubscribe(RequestContext& ctx, const sns::UnsubscribeInput& in);
Status ListSubscriptions(RequestContext& ctx, const sns::ListSubscriptionsInput& in,
                         sns::ListSubscriptionsResponse& out);
Status ListSubscriptionsByTopic(RequestContext& ctx, const sns::ListSubscriptionsByTopicInput& in,
                                sns::ListSubscriptionsByTopicResponse& out);
Status GetSubscriptionAttributes(RequestContext& ctx, const sns::GetSubscriptionAttributesInput& in,
                                 sns::GetSubscriptionAttributesResponse& out);
Status SetSubscriptionAttributes(RequestContext& ctx,
                                 const sns::SetSubscriptionAttributesInput& in);

// Publish (publish.cc).
Status Publish(RequestContext& ctx, const sns::PublishInput& in, sns::PublishResponse& out);

}  // namespace vigil::api::sns_ops
