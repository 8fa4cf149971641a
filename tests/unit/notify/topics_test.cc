// SnsTopics: records, idempotency, limits, confirmation tokens and persistence across a reopen of
// the StateStore (memory and RocksDB), plus the SubscriptionDirectory view delivery reads.
#include "vigil/notify/topics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>

namespace vigil::notify {
namespace {

constexpr std::string_view kAccount = "123456789012";
constexpr std::string_view kRegion = "us-east-1";
const std::string kArn = "arn:aws:sns:us-east-1:123456789012:alerts";

// Deterministic bytes from a fixed seed: repeatable, and every id differs.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = static_cast<uint8_t>(rng_());
  }

 private:
  std::mt19937_64 rng_{42};  // fixed seed: repeatable ids
};

class TopicsTest : public ::testing::Test {
 protected:
  TopicsTest() : store_(alarms::NewMemoryStateStore()) { Open(); }

  void Open(SnsTopicsOptions options = {}) {
    topics_ = std::make_unique<SnsTopics>(*store_, random_, options);
    ASSERT_TRUE(topics_->Load().ok());
  }
  Topic Create(std::string_view name, std::map<std::string, std::string> attributes = {},
               std::map<std::string, std::string> tags = {}) {
    auto t = topics_->CreateTopic(kAccount, kRegion, name, attributes, tags);
    EXPECT_TRUE(t.ok()) << t.error().message;
    return t.ok() ? *t : Topic{};
  }
  Subscription Sub(std::string_view protocol, std::string_view endpoint,
                   const std::string& topic = kArn) {
    auto r = topics_->Subscribe(topic, kAccount, protocol, endpoint, {});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->subscription : Subscription{};
  }

  CountingRandom random_;
  std::unique_ptr<alarms::StateStore> store_;
  std::unique_ptr<SnsTopics> topics_;
};

