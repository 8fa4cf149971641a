// notify::Delivery against a real HTTP receiver on a loopback socket: the durable outbox, the
// POST it sends, retries on the manual clock, rejections, restart, queue caps, alarm staging.
#include "vigil/notify/delivery.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "notify/http_sender.h"
#include "vigil/alarms/state_store.h"
#include "vigil/storage/metric_store.h"

namespace vigil::notify {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int64_t kT0 = 1'795'780'800;  // 2026-11-27T12:00:00Z
constexpr const char* kTopic = "arn:aws:sns:us-east-1:123456789012:alerts";
constexpr const char* kSub = "arn:aws:sns:us-east-1:123456789012:alerts:0b7c3a4e";

struct Received {
  std::string head;  // request line and headers
  std::string body;
  std::string Header(const std::string& name) const {
    std::string needle = "\r\n" + name + ": ";
    auto lower = head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto pos = lower.find(needle);
    if (pos == std::string::npos) return "";
    auto end = head.find("\r\n", pos + needle.size());
    return head.substr(pos + needle.size(), end - pos - needle.size());
  }
};

// A one-connection-at-a-time HTTP receiver answering `status` (0: never answer, hold the
// connection until closed).
class Receiver {
 public:
  Receiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_status(int s) { status_ = s; }
  std::vector<Received> got() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  void Loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string data;
      char buf[4096];
      size_t need = std::string::npos;
      while (true) {
        auto n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        auto end = data.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          Received probe{data.substr(0, end), ""};
          need = end + 4 + std::stoul(probe.Header("content-length").empty()
                                          ? "0"
                                          : probe.Header("content-length"));
        }
        if (need != std::string::npos && data.size() >= need) break;
      }
      auto end = data.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::lock_guard lock(mu_);
        got_.push_back(Received{data.substr(0, end), data.substr(end + 4)});
      }
      int status = status_;
      if (status == 0) {
        // Hold the connection: the sender's timeout must end the exchange.
        while (::recv(c, buf, sizeof buf, 0) > 0) {
        }
      } else {
        std::string resp = "HTTP/1.1 " + std::to_string(status) +
                           " X\r\nContent-Length: 0\r\nConnection: close\r\n";
        if (status == 302) resp += "Location: " + url("/elsewhere") + "\r\n";
        resp += "\r\n";
        ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> status_{200};
  std::mutex mu_;
  std::vector<Received> got_;
  std::thread thread_;
};

class FakeDirectory final : public SubscriptionDirectory {
 public:
  bool TopicExists(std::string_view arn) const override { return arn == kTopic; }
  std::vector<Subscription> ConfirmedSubscriptions(std::string_view arn) const override {
    std::lock_guard lock(mu);
    return arn == kTopic ? subs : std::vector<Subscription>{};
  }
  std::optional<Subscription> FindSubscription(std::string_view arn) const override {
    std::lock_guard lock(mu);
    for (const auto& s : subs) {
      if (s.arn == arn) return s;
    }
    return std::nullopt;
  }
  std::optional<std::string> TopicDeliveryPolicy(std::string_view) const override {
    return topic_policy;
  }
  mutable std::mutex mu;
  std::vector<Subscription> subs;
  std::optional<std::string> topic_policy;
};

