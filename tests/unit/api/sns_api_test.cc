// The SNS-compatible API through the real Frontend: routing (Version, SigV4 scope, SNS-only
// actions sent unsigned by GET), every operation's Query wire shape, every error SNS answers, and
// what reaches the MessageSink (a recording fake; delivery itself is tested in notify).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "unit/api/api_fixture.h"
#include "unit/api/wire_client.h"
#include "vigil/alarms/state_store.h"
#include "vigil/common/base64.h"
#include "vigil/notify/topics.h"

namespace vigil::api::testing {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kNs = "http://sns.amazonaws.com/doc/2010-03-31/";
const std::string kTopic = "arn:aws:sns:us-east-1:123456789012:alerts";

using vigil::testing::UrlEncode;

std::string Form(const Params& params) {
  std::string f;
  for (const auto& [k, v] : params) {
    if (!f.empty()) f += '&';
    f += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return f;
}

// The text of the first <name>...</name> (unescaped), or nullopt.
std::optional<std::string> Tag(const std::string& xml, const std::string& name, size_t from = 0) {
  size_t a = xml.find("<" + name + ">", from);
  if (a == std::string::npos) return std::nullopt;
  a += name.size() + 2;
  size_t b = xml.find("</" + name + ">", a);
  std::string v = xml.substr(a, b - a);
  for (auto [f, t] :
       {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}}) {
    for (size_t p; (p = v.find(f)) != std::string::npos;) v.replace(p, std::strlen(f), t);
  }
  return v;
}

std::vector<std::string> AllTags(const std::string& xml, const std::string& name) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t a = xml.find("<" + name + ">", pos);
    if (a == std::string::npos) break;
    out.push_back(*Tag(xml, name, a));
    pos = a + 1;
  }
  return out;
}

std::map<std::string, std::string> Entries(const std::string& xml) {
  std::map<std::string, std::string> m;
  size_t pos = 0;
  while ((pos = xml.find("<entry>", pos)) != std::string::npos) {
    auto k = Tag(xml, "key", pos);
    size_t v = xml.find("<value", pos);
    std::string value;
    if (xml.compare(v, 8, "<value/>") != 0) value = *Tag(xml, "value", pos);
    m[*k] = value;
    pos += 7;
  }
  return m;
}

class RecordingSink final : public notify::MessageSink {
 public:
  Result<std::string> Publish(notify::Publication p) override {
    if (fail) return MakeError(ErrorCode::kInternalError, "sink down");
    published.push_back(std::move(p));
    return std::string("11111111-2222-4333-8444-") + std::string(12 - 1, '0') +
           std::to_string(published.size() % 10);
  }
  Status RequestConfirmation(const notify::Subscription& s, Timestamp now) override {
    if (fail) return MakeError(ErrorCode::kInternalError, "sink down");
    confirmations.emplace_back(s, now);
    return OkStatus();
  }
  bool fail = false;
  std::vector<notify::Publication> published;
  std::vector<std::pair<notify::Subscription, Timestamp>> confirmations;
};

class CountingRandom final : public notify::RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = static_cast<uint8_t>(rng_());
  }

 private:
  std::mt19937_64 rng_{42};  // fixed seed: repeatable ids
};

struct Reply {
  int status = 0;
  std::string body;
  std::string code;     // error code, "" on success
  std::string message;  // error message
};

class SnsApiTest : public ::testing::Test {
 protected:
  SnsApiTest() : metrics_(storage::NewMemoryMetricStore()), state_(alarms::NewMemoryStateStore()) {
    Start({});
  }

  void Start(notify::SnsTopicsOptions options, bool with_sink = true, bool with_topics = true) {
    topics_ = std::make_unique<notify::SnsTopics>(*state_, random_, options);
    ASSERT_TRUE(topics_->Load().ok());
    Services s;
    s.metrics = metrics_.get();
    s.clock = &clock_;
    s.sns_topics = with_topics ? topics_.get() : nullptr;
    s.sns_sink = with_sink ? &sink_ : nullptr;
    frontend_ = std::make_unique<Frontend>(s);
  }

  static Reply ToReply(const HttpResponse& r) {
    Reply out{r.status, r.body, "", ""};
    if (r.status != 200) {
      out.code = Tag(r.body, "Code").value_or("");
      out.message = Tag(r.body, "Message").value_or("");
    }
    return out;
  }

