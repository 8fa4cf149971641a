// SnsTopics: the SNS topics and subscriptions of every account and region (docs/sns-api.md).
//
// The registry behind the SNS-compatible API (src/api/sns/) and the SubscriptionDirectory that
// delivery reads. Everything is held in memory behind one mutex and written through to the alarm
// service's StateStore (the RocksDB under <data-dir>/state) before a call returns, under key tags
// of its own that the alarm service does not use:
//   "snstopic\0<topic arn>"        -> the topic as JSON (attributes as set, tags, counters)
//   "snssub\0<subscription arn>"   -> the subscription as JSON
// Load() reads them back at start-up. This class keeps records and their invariants (one
// subscription per topic, protocol and endpoint; a topic's subscriptions go with it; tokens);
// the SNS request rules (names, attribute values, messages) are the API layer's.
// Thread-safe: every method may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/alarms/state_store.h"
#include "vigil/common/result.h"
#include "vigil/notify/ids.h"
#include "vigil/notify/sns.h"

namespace vigil::notify {

struct Topic {
  std::string arn;  // arn:aws:sns:<region>:<account>:<name>
  std::string account;
  std::string region;
  std::string name;
  std::map<std::string, std::string> attributes;  // as set (DisplayName, Policy, DeliveryPolicy...)
  std::map<std::string, std::string> tags;
  int64_t subscriptions_deleted = 0;  // SubscriptionsDeleted
};

struct TopicCounts {
  int64_t pending = 0;
  int64_t confirmed = 0;
  int64_t deleted = 0;
};

struct SnsTopicsOptions {
  // http/https subscriptions are confirmed at once, without a SubscriptionConfirmation message
  // (--sns-auto-confirm, for test setups).
  bool auto_confirm = false;
  // SNS's default quotas: 100,000 standard topics per account (per region).
  size_t max_topics_per_account = 100'000;
  size_t max_tags_per_topic = 50;
};

// The parts of a topic ARN: arn:<partition>:sns:<region>:<account>:<name>.
struct TopicArnParts {
  std::string region;
  std::string account;
  std::string name;
};
// nullopt unless `arn` is a well-formed topic ARN (name of 1-256 [A-Za-z0-9_-]).
std::optional<TopicArnParts> ParseTopicArn(std::string_view arn);
// `arn:aws:sns:<region>:<account>:<name>`.
std::string TopicArn(std::string_view region, std::string_view account, std::string_view name);
// The topic ARN of a subscription ARN (`<topic arn>:<uuid>`), nullopt if malformed.
std::optional<std::string> TopicArnOfSubscription(std::string_view subscription_arn);

class SnsTopics final : public SubscriptionDirectory {
 public:
  // `store` and `random` must outlive this object.
  SnsTopics(alarms::StateStore& store, RandomSource& random, SnsTopicsOptions options = {});

  const SnsTopicsOptions& options() const { return options_; }

  // Reads every topic and subscription from the store (replacing what is in memory).
  Status Load();
  // Forgets everything and deletes it from the store (POST /_vigil/reset).
  Status Reset();

  // Creates the topic or returns the existing one of that name. An existing topic answers
  // InvalidParameter when `attributes` or `tags` differ from what it has (SNS's idempotency
  // rule: "Topic already exists with different attributes/tags"). TopicLimitExceeded beyond
  // max_topics_per_account; TagLimitExceeded beyond max_tags_per_topic.
  Result<Topic> CreateTopic(std::string_view account, std::string_view region,
                            std::string_view name,
                            const std::map<std::string, std::string>& attributes,
                            const std::map<std::string, std::string>& tags);
  // Deletes the topic and its subscriptions; an unknown topic is not an error (as SNS).
  Status DeleteTopic(std::string_view topic_arn);
  std::optional<Topic> FindTopic(std::string_view topic_arn) const;
  // The topics of one account and region in ARN order.
  std::vector<Topic> ListTopics(std::string_view account, std::string_view region) const;
  TopicCounts CountsOf(std::string_view topic_arn) const;
  // Sets one attribute; an empty value removes it. NotFound for an unknown topic.
  Status SetTopicAttribute(std::string_view topic_arn, std::string_view name,
                           std::string_view value);
  // ResourceNotFound for an unknown topic; TagLimitExceeded beyond max_tags_per_topic.
  Status TagTopic(std::string_view topic_arn, const std::map<std::string, std::string>& tags);
  Status UntagTopic(std::string_view topic_arn, const std::vector<std::string>& keys);

  struct SubscribeResult {
    Subscription subscription;
    bool created = false;  // false: the topic already had this protocol + endpoint
  };
  // Subscribes `endpoint` with `protocol` to the topic. A new http/https subscription is pending
  // with a fresh token unless options().auto_confirm; lambda ones are confirmed at once. The same
  // protocol and endpoint again returns the existing subscription (InvalidParameter when
  // `attributes` differ from its own). `attributes` are stored as given: RawMessageDelivery
  // ("true"/"false") and DeliveryPolicy go to their fields, the rest to `attributes`.
  // NotFound for an unknown topic.
  Result<SubscribeResult> Subscribe(std::string_view topic_arn, std::string_view owner,
                                    std::string_view protocol, std::string_view endpoint,
                                    const std::map<std::string, std::string>& attributes);
  // Confirms the topic's pending subscription whose token is `token`; a token that already
  // confirmed a subscription confirms it again (SNS accepts a repeated SubscribeURL visit).
  // NotFound for an unknown topic, InvalidParameter "Invalid token" otherwise.
  Result<Subscription> ConfirmSubscription(std::string_view topic_arn, std::string_view token,
                                           bool authenticated);
  // NotFound when there is no such subscription.
  Status Unsubscribe(std::string_view subscription_arn);
  // The subscriptions of one account and region (by topic), or of one topic, in ARN order.
  std::vector<Subscription> ListSubscriptions(std::string_view account,
                                              std::string_view region) const;
  std::vector<Subscription> SubscriptionsOf(std::string_view topic_arn) const;
  // Sets one attribute (as Subscribe stores them); an empty value removes it. NotFound for an
  // unknown subscription.
  Status SetSubscriptionAttribute(std::string_view subscription_arn, std::string_view name,
                                  std::string_view value);
  // Whether the subscription was confirmed through an authenticated call
  // (ConfirmationWasAuthenticated).
  bool ConfirmationWasAuthenticated(std::string_view subscription_arn) const;

  // SubscriptionDirectory.
  bool TopicExists(std::string_view topic_arn) const override;
  std::vector<Subscription> ConfirmedSubscriptions(std::string_view topic_arn) const override;
  std::optional<Subscription> FindSubscription(std::string_view subscription_arn) const override;
  std::optional<std::string> TopicDeliveryPolicy(std::string_view topic_arn) const override;

 private:
  struct SubRecord {
    Subscription sub;
    std::string used_token;  // the token that confirmed it ("" for lambda / auto-confirmed)
    bool authenticated = false;
  };

  Status PutTopic(const Topic& t);
  Status PutSub(const SubRecord& r);
  static void ApplySubscriptionAttribute(Subscription& s, std::string_view name,
                                         std::string_view value);

  alarms::StateStore& store_;
  RandomSource& random_;
  SnsTopicsOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Topic, std::less<>> topics_;    // by ARN
  std::map<std::string, SubRecord, std::less<>> subs_;  // by ARN
};

}  // namespace vigil::notify