class DeliveryTest : public ::testing::Test {
 protected:
  // One RSA key for the suite: generating it is the slow part.
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "vigil-delivery-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto signer = Signer::LoadOrCreate(dir_, Timestamp::FromSeconds(kT0));
    ASSERT_TRUE(signer.ok());
    signer_ = std::move(*signer);
  }
  static void TearDownTestSuite() {
    signer_.reset();
    fs::remove_all(dir_);
  }

  void SetUp() override {
    Subscription s;
    s.arn = kSub;
    s.topic_arn = kTopic;
    s.owner = "123456789012";
    s.protocol = "http";
    s.endpoint = receiver_.url();
    s.confirmed = true;
    directory_.subs.push_back(s);
  }
  void TearDown() override { delivery_.reset(); }

  void StartDelivery(DeliveryConfig config = {}) {
    if (config.request_timeout == DeliveryConfig{}.request_timeout) {
      config.request_timeout = std::chrono::milliseconds(2000);
    }
    delivery_ = std::make_unique<Delivery>(*state_, directory_, *metrics_, clock_, *signer_, config);
    ASSERT_TRUE(delivery_->Start("http://vigil.test:4590").ok());
  }

  Publication Pub(std::string message = "hello") {
    Publication p;
    p.account = "123456789012";
    p.region = "us-east-1";
    p.topic_arn = kTopic;
    p.subject = "Subject";
    p.message = std::move(message);
    p.timestamp = clock_.Now();
    return p;
  }

  size_t Records() {
    size_t n = 0;
    std::string prefix("sndl");
    prefix += '\0';
    EXPECT_TRUE(state_->Scan(prefix, [&](std::string_view, std::string_view) {
                        ++n;
                        return true;
                      }).ok());
    return n;
  }

  double MetricSum(const std::string& name) {
    storage::SeriesKey k{"123456789012", "us-east-1", "AWS/SNS", name, {{"TopicName", "alerts"}}};
    k.Canonicalize();
    auto r = metrics_->Read(k, std::nullopt, Timestamp::FromSeconds(kT0 - 3600),
                            Timestamp::FromSeconds(kT0 + 86400), 60);
    double sum = 0;
    if (!r.ok()) return -1;
    for (const auto& u : *r) {
      for (const auto& b : u.buckets) sum += b.stats.sum;
    }
    return sum;
  }

  void Advance(int64_t seconds) {
    clock_.Advance(seconds * 1000);
    delivery_->RunDue(clock_.Now());
  }

  static inline fs::path dir_;
  static inline std::unique_ptr<Signer> signer_;
  ManualClock clock_{Timestamp::FromSeconds(kT0)};
  Receiver receiver_;
  FakeDirectory directory_;
  std::unique_ptr<alarms::StateStore> state_ = alarms::NewMemoryStateStore();
  std::unique_ptr<storage::MetricStore> metrics_ = storage::NewMemoryMetricStore();
  std::unique_ptr<Delivery> delivery_;
};

TEST_F(DeliveryTest, PublishIsDurableThenPostsTheSignedEnvelope) {
  DeliveryConfig config;
  config.request_timeout = std::chrono::milliseconds(500);
  StartDelivery(config);
  receiver_.set_status(0);  // hold the first attempt: the record is in the store before any answer
  auto id = delivery_->Publish(Pub());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 36u);
  EXPECT_EQ(Records(), 1u);
  delivery_->RunDue(clock_.Now());  // the held attempt times out; the retry is due in 1 s
  receiver_.set_status(200);
  Advance(1);
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 2u);
  const Received& r = got.back();
  EXPECT_TRUE(r.head.starts_with("POST /hook HTTP/1.1"));
  EXPECT_EQ(r.Header("x-amz-sns-message-type"), "Notification");
  EXPECT_EQ(r.Header("x-amz-sns-message-id"), *id);
  EXPECT_EQ(r.Header("x-amz-sns-topic-arn"), kTopic);
  EXPECT_EQ(r.Header("x-amz-sns-subscription-arn"), kSub);
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=UTF-8");
  auto body = json::parse(r.body);
  EXPECT_EQ(body["Type"], "Notification");
  EXPECT_EQ(body["MessageId"], *id);
  EXPECT_EQ(body["Message"], "hello");
  EXPECT_EQ(body["Subject"], "Subject");
  EXPECT_EQ(body["Timestamp"], "2026-11-27T12:00:00.000Z");
  EXPECT_EQ(body["SigningCertURL"], "http://vigil.test:4590/_vigil/sns/SimpleNotificationService.pem");
  EXPECT_EQ(body["UnsubscribeURL"],
            std::string("http://vigil.test:4590/?Action=Unsubscribe&SubscriptionArn=") + kSub);
  SnsMessage m;
  m.message_id = *id;
  m.topic_arn = kTopic;
  m.subject = "Subject";
  m.message = "hello";
  m.timestamp = Timestamp::FromSeconds(kT0);
  EXPECT_TRUE(signer_->Verify(StringToSign(m), body["Signature"].get<std::string>(),
                              SignatureVersion::kV1)
                  .ok());
  EXPECT_EQ(Records(), 0u);
  EXPECT_EQ(MetricSum("NumberOfMessagesPublished"), 1);
  EXPECT_EQ(MetricSum("NumberOfNotificationsDelivered"), 1);
}