  // A signed SNS Query POST, as boto3 sends it.
  Reply Call(const std::string& action, Params params, std::string_view key = "AKIDEXAMPLE",
             std::string_view region = "us-east-1") {
    params.insert(params.begin(), {{"Action", action}, {"Version", "2010-03-31"}});
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
    req.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(key) +
                                                  "/20261127/" + std::string(region) +
                                                  "/sns/aws4_request, SignedHeaders=host, "
                                                  "Signature=0");
    req.body = Form(params);
    req.wire_body_bytes = req.body.size();
    return ToReply(frontend_->Handle(req));
  }

  // An unsigned GET with a query string and no Version, as a receiver follows SubscribeURL.
  Reply Get(const Params& params) {
    HttpRequest req;
    req.method = "GET";
    req.target = "/?" + Form(params);
    return ToReply(frontend_->Handle(req));
  }

  std::string CreateTopic(const std::string& name, Params extra = {}) {
    extra.insert(extra.begin(), {"Name", name});
    Reply r = Call("CreateTopic", extra);
    EXPECT_EQ(r.status, 200) << r.body;
    return Tag(r.body, "TopicArn").value_or("");
  }
  std::string Subscribe(const std::string& protocol, const std::string& endpoint,
                        Params extra = {}) {
    extra.insert(extra.begin(),
                 {{"TopicArn", kTopic}, {"Protocol", protocol}, {"Endpoint", endpoint}});
    Reply r = Call("Subscribe", extra);
    EXPECT_EQ(r.status, 200) << r.body;
    return Tag(r.body, "SubscriptionArn").value_or("");
  }
  std::map<std::string, std::string> TopicAttributes(const std::string& arn = kTopic) {
    Reply r = Call("GetTopicAttributes", {{"TopicArn", arn}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Entries(r.body);
  }
  std::map<std::string, std::string> SubscriptionAttributes(const std::string& arn) {
    Reply r = Call("GetSubscriptionAttributes", {{"SubscriptionArn", arn}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Entries(r.body);
  }
  static void ExpectError(const Reply& r, int status, std::string_view code,
                          std::string_view message = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.code, code) << r.body;
    if (!message.empty()) {
      EXPECT_EQ(r.message, message);
    }
  }

  ManualClock clock_{Timestamp::FromSeconds(kFixtureNow)};
  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<alarms::StateStore> state_;
  CountingRandom random_;
  RecordingSink sink_;
  std::unique_ptr<notify::SnsTopics> topics_;
  std::unique_ptr<Frontend> frontend_;
};

// ------------------------------------------------------------------ routing and wire shapes

TEST_F(SnsApiTest, CreateTopicWireShape) {
  Reply r = Call("CreateTopic", {{"Name", "alerts"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::string expected_prefix =
      "<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult>"
      "<TopicArn>arn:aws:sns:us-east-1:123456789012:alerts</TopicArn></CreateTopicResult>"
      "<ResponseMetadata><RequestId>";
  EXPECT_EQ(r.body.substr(0, expected_prefix.size()), expected_prefix);
  EXPECT_TRUE(r.body.ends_with("</RequestId></ResponseMetadata></CreateTopicResponse>"));
}

TEST_F(SnsApiTest, ErrorWireShape) {
  Reply r = Call("GetTopicAttributes", {{"TopicArn", kTopic}});
  EXPECT_EQ(r.status, 404);
  std::string expected_prefix =
      "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender"
      "</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>";
  EXPECT_EQ(r.body.substr(0, expected_prefix.size()), expected_prefix);
  EXPECT_TRUE(r.body.ends_with("</RequestId></ErrorResponse>"));
}

TEST_F(SnsApiTest, EmptyResultShape) {
  CreateTopic("alerts");
  Reply r = Call("DeleteTopic", {{"TopicArn", kTopic}});
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(
      r.body.starts_with("<DeleteTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                         "<ResponseMetadata><RequestId>"));
}

TEST_F(SnsApiTest, RoutesByVersionScopeAndAction) {
  CreateTopic("alerts");
  // No Version, scope "sns": TagResource is SNS's.
  HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("authorization",
                           "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/sns/aws4_request, "
                           "SignedHeaders=host, Signature=0");
  req.body = "Action=ListTagsForResource&ResourceArn=" + UrlEncode(kTopic);
  HttpResponse resp = frontend_->Handle(req);
  EXPECT_EQ(resp.status, 200) << resp.body;
  EXPECT_NE(resp.body.find(kNs), std::string::npos);
  // Version 2010-08-01: CloudWatch's TagResource (no alarm service here: CloudWatch's error).
  req.body = "Action=ListTagsForResource&Version=2010-08-01&ResourceARN=" + UrlEncode(kTopic);
  resp = frontend_->Handle(req);
  EXPECT_NE(resp.body.find("http://monitoring.amazonaws.com/doc/2010-08-01/"), std::string::npos);
  // No Version, scope "monitoring": CloudWatch.
  req.headers.back().second =
      "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/monitoring/aws4_request, "
      "SignedHeaders=host, Signature=0";
  req.body = "Action=ListTagsForResource&ResourceARN=" + UrlEncode(kTopic);
  resp = frontend_->Handle(req);
  EXPECT_NE(resp.body.find("http://monitoring.amazonaws.com/doc/2010-08-01/"), std::string::npos);
  // Unsigned, no Version, an SNS-only action: SNS.
  Reply r = Get({{"Action", "ListTopics"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(kNs), std::string::npos);
  // JSON stays CloudWatch: CreateTopic is not one of its operations.
  HttpRequest json;
  json.method = "POST";
  json.target = "/";
  json.headers.emplace_back("content-type", "application/x-amz-json-1.0");
  json.headers.emplace_back("x-amz-target", "GraniteServiceVersion20100801.CreateTopic");
  json.body = "{}";
  resp = frontend_->Handle(json);
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("UnknownOperationException"), std::string::npos);
}

TEST_F(SnsApiTest, UnknownAndUnbuiltActions) {
  Reply r = Call("Frobnicate", {});
  ExpectError(r, 400, "InvalidAction",
              "Could not find operation Frobnicate for version 2010-03-31");
  EXPECT_NE(r.body.find(kNs), std::string::npos);
  r = Call("CreatePlatformApplication", {{"Name", "a"},
                                         {"Platform", "GCM"},
                                         {"Attributes.entry.1.key", "k"},
                                         {"Attributes.entry.1.value", "v"}});
  ExpectError(r, 501, "NotImplemented");
}

TEST_F(SnsApiTest, MissingRequiredParameterIsInvalidParameter) {
  ExpectError(Call("GetTopicAttributes", {}), 400, "InvalidParameter",
              "Invalid parameter: TopicArn");
  ExpectError(Call("Subscribe", {{"TopicArn", kTopic}}), 400, "InvalidParameter",
              "Invalid parameter: Protocol");
  ExpectError(
      Call("Subscribe",
           {{"TopicArn", kTopic}, {"Protocol", "http"}, {"ReturnSubscriptionArn", "maybe"}}),
      400, "InvalidParameter", "Invalid parameter: ReturnSubscriptionArn");
  // A map entry without its value, in the SNS model's names (Name/Value).
  ExpectError(Call("Publish", {{"TopicArn", kTopic},
                               {"Message", "m"},
                               {"MessageAttributes.entry.1.Name", "a"}}),
              400, "InvalidParameter", "Invalid parameter: MessageAttributes.entry.1.Value");
}

TEST_F(SnsApiTest, WithoutRegistryOrSinkAnswersInternalError) {
  Start({}, /*with_sink=*/true, /*with_topics=*/false);
  Reply r = Call("ListTopics", {});
  ExpectError(r, 500, "InternalError");
  EXPECT_NE(r.message.find("SNS topic registry"), std::string::npos);
  EXPECT_NE(r.body.find("<Type>Receiver</Type>"), std::string::npos);
  Start({}, /*with_sink=*/false);
  CreateTopic("alerts");
  r = Call("Publish", {{"TopicArn", kTopic}, {"Message", "m"}});
  ExpectError(r, 500, "InternalError");
  EXPECT_NE(r.message.find("no message sink"), std::string::npos);
  r = Call("Subscribe", {{"TopicArn", kTopic}, {"Protocol", "http"}, {"Endpoint", "http://h/"}});
  ExpectError(r, 500, "InternalError");
  EXPECT_TRUE(topics_->SubscriptionsOf(kTopic).empty());
  // Lambda subscriptions need no confirmation message, so no sink.
  EXPECT_EQ(Call("Subscribe", {{"TopicArn", kTopic},
                               {"Protocol", "lambda"},
                               {"Endpoint", "arn:aws:lambda:us-east-1:123456789012:function:f"}})
                .status,
            200);
}

TEST_F(SnsApiTest, OtherAccountOrRegion) {
  CreateTopic("alerts");
  Reply r = Call("GetTopicAttributes", {{"TopicArn", kTopic}}, "210987654321");
  ExpectError(r, 403, "AuthorizationError",
              "User: arn:aws:iam::210987654321:root is not authorized to perform: "
              "SNS:GetTopicAttributes on resource: " +
                  kTopic);
  r = Call("GetTopicAttributes", {{"TopicArn", kTopic}}, "AKIDEXAMPLE", "eu-west-1");
  ExpectError(r, 400, "InvalidParameter", "Invalid parameter: TopicArn");
  // Topics are per account and region.
  EXPECT_EQ(Call("CreateTopic", {{"Name", "alerts"}}, "210987654321").status, 200);
  r = Call("ListTopics", {}, "210987654321");
  EXPECT_EQ(AllTags(r.body, "TopicArn"),
            std::vector<std::string>{"arn:aws:sns:us-east-1:210987654321:alerts"});
}

// ------------------------------------------------------------------ topics

TEST_F(SnsApiTest, CreateTopicIsIdempotentAndValidatesNames) {
  EXPECT_EQ(CreateTopic("alerts", {{"Attributes.entry.1.key", "DisplayName"},
                                   {"Attributes.entry.1.value", "Alerts"},
                                   {"Tags.member.1.Key", "team"},
                                   {"Tags.member.1.Value", "ops"}}),
            kTopic);
  EXPECT_EQ(CreateTopic("alerts"), kTopic);
  ExpectError(Call("CreateTopic", {{"Name", "alerts"},
                                   {"Attributes.entry.1.key", "DisplayName"},
                                   {"Attributes.entry.1.value", "Other"}}),
              400, "InvalidParameter",
              "Invalid parameter: Attributes Reason: Topic already exists with different "
              "attributes");
  ExpectError(
      Call("CreateTopic",
           {{"Name", "alerts"}, {"Tags.member.1.Key", "team"}, {"Tags.member.1.Value", "dev"}}),
      400, "InvalidParameter",
      "Invalid parameter: Tags Reason: Topic already exists with different tags");
  for (std::string bad : {std::string(""), std::string("a.b"), std::string("sp ace"),
                          std::string(257, 'x'), std::string("x.fifo")}) {
    ExpectError(Call("CreateTopic", {{"Name", bad}}), 400, "InvalidParameter",
                "Invalid parameter: Topic Name");
  }
  EXPECT_EQ(CreateTopic(std::string(256, 'x')),
            "arn:aws:sns:us-east-1:123456789012:" + std::string(256, 'x'));
}

TEST_F(SnsApiTest, CreateTopicValidatesAttributes) {
  auto with = [&](const std::string& k, const std::string& v) {
    return Call("CreateTopic",
                {{"Name", "t"}, {"Attributes.entry.1.key", k}, {"Attributes.entry.1.value", v}});
  };
  ExpectError(with("Bogus", "1"), 400, "InvalidParameter", "Invalid parameter: AttributeName");
  ExpectError(
      with("DeliveryPolicy", R"({"http":{"defaultHealthyRetryPolicy":{"numRetries":101}}})"), 400,
      "InvalidParameter");
  ExpectError(with("Policy", "not json"), 400, "InvalidParameter");
  ExpectError(with("DisplayName", std::string(101, 'd')), 400, "InvalidParameter",
              "Invalid parameter: DisplayName");
  ExpectError(with("FifoTopic", "true"), 400, "InvalidParameter",
              "Invalid parameter: FifoTopic Reason: vigil does not support FIFO topics");
  ExpectError(with("SignatureVersion", "3"), 400, "InvalidParameter",
              "Invalid parameter: SignatureVersion");
  EXPECT_EQ(with("SignatureVersion", "2").status, 200);
  EXPECT_TRUE(topics_->ListTopics("123456789012", "us-east-1").size() == 1);
}

TEST_F(SnsApiTest, GetTopicAttributesAnswersSnsAttributeSet) {
  CreateTopic("alerts");
  auto a = TopicAttributes();
  std::vector<std::string> keys;
  for (const auto& [k, v] : a) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"DisplayName", "EffectiveDeliveryPolicy", "Owner", "Policy",
                                      "SubscriptionsConfirmed", "SubscriptionsDeleted",
                                      "SubscriptionsPending", "TopicArn"}));
  EXPECT_EQ(a["TopicArn"], kTopic);
  EXPECT_EQ(a["Owner"], "123456789012");
  EXPECT_EQ(a["DisplayName"], "");
  EXPECT_EQ(a["SubscriptionsPending"], "0");
  EXPECT_EQ(a["EffectiveDeliveryPolicy"],
            R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
            R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,)"
            R"("numMinDelayRetries":0,"backoffFunction":"linear"},)"
            R"("disableSubscriptionOverrides":false,)"
            R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})");
  auto policy = nlohmann::json::parse(a["Policy"]);
  EXPECT_EQ(policy["Id"], "__default_policy_ID");
  EXPECT_EQ(policy["Statement"][0]["Resource"], kTopic);
  EXPECT_EQ(policy["Statement"][0]["Condition"]["StringEquals"]["AWS:SourceOwner"], "123456789012");

  std::string dp =
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":30,)"
      R"("numRetries":10,"backoffFunction":"exponential"}}})";
  ASSERT_EQ(
      Call("SetTopicAttributes",
           {{"TopicArn", kTopic}, {"AttributeName", "DeliveryPolicy"}, {"AttributeValue", dp}})
          .status,
      200);
  ASSERT_EQ(Call("SetTopicAttributes", {{"TopicArn", kTopic},
                                        {"AttributeName", "DisplayName"},
                                        {"AttributeValue", "My <alerts>"}})
                .status,
            200);
  Subscribe("http", "http://h/pending");
  Subscribe("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  a = TopicAttributes();
  EXPECT_EQ(a["DeliveryPolicy"], dp);
  EXPECT_EQ(a["DisplayName"], "My <alerts>");
  EXPECT_NE(a["EffectiveDeliveryPolicy"].find(R"("numRetries":10)"), std::string::npos);
  EXPECT_NE(a["EffectiveDeliveryPolicy"].find(R"("backoffFunction":"exponential")"),
            std::string::npos);
  EXPECT_EQ(a["SubscriptionsPending"], "1");
  EXPECT_EQ(a["SubscriptionsConfirmed"], "1");
}

TEST_F(SnsApiTest, SetTopicAttributesErrors) {
  ExpectError(
      Call("SetTopicAttributes",
           {{"TopicArn", kTopic}, {"AttributeName", "DisplayName"}, {"AttributeValue", "x"}}),
      404, "NotFound", "Topic does not exist");
  CreateTopic("alerts");
  ExpectError(Call("SetTopicAttributes",
                   {{"TopicArn", kTopic}, {"AttributeName", "Nope"}, {"AttributeValue", "x"}}),
              400, "InvalidParameter", "Invalid parameter: AttributeName");
  Reply r =
      Call("SetTopicAttributes",
           {{"TopicArn", kTopic},
            {"AttributeName", "DeliveryPolicy"},
            {"AttributeValue", R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":0}}})"}});
  ExpectError(r, 400, "InvalidParameter");
  EXPECT_TRUE(r.message.starts_with("Invalid parameter: DeliveryPolicy: ")) << r.message;
  ExpectError(
      Call("SetTopicAttributes",
           {{"TopicArn", "alerts"}, {"AttributeName", "DisplayName"}, {"AttributeValue", "x"}}),
      400, "InvalidParameter", "Invalid parameter: TopicArn");
}

TEST_F(SnsApiTest, DeleteTopic) {
  CreateTopic("alerts");
  std::string sub = Subscribe("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  EXPECT_EQ(Call("DeleteTopic", {{"TopicArn", kTopic}}).status, 200);
  EXPECT_EQ(Call("DeleteTopic", {{"TopicArn", kTopic}}).status, 200);  // unknown: succeeds
  ExpectError(Call("GetTopicAttributes", {{"TopicArn", kTopic}}), 404, "NotFound");
  ExpectError(Call("GetSubscriptionAttributes", {{"SubscriptionArn", sub}}), 404, "NotFound",
              "Subscription does not exist");
}

TEST_F(SnsApiTest, ListTopicsPagesByHundred) {
  for (int i = 0; i < 205; ++i) CreateTopic(Numbered("t", 1000 + i));
  std::vector<std::string> all;
  std::optional<std::string> token;
  int pages = 0;
  do {
    Params p;
    if (token) p.emplace_back("NextToken", *token);
    Reply r = Call("ListTopics", p);
    ASSERT_EQ(r.status, 200) << r.body;
    auto arns = AllTags(r.body, "TopicArn");
    EXPECT_LE(arns.size(), 100u);
    all.insert(all.end(), arns.begin(), arns.end());
    token = Tag(r.body, "NextToken");
    ++pages;
  } while (token);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 205u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 205u);
  ExpectError(Call("ListTopics", {{"NextToken", "garbage!"}}), 400, "InvalidParameter",
              "Invalid parameter: NextToken");
  // No topics: an empty list.
  Reply r = Call("ListTopics", {}, "210987654321");
  EXPECT_NE(r.body.find("<Topics/>"), std::string::npos) << r.body;
}

// ------------------------------------------------------------------ subscriptions

TEST_F(SnsApiTest, HttpSubscriptionIsPendingAndAsksForConfirmation) {
  CreateTopic("alerts");
  EXPECT_EQ(Subscribe("https", "https://example.com/hook"), "pending confirmation");
  ASSERT_EQ(sink_.confirmations.size(), 1u);
  const auto [sub, when] = sink_.confirmations.front();
  EXPECT_EQ(sub.endpoint, "https://example.com/hook");
  EXPECT_EQ(sub.topic_arn, kTopic);
  EXPECT_FALSE(sub.confirmed);
  EXPECT_EQ(sub.token.size(), 256u);
  EXPECT_EQ(when, Timestamp::FromSeconds(kFixtureNow));

  // ReturnSubscriptionArn gives the ARN while pending; subscribing again re-sends.
  std::string arn =
      Subscribe("https", "https://example.com/hook", {{"ReturnSubscriptionArn", "true"}});
  EXPECT_EQ(arn, sub.arn);
  EXPECT_EQ(sink_.confirmations.size(), 2u);
  auto a = SubscriptionAttributes(arn);
  EXPECT_EQ(a["PendingConfirmation"], "true");
  EXPECT_EQ(a["ConfirmationWasAuthenticated"], "false");

  // Listed as PendingConfirmation.
  Reply r = Call("ListSubscriptionsByTopic", {{"TopicArn", kTopic}});
  EXPECT_EQ(AllTags(r.body, "SubscriptionArn"), std::vector<std::string>{"PendingConfirmation"});
  r = Call("ListSubscriptions", {});
  EXPECT_EQ(AllTags(r.body, "SubscriptionArn"), std::vector<std::string>{"PendingConfirmation"});
  EXPECT_EQ(*Tag(r.body, "Protocol"), "https");
  EXPECT_EQ(*Tag(r.body, "Owner"), "123456789012");
  EXPECT_EQ(*Tag(r.body, "Endpoint"), "https://example.com/hook");

  // The receiver follows SubscribeURL: an unsigned GET without Version.
  Reply wrong = Get({{"Action", "ConfirmSubscription"}, {"TopicArn", kTopic}, {"Token", "ab"}});
  ExpectError(wrong, 400, "InvalidParameter", "Invalid token");
  Reply ok = Get({{"Action", "ConfirmSubscription"}, {"TopicArn", kTopic}, {"Token", sub.token}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find(kNs), std::string::npos);
  EXPECT_EQ(*Tag(ok.body, "SubscriptionArn"), sub.arn);
  EXPECT_EQ(topics_->ConfirmedSubscriptions(kTopic).size(), 1u);
  r = Call("ListSubscriptionsByTopic", {{"TopicArn", kTopic}});
  EXPECT_EQ(AllTags(r.body, "SubscriptionArn"), std::vector<std::string>{sub.arn});

  // And UnsubscribeURL.
  Reply gone = Get({{"Action", "Unsubscribe"}, {"SubscriptionArn", sub.arn}});
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_TRUE(topics_->SubscriptionsOf(kTopic).empty());
  ExpectError(Get({{"Action", "Unsubscribe"}, {"SubscriptionArn", sub.arn}}), 404, "NotFound",
              "Subscription does not exist");
  EXPECT_EQ(TopicAttributes()["SubscriptionsDeleted"], "1");
}

TEST_F(SnsApiTest, ConfirmSubscriptionErrors) {
  ExpectError(Call("ConfirmSubscription", {{"TopicArn", kTopic}, {"Token", "x"}}), 404, "NotFound",
              "Topic does not exist");
  ExpectError(Call("ConfirmSubscription", {{"TopicArn", "bad"}, {"Token", "x"}}), 400,
              "InvalidParameter", "Invalid parameter: TopicArn");
  ExpectError(Call("ConfirmSubscription", {{"TopicArn", kTopic}}), 400, "InvalidParameter",
              "Invalid parameter: Token");
}

TEST_F(SnsApiTest, AuthenticatedConfirmation) {
  CreateTopic("alerts");
  Subscribe("http", "http://h/a");
  std::string token = sink_.confirmations.at(0).first.token;
  Reply ok = Call("ConfirmSubscription",
                  {{"TopicArn", kTopic}, {"Token", token}, {"AuthenticateOnUnsubscribe", "true"}});
  ASSERT_EQ(ok.status, 200);
  auto a = SubscriptionAttributes(*Tag(ok.body, "SubscriptionArn"));
  EXPECT_EQ(a["ConfirmationWasAuthenticated"], "true");
  EXPECT_EQ(a["PendingConfirmation"], "false");
}

TEST_F(SnsApiTest, AutoConfirmAndLambda) {
  Start({.auto_confirm = true});
  CreateTopic("alerts");
  std::string http = Subscribe("http", "http://127.0.0.1:9/hook");
  EXPECT_TRUE(http.starts_with(kTopic + ":")) << http;
  EXPECT_TRUE(sink_.confirmations.empty());
  std::string lambda = Subscribe("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f:live");
  EXPECT_TRUE(lambda.starts_with(kTopic + ":")) << lambda;
  EXPECT_EQ(topics_->ConfirmedSubscriptions(kTopic).size(), 2u);
  // The same endpoint again is the same subscription.
  EXPECT_EQ(Subscribe("http", "http://127.0.0.1:9/hook"), http);
  auto a = SubscriptionAttributes(lambda);
  EXPECT_EQ(a["Protocol"], "lambda");
  EXPECT_EQ(a["PendingConfirmation"], "false");
  EXPECT_FALSE(a.contains("EffectiveDeliveryPolicy"));
}

TEST_F(SnsApiTest, SubscribeErrors) {
  auto sub = [&](const std::string& protocol, std::optional<std::string> endpoint,
                 const std::string& topic = kTopic) {
    Params p{{"TopicArn", topic}, {"Protocol", protocol}};
    if (endpoint) p.emplace_back("Endpoint", *endpoint);
    return Call("Subscribe", p);
  };
  ExpectError(sub("http", "http://h/"), 404, "NotFound", "Topic does not exist");
  CreateTopic("alerts");
  ExpectError(sub("carrier-pigeon", "x"), 400, "InvalidParameter",
              "Invalid parameter: Amazon SNS does not support this protocol string: "
              "carrier-pigeon");
  ExpectError(sub("email", "a@b.c"), 400, "InvalidParameter",
              "Invalid parameter: Protocol Reason: vigil delivers to http, https and lambda "
              "endpoints only, not email");
  ExpectError(sub("http", "https://h/"), 400, "InvalidParameter",
              "Invalid parameter: Endpoint must match the specified protocol");
  ExpectError(sub("https", "http://h/"), 400, "InvalidParameter",
              "Invalid parameter: Endpoint must match the specified protocol");
  ExpectError(sub("http", "http:///x"), 400, "InvalidParameter", "Invalid parameter: Endpoint");
  ExpectError(sub("http", std::nullopt), 400, "InvalidParameter", "Invalid parameter: Endpoint");
  ExpectError(sub("lambda", "arn:aws:sqs:us-east-1:123456789012:q"), 400, "InvalidParameter",
              "Invalid parameter: Lambda endpoint ARN");
  ExpectError(sub("http", "http://h/", "arn:aws:sns:us-east-1:123456789012:bad.name"), 400,
              "InvalidParameter", "Invalid parameter: TopicArn");
  ExpectError(Call("Subscribe", {{"TopicArn", kTopic},
                                 {"Protocol", "lambda"},
                                 {"Endpoint", "arn:aws:lambda:us-east-1:1:function:f"},
                                 {"Attributes.entry.1.key", "RawMessageDelivery"},
                                 {"Attributes.entry.1.value", "true"}}),
              400, "InvalidParameter",
              "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support "
              "raw message delivery.");
  EXPECT_TRUE(topics_->SubscriptionsOf(kTopic).empty());
  EXPECT_TRUE(sink_.confirmations.empty());
  // A sink that cannot record the confirmation leaves no subscription behind.
  sink_.fail = true;
  ExpectError(sub("http", "http://h/"), 500, "InternalError", "sink down");
  EXPECT_TRUE(topics_->SubscriptionsOf(kTopic).empty());
}

TEST_F(SnsApiTest, SubscriptionAttributes) {
  Start({.auto_confirm = true});
  CreateTopic("alerts");
  std::string arn = Subscribe(
      "http", "http://h/x",
      {{"Attributes.entry.1.key", "RawMessageDelivery"}, {"Attributes.entry.1.value", "True"}});
  auto a = SubscriptionAttributes(arn);
  std::vector<std::string> keys;
  for (const auto& [k, v] : a) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"ConfirmationWasAuthenticated", "EffectiveDeliveryPolicy",
                                      "Endpoint", "Owner", "PendingConfirmation", "Protocol",
                                      "RawMessageDelivery", "SubscriptionArn", "TopicArn"}));
  EXPECT_EQ(a["RawMessageDelivery"], "true");
  EXPECT_EQ(a["SubscriptionArn"], arn);
  EXPECT_EQ(a["EffectiveDeliveryPolicy"],
            R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)"
            R"("numNoDelayRetries":0,"numMinDelayRetries":0,"numMaxDelayRetries":0,)"
            R"("backoffFunction":"linear"},"throttlePolicy":null,)"
            R"("requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}})");

  auto set = [&](const std::string& name, const std::string& value) {
    return Call("SetSubscriptionAttributes",
                {{"SubscriptionArn", arn}, {"AttributeName", name}, {"AttributeValue", value}});
  };
  ASSERT_EQ(set("RawMessageDelivery", "false").status, 200);
  EXPECT_FALSE(topics_->FindSubscription(arn)->raw_message_delivery);
  ExpectError(set("RawMessageDelivery", "yes"), 400, "InvalidParameter",
              "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. "
              "Must be true or false.");
  std::string policy =
      R"({"healthyRetryPolicy":{"numRetries":6,"minDelayTarget":2,"maxDelayTarget":2}})";
  ASSERT_EQ(set("DeliveryPolicy", policy).status, 200);
  EXPECT_EQ(topics_->FindSubscription(arn)->delivery_policy, policy);
  a = SubscriptionAttributes(arn);
  EXPECT_EQ(a["DeliveryPolicy"], policy);
  EXPECT_NE(a["EffectiveDeliveryPolicy"].find(R"("numRetries":6)"), std::string::npos);
  Reply bad = set("DeliveryPolicy", R"({"healthyRetryPolicy":{"numRetries":-1}})");
  ExpectError(bad, 400, "InvalidParameter");
  EXPECT_TRUE(bad.message.starts_with("Invalid parameter: DeliveryPolicy: ")) << bad.message;
  ASSERT_EQ(set("FilterPolicy", R"({"severity":["high"]})").status, 200);
  a = SubscriptionAttributes(arn);
  EXPECT_EQ(a["FilterPolicy"], R"({"severity":["high"]})");
  EXPECT_EQ(a["FilterPolicyScope"], "MessageAttributes");
  ExpectError(set("FilterPolicy", "[1"), 400, "InvalidParameter",
              "Invalid parameter: FilterPolicy: failed to parse JSON.");
  ExpectError(set("Color", "red"), 400, "InvalidParameter", "Invalid parameter: AttributeName");
  ExpectError(Call("SetSubscriptionAttributes", {{"SubscriptionArn", kTopic + ":nope"},
                                                 {"AttributeName", "RawMessageDelivery"},
                                                 {"AttributeValue", "true"}}),
              404, "NotFound", "Subscription does not exist");
  ExpectError(Call("GetSubscriptionAttributes", {{"SubscriptionArn", "PendingConfirmation"}}), 400,
              "InvalidParameter", "Invalid parameter: SubscriptionArn");
}