TEST(TopicArnTest, ParsesAndBuilds) {
  auto p = ParseTopicArn("arn:aws:sns:eu-west-1:111122223333:my_topic-1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->region, "eu-west-1");
  EXPECT_EQ(p->account, "111122223333");
  EXPECT_EQ(p->name, "my_topic-1");
  EXPECT_FALSE(ParseTopicArn("arn:aws:sqs:eu-west-1:111122223333:q"));
  EXPECT_FALSE(ParseTopicArn("arn:aws:sns:eu-west-1:111122223333:bad.name"));
  EXPECT_FALSE(ParseTopicArn("arn:aws:sns:eu-west-1:111122223333:t:sub"));
  EXPECT_FALSE(ParseTopicArn("alerts"));
  EXPECT_EQ(TopicArn("us-east-1", "1", "t"), "arn:aws:sns:us-east-1:1:t");
  EXPECT_EQ(TopicArnOfSubscription(kArn + ":0d6c7c4a-1b4c-4f3e-9a55-1e0e0e0e0e0e"), kArn);
  EXPECT_FALSE(TopicArnOfSubscription(kArn));
  EXPECT_EQ(TopicNameOf(kArn), "alerts");
  EXPECT_EQ(TopicNameOf("arn:aws:cloudwatch:us-east-1:1:alarm:x"), "");
  EXPECT_EQ(TopicNameOf("nonsense"), "");
}

TEST_F(TopicsTest, CreateIsIdempotent) {
  Topic a = Create("alerts", {{"DisplayName", "Alerts"}}, {{"team", "ops"}});
  EXPECT_EQ(a.arn, kArn);
  Topic b = Create("alerts", {{"DisplayName", "Alerts"}}, {{"team", "ops"}});
  EXPECT_EQ(b.arn, kArn);
  Topic c = Create("alerts");  // no attributes: the existing topic, unchanged
  EXPECT_EQ(c.attributes.at("DisplayName"), "Alerts");
  EXPECT_EQ(topics_->ListTopics(kAccount, kRegion).size(), 1u);
}

TEST_F(TopicsTest, CreateWithDifferentAttributesOrTagsFails) {
  Create("alerts", {{"DisplayName", "Alerts"}}, {{"team", "ops"}});
  auto r = topics_->CreateTopic(kAccount, kRegion, "alerts", {{"DisplayName", "Other"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(r.error().message,
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
  r = topics_->CreateTopic(kAccount, kRegion, "alerts", {}, {{"team", "dev"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Invalid parameter: Tags Reason: Topic already exists with different tags");
}

TEST_F(TopicsTest, TopicsArePerAccountAndRegion) {
  Create("alerts");
  ASSERT_TRUE(topics_->CreateTopic("210987654321", kRegion, "alerts", {}, {}).ok());
  ASSERT_TRUE(topics_->CreateTopic(kAccount, "eu-west-1", "alerts", {}, {}).ok());
  EXPECT_EQ(topics_->ListTopics(kAccount, kRegion).size(), 1u);
  EXPECT_EQ(topics_->ListTopics("210987654321", kRegion).size(), 1u);
  EXPECT_EQ(topics_->ListTopics(kAccount, "eu-west-1").front().arn,
            "arn:aws:sns:eu-west-1:123456789012:alerts");
}

TEST_F(TopicsTest, TopicAndTagLimits) {
  Open({.auto_confirm = false, .max_topics_per_account = 2, .max_tags_per_topic = 2});
  Create("a");
  Create("b");
  auto r = topics_->CreateTopic(kAccount, kRegion, "c", {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTopicLimitExceeded);
  // The limit is per account and region.
  EXPECT_TRUE(topics_->CreateTopic(kAccount, "eu-west-1", "c", {}, {}).ok());
  // Creating an existing topic is not a new one.
  EXPECT_TRUE(topics_->CreateTopic(kAccount, kRegion, "a", {}, {}).ok());

  std::string a = TopicArn(kRegion, kAccount, "a");
  ASSERT_TRUE(topics_->TagTopic(a, {{"k1", "v"}, {"k2", "v"}}).ok());
  Status s = topics_->TagTopic(a, {{"k3", "v"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kTagLimitExceeded);
  EXPECT_EQ(topics_->FindTopic(a)->tags.size(), 2u);      // nothing applied
  ASSERT_TRUE(topics_->TagTopic(a, {{"k1", "w"}}).ok());  // overwriting stays within the limit
  ASSERT_TRUE(topics_->UntagTopic(a, {"k1", "absent"}).ok());
  EXPECT_EQ(topics_->FindTopic(a)->tags, (std::map<std::string, std::string>{{"k2", "v"}}));
  s = topics_->TagTopic(TopicArn(kRegion, kAccount, "zzz"), {{"k", "v"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kResourceNotFound);
}

TEST_F(TopicsTest, HttpSubscriptionIsPendingUntilConfirmed) {
  Create("alerts");
  Subscription s = Sub("https", "https://example.com/hook");
  EXPECT_FALSE(s.confirmed);
  EXPECT_EQ(s.token.size(), 2 * kTokenBytes);
  EXPECT_TRUE(s.arn.starts_with(kArn + ":"));
  EXPECT_EQ(s.arn.size(), kArn.size() + 1 + 36);
  EXPECT_TRUE(topics_->ConfirmedSubscriptions(kArn).empty());
  EXPECT_EQ(topics_->CountsOf(kArn).pending, 1);

  auto wrong = topics_->ConfirmSubscription(kArn, "beef", false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(wrong.error().message, "Invalid token");
  auto missing = topics_->ConfirmSubscription(TopicArn(kRegion, kAccount, "nope"), s.token, false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  auto ok = topics_->ConfirmSubscription(kArn, s.token, true);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(ok->confirmed);
  EXPECT_EQ(ok->token, "");
  EXPECT_TRUE(topics_->ConfirmationWasAuthenticated(s.arn));
  // Visiting SubscribeURL again confirms again.
  auto again = topics_->ConfirmSubscription(kArn, s.token, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->arn, s.arn);
  ASSERT_EQ(topics_->ConfirmedSubscriptions(kArn).size(), 1u);
  EXPECT_EQ(topics_->CountsOf(kArn).confirmed, 1);
  EXPECT_EQ(topics_->CountsOf(kArn).pending, 0);
}

TEST_F(TopicsTest, LambdaAndAutoConfirmedSubscriptions) {
  Create("alerts");
  Subscription l = Sub("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  EXPECT_TRUE(l.confirmed);
  EXPECT_EQ(l.token, "");
  Open({.auto_confirm = true});
  Subscription h = Sub("http", "http://127.0.0.1:9/x");
  EXPECT_TRUE(h.confirmed);
  EXPECT_TRUE(topics_->ConfirmationWasAuthenticated(h.arn));
  EXPECT_EQ(topics_->ConfirmedSubscriptions(kArn).size(), 2u);
}

TEST_F(TopicsTest, SameEndpointTwiceReturnsTheExistingSubscription) {
  Create("alerts");
  Subscription a = Sub("http", "http://h/x");
  auto again = topics_->Subscribe(kArn, kAccount, "http", "http://h/x", {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->subscription.arn, a.arn);
  EXPECT_EQ(again->subscription.token, a.token);
  // Another protocol or endpoint is another subscription.
  EXPECT_NE(Sub("https", "https://h/x").arn, a.arn);
  EXPECT_NE(Sub("http", "http://h/y").arn, a.arn);
  auto different =
      topics_->Subscribe(kArn, kAccount, "http", "http://h/x", {{"RawMessageDelivery", "true"}});
  ASSERT_FALSE(different.ok());
  EXPECT_EQ(different.error().message,
            "Invalid parameter: Attributes Reason: Subscription already exists with different "
            "attributes");
  auto same =
      topics_->Subscribe(kArn, kAccount, "http", "http://h/x", {{"RawMessageDelivery", "false"}});
  EXPECT_TRUE(same.ok());
  EXPECT_EQ(topics_->SubscriptionsOf(kArn).size(), 3u);
}

TEST_F(TopicsTest, SubscribeToUnknownTopicIsNotFound) {
  auto r = topics_->Subscribe(kArn, kAccount, "http", "http://h/x", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "Topic does not exist");
}

TEST_F(TopicsTest, SubscriptionAttributes) {
  Create("alerts");
  auto r = topics_->Subscribe(kArn, kAccount, "http", "http://h/x",
                              {{"RawMessageDelivery", "true"},
                               {"DeliveryPolicy", R"({"healthyRetryPolicy":{"numRetries":5}})"},
                               {"FilterPolicy", R"({"k":["v"]})"}});
  ASSERT_TRUE(r.ok());
  const Subscription& s = r->subscription;
  EXPECT_TRUE(s.raw_message_delivery);
  EXPECT_EQ(s.delivery_policy, R"({"healthyRetryPolicy":{"numRetries":5}})");
  EXPECT_EQ(s.attributes.at("FilterPolicy"), R"({"k":["v"]})");
  ASSERT_TRUE(topics_->SetSubscriptionAttribute(s.arn, "RawMessageDelivery", "false").ok());
  ASSERT_TRUE(topics_->SetSubscriptionAttribute(s.arn, "DeliveryPolicy", "").ok());
  ASSERT_TRUE(topics_->SetSubscriptionAttribute(s.arn, "FilterPolicy", "").ok());
  auto found = topics_->FindSubscription(s.arn);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->raw_message_delivery);
  EXPECT_FALSE(found->delivery_policy);
  EXPECT_TRUE(found->attributes.empty());
  Status missing = topics_->SetSubscriptionAttribute(kArn + ":nope", "RawMessageDelivery", "true");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "Subscription does not exist");
}

TEST_F(TopicsTest, DeleteTopicTakesItsSubscriptions) {
  Create("alerts");
  Create("other");
  std::string other = TopicArn(kRegion, kAccount, "other");
  Subscription a = Sub("http", "http://h/a");
  Subscription b = Sub("http", "http://h/b", other);
  ASSERT_TRUE(topics_->DeleteTopic(kArn).ok());
  EXPECT_FALSE(topics_->TopicExists(kArn));
  EXPECT_FALSE(topics_->FindSubscription(a.arn));
  EXPECT_TRUE(topics_->FindSubscription(b.arn));
  EXPECT_TRUE(topics_->DeleteTopic(kArn).ok());  // deleting again succeeds, as SNS
  Open();
  EXPECT_FALSE(topics_->TopicExists(kArn));
  EXPECT_FALSE(topics_->FindSubscription(a.arn));
  EXPECT_EQ(topics_->ListSubscriptions(kAccount, kRegion).size(), 1u);
}

TEST_F(TopicsTest, UnsubscribeCountsDeletedSubscriptions) {
  Create("alerts");
  Subscription a = Sub("http", "http://h/a");
  ASSERT_TRUE(topics_->Unsubscribe(a.arn).ok());
  EXPECT_EQ(topics_->CountsOf(kArn).deleted, 1);
  Status again = topics_->Unsubscribe(a.arn);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  Open();
  EXPECT_EQ(topics_->CountsOf(kArn).deleted, 1);
}

TEST_F(TopicsTest, EverythingSurvivesAReopen) {
  Create("alerts", {{"DisplayName", "A"}, {"DeliveryPolicy", R"({"http":{}})"}}, {{"t", "1"}});
  Subscription pending = Sub("https", "https://h/p");
  Subscription lambda = Sub("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  ASSERT_TRUE(topics_->SetSubscriptionAttribute(pending.arn, "RawMessageDelivery", "true").ok());
  Open();
  auto t = topics_->FindTopic(kArn);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->attributes.at("DisplayName"), "A");
  EXPECT_EQ(t->tags.at("t"), "1");
  EXPECT_EQ(topics_->TopicDeliveryPolicy(kArn), R"({"http":{}})");
  auto p = topics_->FindSubscription(pending.arn);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->confirmed);
  EXPECT_EQ(p->token, pending.token);
  EXPECT_TRUE(p->raw_message_delivery);
  // The token still confirms after the restart.
  ASSERT_TRUE(topics_->ConfirmSubscription(kArn, pending.token, false).ok());
  Open();
  EXPECT_EQ(topics_->ConfirmedSubscriptions(kArn).size(), 2u);
  EXPECT_EQ(topics_->CountsOf(kArn).confirmed, 2);
}

TEST_F(TopicsTest, ResetForgetsEverything) {
  Create("alerts");
  Sub("http", "http://h/a");
  ASSERT_TRUE(topics_->Reset().ok());
  EXPECT_TRUE(topics_->ListTopics(kAccount, kRegion).empty());
  Open();
  EXPECT_TRUE(topics_->ListTopics(kAccount, kRegion).empty());
  EXPECT_TRUE(topics_->ListSubscriptions(kAccount, kRegion).empty());
}

TEST_F(TopicsTest, KeysDoNotCollideWithTheAlarmService) {
  Create("alerts");
  size_t mine = 0, other = 0;
  ASSERT_TRUE(store_
                  ->Scan("",
                         [&](std::string_view key, std::string_view) {
                           (key.starts_with(std::string_view("snstopic\0", 9)) ? mine : other)++;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(mine, 1u);
  EXPECT_EQ(other, 0u);
}

TEST(TopicsRocksTest, PersistsInRocksDb) {
  auto dir =
      std::filesystem::temp_directory_path() / ("vigil-topics-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  CountingRandom random;
  std::string sub_arn;
  {
    auto store = alarms::OpenRocksStateStore({.path = dir.string(), .sync = false});
    ASSERT_TRUE(store.ok()) << store.error().message;
    SnsTopics topics(**store, random);
    ASSERT_TRUE(topics.Load().ok());
    ASSERT_TRUE(topics.CreateTopic(kAccount, kRegion, "alerts", {}, {{"k", "v"}}).ok());
    auto s = topics.Subscribe(kArn, kAccount, "lambda",
                              "arn:aws:lambda:us-east-1:123456789012:function:f", {});
    ASSERT_TRUE(s.ok());
    sub_arn = s->subscription.arn;
  }
  {
    auto store = alarms::OpenRocksStateStore({.path = dir.string(), .sync = false});
    ASSERT_TRUE(store.ok()) << store.error().message;
    SnsTopics topics(**store, random);
    ASSERT_TRUE(topics.Load().ok());
    ASSERT_TRUE(topics.TopicExists(kArn));
    EXPECT_EQ(topics.FindTopic(kArn)->tags.at("k"), "v");
    auto confirmed = topics.ConfirmedSubscriptions(kArn);
    ASSERT_EQ(confirmed.size(), 1u);
    EXPECT_EQ(confirmed.front().arn, sub_arn);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::notify