TEST_F(DeliveryTest, ServerErrorsAreRetriedOnTheClockWithTheSameMessageId) {
  DeliveryConfig config;
  config.default_policy = HealthyRetryPolicy{20, 20, 3, 0, 0, 0, BackoffFunction::kLinear};
  StartDelivery(config);
  receiver_.set_status(503);
  auto id = delivery_->Publish(Pub());
  ASSERT_TRUE(id.ok());
  delivery_->RunDue(clock_.Now());
  EXPECT_EQ(receiver_.got().size(), 1u);
  EXPECT_EQ(Records(), 1u);  // kept for the retry
  Advance(19);
  EXPECT_EQ(receiver_.got().size(), 1u);  // not due yet
  Advance(1);
  EXPECT_EQ(receiver_.got().size(), 2u);
  receiver_.set_status(200);
  Advance(20);
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 3u);
  for (const auto& r : got) EXPECT_EQ(r.Header("x-amz-sns-message-id"), *id);
  EXPECT_EQ(Records(), 0u);
  EXPECT_EQ(delivery_->Stats().delivered, 1u);
}

TEST_F(DeliveryTest, GivesUpWhenThePolicyIsExhausted) {
  DeliveryConfig config;
  config.default_policy = HealthyRetryPolicy{20, 20, 2, 0, 0, 0, BackoffFunction::kLinear};
  StartDelivery(config);
  receiver_.set_status(500);
  ASSERT_TRUE(delivery_->Publish(Pub()).ok());
  delivery_->RunDue(clock_.Now());
  Advance(20);
  Advance(20);
  Advance(20);
  EXPECT_EQ(receiver_.got().size(), 3u);  // the first attempt and 2 retries
  EXPECT_EQ(Records(), 0u);
  EXPECT_EQ(MetricSum("NumberOfNotificationsFailed"), 1);
  EXPECT_EQ(MetricSum("NumberOfNotificationsDelivered"), 0);
}

TEST_F(DeliveryTest, ClientErrorsAndRedirectsAreNotRetried) {
  StartDelivery();
  receiver_.set_status(302);
  ASSERT_TRUE(delivery_->Publish(Pub()).ok());
  delivery_->RunDue(clock_.Now());
  receiver_.set_status(404);
  ASSERT_TRUE(delivery_->Publish(Pub()).ok());
  delivery_->RunDue(clock_.Now());
  Advance(3600);
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 2u);  // the redirect was not followed, neither was retried
  EXPECT_TRUE(got[0].head.starts_with("POST /hook "));
  EXPECT_EQ(MetricSum("NumberOfNotificationsFailed"), 2);
  EXPECT_EQ(Records(), 0u);
}

TEST_F(DeliveryTest, AHungReceiverTimesOutAndIsRetried) {
  DeliveryConfig config;
  config.request_timeout = std::chrono::milliseconds(300);
  StartDelivery(config);
  receiver_.set_status(0);
  ASSERT_TRUE(delivery_->Publish(Pub()).ok());
  delivery_->RunDue(clock_.Now());
  EXPECT_EQ(Records(), 1u);
  EXPECT_EQ(delivery_->Stats().in_flight, 0u);
}

TEST_F(DeliveryTest, LoadedRecordsKeepTheirMessageId) {
  receiver_.set_status(500);
  StartDelivery();
  auto id = delivery_->Publish(Pub("after restart"));
  ASSERT_TRUE(id.ok());
  delivery_->RunDue(clock_.Now());
  delivery_.reset();
  receiver_.set_status(200);
  StartDelivery();
  Advance(3600);
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].Header("x-amz-sns-message-id"), *id);
  EXPECT_EQ(json::parse(got[1].body)["Message"], "after restart");
  EXPECT_EQ(Records(), 0u);
}