TEST_F(SnsApiTest, ListSubscriptionsPagesAndScopes) {
  Start({.auto_confirm = true});
  CreateTopic("alerts");
  CreateTopic("other");
  for (int i = 0; i < 150; ++i) Subscribe("http", Numbered("http://h/", i));
  Call("Subscribe", {{"TopicArn", "arn:aws:sns:us-east-1:123456789012:other"},
                     {"Protocol", "http"},
                     {"Endpoint", "http://h/other"}});
  Reply r = Call("ListSubscriptionsByTopic", {{"TopicArn", kTopic}});
  EXPECT_EQ(AllTags(r.body, "SubscriptionArn").size(), 100u);
  auto token = Tag(r.body, "NextToken");
  ASSERT_TRUE(token);
  r = Call("ListSubscriptionsByTopic", {{"TopicArn", kTopic}, {"NextToken", *token}});
  EXPECT_EQ(AllTags(r.body, "SubscriptionArn").size(), 50u);
  EXPECT_FALSE(Tag(r.body, "NextToken"));
  r = Call("ListSubscriptions", {});
  size_t n = AllTags(r.body, "SubscriptionArn").size();
  r = Call("ListSubscriptions", {{"NextToken", *Tag(r.body, "NextToken")}});
  EXPECT_EQ(n + AllTags(r.body, "SubscriptionArn").size(), 151u);
  ExpectError(
      Call("ListSubscriptionsByTopic", {{"TopicArn", "arn:aws:sns:us-east-1:123456789012:nope"}}),
      404, "NotFound", "Topic does not exist");
}

