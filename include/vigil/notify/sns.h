// The contract between the SNS-compatible API (topics and subscriptions, src/notify/topics.cc and
// src/api/sns/) and delivery (the durable outbox and the HTTP sender, src/notify/delivery.cc).
//
// The API side owns topics and subscriptions and implements SubscriptionDirectory; delivery
// implements MessageSink. Neither includes the other's implementation, so each is tested with a
// fake of the other. Everything here is thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/notify/sns_envelope.h"

namespace vigil::notify {

// One subscription as the registry keeps it (and persists it).
struct Subscription {
  std::string arn;        // arn:aws:sns:<region>:<account>:<topic>:<uuid>, also while pending
  std::string topic_arn;
  std::string owner;      // account id
  std::string protocol;   // "http", "https" or "lambda"
  std::string endpoint;   // the URL, or the Lambda function ARN
  bool confirmed = false;  // lambda subscriptions are confirmed at once, as SNS does
  std::string token;       // the confirmation token while pending ("" once confirmed)
  bool raw_message_delivery = false;
  std::optional<std::string> delivery_policy;   // the subscription's DeliveryPolicy JSON as set
  std::map<std::string, std::string> attributes;  // other attributes as set (FilterPolicy, ...)
};

// One Publish (from the API or from an alarm action): what goes to every confirmed subscription
// of the topic.
struct Publication {
  std::string account;
  std::string region;
  std::string topic_arn;
  std::optional<std::string> subject;
  std::string message;
  std::vector<MessageAttribute> attributes;
  std::string message_id;  // "" = the sink assigns one
  Timestamp timestamp;
};

// Delivery's side: implemented by notify::Delivery; tests use a recording fake.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Durably records `p` (in the state store) before returning; fan-out to the topic's confirmed
  // subscriptions and the HTTP POSTs happen later, off the caller's thread. Returns the MessageId.
  virtual Result<std::string> Publish(Publication p) = 0;
  // Durably queues the SubscriptionConfirmation POST for a pending http/https subscription
  // (`s.token`, `s.endpoint`). Returns at once.
  virtual Status RequestConfirmation(const Subscription& s, Timestamp now) = 0;
};

// The registry's side: what delivery reads when it fans a publication out. Implemented by
// notify::SnsTopics.
class SubscriptionDirectory {
 public:
  virtual ~SubscriptionDirectory() = default;
  virtual bool TopicExists(std::string_view topic_arn) const = 0;
  // Copies of the topic's confirmed subscriptions (none for an unknown topic).
  virtual std::vector<Subscription> ConfirmedSubscriptions(std::string_view topic_arn) const = 0;
  virtual std::optional<Subscription> FindSubscription(std::string_view subscription_arn) const = 0;
  // The topic's "DeliveryPolicy" attribute (JSON as set), if any.
  virtual std::optional<std::string> TopicDeliveryPolicy(std::string_view topic_arn) const = 0;
};

// `arn:aws:sns:us-east-1:123456789012:alerts` -> "alerts" ("" when not an SNS ARN).
std::string_view TopicNameOf(std::string_view topic_arn);

}  // namespace vigil::notify