TEST_F(DeliveryTest, AFullQueueDropsWithAMetric) {
  DeliveryConfig config;
  config.max_queued_per_endpoint = 2;
  StartDelivery(config);
  receiver_.set_status(503);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(delivery_->Publish(Pub()).ok());
  EXPECT_EQ(Records(), 2u);
  delivery_->RunDue(clock_.Now());
  EXPECT_EQ(MetricSum("NumberOfNotificationsFailed"), 1);
  EXPECT_EQ(MetricSum("NumberOfMessagesPublished"), 3);
}

TEST_F(DeliveryTest, RawDeliverySendsTheBareMessage) {
  directory_.subs[0].raw_message_delivery = true;
  StartDelivery();
  ASSERT_TRUE(delivery_->Publish(Pub("{\"raw\":true}")).ok());
  delivery_->RunDue(clock_.Now());
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "{\"raw\":true}");
  EXPECT_EQ(got[0].Header("x-amz-sns-rawdelivery"), "true");
}

TEST_F(DeliveryTest, ConfirmationCarriesTokenAndSubscribeUrl) {
  StartDelivery();
  Subscription s = directory_.subs[0];
  s.confirmed = false;
  s.token = "abc123";
  ASSERT_TRUE(delivery_->RequestConfirmation(s, clock_.Now()).ok());
  delivery_->RunDue(clock_.Now());
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].Header("x-amz-sns-message-type"), "SubscriptionConfirmation");
  auto body = json::parse(got[0].body);
  EXPECT_EQ(body["Token"], "abc123");
  EXPECT_EQ(body["SubscribeURL"],
            std::string("http://vigil.test:4590/?Action=ConfirmSubscription&TopicArn=") + kTopic +
                "&Token=abc123");
  EXPECT_EQ(MetricSum("NumberOfNotificationsDelivered"), 0);  // confirmations are not counted
}

alarms::Alarm SomeAlarm() {
  alarms::Alarm a;
  a.account = "123456789012";
  a.region = "us-east-1";
  a.arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu";
  a.config.name = "cpu";
  a.config.namespace_ = "ns";
  a.config.metric_name = "m";
  a.config.statistic = "Average";
  a.config.period = 60;
  a.config.threshold = 1;
  a.config.comparison_operator = "GreaterThanThreshold";
  a.status.value = alarms::AlarmState::kAlarm;
  return a;
}

alarms::ActionRequest Action(std::string arn) {
  alarms::ActionRequest r;
  r.account = "123456789012";
  r.region = "us-east-1";
  r.action_arn = std::move(arn);
  r.alarm_name = "cpu";
  r.alarm_arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu";
  r.old_state = alarms::AlarmState::kOk;
  r.new_state = alarms::AlarmState::kAlarm;
  r.reason = "Threshold Crossed";
  r.state_change_time = Timestamp::FromSeconds(kT0);
  return r;
}

TEST_F(DeliveryTest, AlarmActionsJoinTheTransitionBatchAndWaitForCommit) {
  StartDelivery();
  alarms::WriteBatch batch;
  ASSERT_TRUE(delivery_->Stage(Action(kTopic), SomeAlarm(), batch).ok());
  ASSERT_EQ(batch.puts.size(), 1u);
  delivery_->RunDue(clock_.Now());
  EXPECT_TRUE(receiver_.got().empty());  // not durable yet: nothing is sent
  ASSERT_TRUE(state_->Write(batch).ok());
  delivery_->Committed(true);
  delivery_->RunDue(clock_.Now());
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 1u);
  auto body = json::parse(got[0].body);
  EXPECT_EQ(body["Subject"], "ALARM: \"cpu\" in US East (N. Virginia)");
  auto message = json::parse(body["Message"].get<std::string>());
  EXPECT_EQ(message["AlarmName"], "cpu");
  EXPECT_EQ(message["NewStateValue"], "ALARM");
  EXPECT_EQ(message["OldStateValue"], "OK");
  EXPECT_EQ(Records(), 0u);
}