// ------------------------------------------------------------------ publish

TEST_F(SnsApiTest, PublishHandsTheMessageToTheSink) {
  CreateTopic("alerts");
  Reply r = Call("Publish", {{"TopicArn", kTopic},
                             {"Message", "hello <world>"},
                             {"Subject", "Hi: there!"},
                             {"MessageAttributes.entry.1.Name", "severity"},
                             {"MessageAttributes.entry.1.Value.DataType", "String"},
                             {"MessageAttributes.entry.1.Value.StringValue", "high"},
                             {"MessageAttributes.entry.2.Name", "count"},
                             {"MessageAttributes.entry.2.Value.DataType", "Number"},
                             {"MessageAttributes.entry.2.Value.StringValue", "-1.5e3"},
                             {"MessageAttributes.entry.3.Name", "blob"},
                             {"MessageAttributes.entry.3.Value.DataType", "Binary"},
                             {"MessageAttributes.entry.3.Value.BinaryValue", "AAEC"},
                             {"MessageAttributes.entry.4.Name", "list"},
                             {"MessageAttributes.entry.4.Value.DataType", "String.Array"},
                             {"MessageAttributes.entry.4.Value.StringValue", R"(["a",1,true])"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body.starts_with(
      "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
      "<MessageId>11111111-2222-4333-8444-000000000001</MessageId></PublishResult>"))
      << r.body;
  ASSERT_EQ(sink_.published.size(), 1u);
  const notify::Publication& p = sink_.published.front();
  EXPECT_EQ(p.account, "123456789012");
  EXPECT_EQ(p.region, "us-east-1");
  EXPECT_EQ(p.topic_arn, kTopic);
  EXPECT_EQ(p.subject, "Hi: there!");
  EXPECT_EQ(p.message, "hello <world>");
  EXPECT_EQ(p.message_id, "");
  EXPECT_EQ(p.timestamp, Timestamp::FromSeconds(kFixtureNow));
  ASSERT_EQ(p.attributes.size(), 4u);
  std::map<std::string, std::pair<std::string, std::string>> attrs;
  for (const auto& a : p.attributes) attrs[a.name] = {a.type, a.value};
  EXPECT_EQ(attrs["severity"], (std::pair<std::string, std::string>{"String", "high"}));
  EXPECT_EQ(attrs["count"], (std::pair<std::string, std::string>{"Number", "-1.5e3"}));
  EXPECT_EQ(attrs["blob"], (std::pair<std::string, std::string>{"Binary", "AAEC"}));
  EXPECT_EQ(attrs["list"],
            (std::pair<std::string, std::string>{"String.Array", R"(["a",1,true])"}));

  // TargetArn works the same; no Subject is no Subject.
  r = Call("Publish", {{"TargetArn", kTopic}, {"Message", "m2"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(sink_.published.back().subject);
}

TEST_F(SnsApiTest, PublishMessageStructureJson) {
  CreateTopic("alerts");
  auto publish = [&](const std::string& m) {
    return Call("Publish", {{"TopicArn", kTopic}, {"Message", m}, {"MessageStructure", "json"}});
  };
  ASSERT_EQ(publish(R"({"default":"d","http":"h","https":"s","email":"e"})").status, 200);
  EXPECT_EQ(sink_.published.back().message, "h");
  ASSERT_EQ(publish(R"({"default":"d","https":"s"})").status, 200);
  EXPECT_EQ(sink_.published.back().message, "s");
  ASSERT_EQ(publish(R"({"default":"d","lambda":"l"})").status, 200);
  EXPECT_EQ(sink_.published.back().message, "d");
  ExpectError(publish(R"({"http":"h"})"), 400, "InvalidParameter",
              "Invalid parameter: Message Structure - No default entry in JSON message body");
  ExpectError(publish("not json"), 400, "InvalidParameter",
              "Invalid parameter: Message Structure - JSON message body failed to parse");
  ExpectError(publish(R"({"default":1})"), 400, "InvalidParameter",
              "Invalid parameter: Message Structure - JSON message body failed to parse");
  ExpectError(
      Call("Publish", {{"TopicArn", kTopic}, {"Message", "m"}, {"MessageStructure", "xml"}}), 400,
      "InvalidParameter", "Invalid parameter: MessageStructure");
  EXPECT_EQ(sink_.published.size(), 3u);
}

TEST_F(SnsApiTest, PublishErrors) {
  auto publish = [&](Params p) { return Call("Publish", std::move(p)); };
  ExpectError(publish({{"TopicArn", kTopic}, {"Message", "m"}}), 404, "NotFound",
              "Topic does not exist");
  CreateTopic("alerts");
  ExpectError(publish({{"Message", "m"}}), 400, "InvalidParameter",
              "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  ExpectError(publish({{"TopicArn", kTopic}, {"TargetArn", kTopic}, {"Message", "m"}}), 400,
              "InvalidParameter");
  ExpectError(publish({{"PhoneNumber", "+15555550100"}, {"Message", "m"}}), 400,
              "InvalidParameter");
  ExpectError(publish({{"TopicArn", kTopic}}), 400, "InvalidParameter",
              "Invalid parameter: Message");
  ExpectError(publish({{"TopicArn", kTopic}, {"Message", ""}}), 400, "InvalidParameter",
              "Invalid parameter: Empty message");
  ExpectError(publish({{"TopicArn", kTopic}, {"Message", std::string(256 * 1024 + 1, 'x')}}), 400,
              "InvalidParameter", "Invalid parameter: Message too long");
  EXPECT_EQ(publish({{"TopicArn", kTopic}, {"Message", std::string(256 * 1024, 'x')}}).status, 200);
  for (std::string subject : {std::string(101, 's'), std::string("two\nlines"), std::string(""),
                              std::string("caf\xC3\xA9")}) {
    ExpectError(publish({{"TopicArn", kTopic}, {"Message", "m"}, {"Subject", subject}}), 400,
                "InvalidParameter", "Invalid parameter: Subject");
  }
  EXPECT_EQ(
      publish({{"TopicArn", kTopic}, {"Message", "m"}, {"Subject", std::string(100, 's')}}).status,
      200);
  auto attr = [&](const std::string& name, const std::string& type,
                  std::optional<std::string> value) {
    Params p{{"TopicArn", kTopic},
             {"Message", "m"},
             {"MessageAttributes.entry.1.Name", name},
             {"MessageAttributes.entry.1.Value.DataType", type}};
    if (value) p.emplace_back("MessageAttributes.entry.1.Value.StringValue", *value);
    return publish(p);
  };
  ExpectError(attr("a", "Text", "x"), 400, "ParameterValueInvalid",
              "The message attribute 'a' has an invalid message attribute type, the set of "
              "supported type prefixes is Binary, Number, and String.");
  ExpectError(attr("a", "String", std::nullopt), 400, "ParameterValueInvalid",
              "The message attribute 'a' must contain non-empty message attribute value for "
              "message attribute type 'String'.");
  ExpectError(attr("a", "Number", "12abc"), 400, "ParameterValueInvalid",
              "Could not cast message attribute 'a' value to number.");
  ExpectError(attr("a", "String.Array", "nope"), 400, "ParameterValueInvalid");
  ExpectError(attr("AWS.reserved", "String", "x"), 400, "ParameterValueInvalid");
  ExpectError(attr("bad name", "String", "x"), 400, "ParameterValueInvalid");
  ExpectError(attr("a", "Binary", std::nullopt), 400, "ParameterValueInvalid");
  EXPECT_EQ(attr("a", "String.custom", "x").status, 200);
  EXPECT_EQ(attr("a", "Number.float", "1.25").status, 200);
  Params eleven{{"TopicArn", kTopic}, {"Message", "m"}};
  for (int i = 1; i <= 11; ++i) {
    std::string prefix = Numbered("MessageAttributes.entry.", i);
    eleven.emplace_back(prefix + ".Name", Numbered("a", i));
    eleven.emplace_back(prefix + ".Value.DataType", "String");
    eleven.emplace_back(prefix + ".Value.StringValue", "v");
  }
  ExpectError(publish(eleven), 400, "ParameterValueInvalid",
              "Number of message attributes [11] exceeds the allowed maximum [10].");
  size_t before = sink_.published.size();
  sink_.fail = true;
  ExpectError(publish({{"TopicArn", kTopic}, {"Message", "m"}}), 500, "InternalError", "sink down");
  EXPECT_EQ(sink_.published.size(), before);
}

// ------------------------------------------------------------------ tags

TEST_F(SnsApiTest, TagsOnTopics) {
  auto tag = [&](const std::string& arn, int first, int count) {
    Params p{{"ResourceArn", arn}};
    for (int i = 0; i < count; ++i) {
      p.emplace_back(Numbered("Tags.member.", i + 1) + ".Key", Numbered("k", first + i));
      p.emplace_back(Numbered("Tags.member.", i + 1) + ".Value", "v");
    }
    return Call("TagResource", p);
  };
  ExpectError(tag(kTopic, 0, 1), 404, "ResourceNotFound", "Resource does not exist");
  ExpectError(Call("ListTagsForResource", {{"ResourceArn", kTopic}}), 404, "ResourceNotFound",
              "Resource does not exist");
  ExpectError(Call("UntagResource", {{"ResourceArn", kTopic}, {"TagKeys.member.1", "k"}}), 404,
              "ResourceNotFound");
  CreateTopic("alerts");
  Reply r = Call("ListTagsForResource", {{"ResourceArn", kTopic}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<ListTagsForResourceResult><Tags/></ListTagsForResourceResult>"),
            std::string::npos)
      << r.body;
  r = tag(kTopic, 0, 2);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<TagResourceResult/>"), std::string::npos) << r.body;
  r = Call("ListTagsForResource", {{"ResourceArn", kTopic}});
  EXPECT_NE(r.body.find("<Tags><member><Key>k0</Key><Value>v</Value></member><member><Key>k1"
                        "</Key><Value>v</Value></member></Tags>"),
            std::string::npos)
      << r.body;
  ASSERT_EQ(Call("UntagResource", {{"ResourceArn", kTopic}, {"TagKeys.member.1", "k0"}}).status,
            200);
  r = Call("ListTagsForResource", {{"ResourceArn", kTopic}});
  EXPECT_EQ(AllTags(r.body, "Key"), std::vector<std::string>{"k1"});
  EXPECT_EQ(tag(kTopic, 10, 49).status, 200);  // 50 tags: the limit
  ExpectError(tag(kTopic, 100, 1), 400, "TagLimitExceeded",
              "Could not complete request: tag quota of per resource exceeded");
  // Model constraints answer coral's ValidationError.
  ExpectError(Call("TagResource", {{"ResourceArn", kTopic},
                                   {"Tags.member.1.Key", std::string(129, 'k')},
                                   {"Tags.member.1.Value", "v"}}),
              400, "ValidationError");
}

// ------------------------------------------------------------------ reset

TEST_F(SnsApiTest, ResetForgetsTopics) {
  CreateTopic("alerts");
  HttpRequest req;
  req.method = "POST";
  req.target = "/_vigil/reset";
  ASSERT_EQ(frontend_->Handle(req).status, 200);
  ExpectError(Call("GetTopicAttributes", {{"TopicArn", kTopic}}), 404, "NotFound");
}

}  // namespace
}  // namespace vigil::api::testing