TEST_F(DeliveryTest, UncommittedActionsAreNeverSent) {
  StartDelivery();
  alarms::WriteBatch batch;
  ASSERT_TRUE(delivery_->Stage(Action(kTopic), SomeAlarm(), batch).ok());
  delivery_->Committed(false);
  delivery_->RunDue(clock_.Now());
  EXPECT_TRUE(receiver_.got().empty());
  EXPECT_EQ(delivery_->Stats().queued, 0u);
}

TEST_F(DeliveryTest, UnknownTopicsAndUnmappedArnsFailTheAction) {
  StartDelivery();
  alarms::WriteBatch batch;
  auto s = delivery_->Stage(Action("arn:aws:sns:us-east-1:123456789012:nope"), SomeAlarm(), batch);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "Topic does not exist");
  EXPECT_FALSE(
      delivery_->Stage(Action("arn:aws:automate:us-east-1:ec2:stop"), SomeAlarm(), batch).ok());
  EXPECT_TRUE(batch.puts.empty());
}

TEST_F(DeliveryTest, MappedActionArnsPostStraightToTheirWebhook) {
  DeliveryConfig config;
  config.action_webhooks["arn:aws:sns:us-east-1:123456789012:not-a-topic"] = receiver_.url("/direct");
  StartDelivery(config);
  alarms::WriteBatch batch;
  ASSERT_TRUE(delivery_
                  ->Stage(Action("arn:aws:sns:us-east-1:123456789012:not-a-topic"), SomeAlarm(),
                          batch)
                  .ok());
  ASSERT_TRUE(state_->Write(batch).ok());
  delivery_->Committed(true);
  delivery_->RunDue(clock_.Now());
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].head.starts_with("POST /direct "));
  EXPECT_EQ(got[0].Header("x-amz-sns-topic-arn"), "arn:aws:sns:us-east-1:123456789012:not-a-topic");
  EXPECT_EQ(json::parse(got[0].body)["Type"], "Notification");
}

TEST_F(DeliveryTest, LambdaSubscriptionsPostTheLambdaEventToTheirMappedUrl) {
  DeliveryConfig config;
  config.lambda_urls["arn:aws:lambda:us-east-1:123456789012:function:f"] = receiver_.url("/fn");
  directory_.subs[0].protocol = "lambda";
  directory_.subs[0].endpoint = "arn:aws:lambda:us-east-1:123456789012:function:f";
  StartDelivery(config);
  auto id = delivery_->Publish(Pub("to lambda"));
  ASSERT_TRUE(id.ok());
  delivery_->RunDue(clock_.Now());
  auto got = receiver_.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].head.starts_with("POST /fn "));
  auto event = json::parse(got[0].body);
  const auto& rec = event["Records"][0];
  EXPECT_EQ(rec["EventSource"], "aws:sns");
  EXPECT_EQ(rec["EventSubscriptionArn"], kSub);
  EXPECT_EQ(rec["Sns"]["MessageId"], *id);
  EXPECT_EQ(rec["Sns"]["Message"], "to lambda");
  EXPECT_TRUE(rec["Sns"].contains("SigningCertUrl"));
}

TEST(ParseHttpUrlTest, AcceptsHttpAndHttpsOnly) {
  auto u = ParseHttpUrl("https://example.com:8443/a/b?x=1");
  ASSERT_TRUE(u.has_value());
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->target, "/a/b?x=1");
  auto v = ParseHttpUrl("http://[::1]?q");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, "80");
  EXPECT_EQ(v->target, "/?q");
  EXPECT_FALSE(ParseHttpUrl("ftp://example.com/").has_value());
  EXPECT_FALSE(ParseHttpUrl("http://user@example.com/").has_value());
  EXPECT_FALSE(ParseHttpUrl("http://example.com:99999/").has_value());
  EXPECT_FALSE(ParseHttpUrl("http:///path").has_value());
}

}  // namespace
}  // namespace vigil::notify
