// The SNS HTTP envelope, headers and string to sign, against hand-written bytes from the SNS
// developer guide (http-notification-json, http-subscription-confirmation-json,
// http-unsubscribe-confirmation-json, sns-verify-signature-of-message).
#include "vigil/notify/sns_envelope.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigil::notify {
namespace {

constexpr char kTopic[] = "arn:aws:sns:us-west-2:123456789012:MyTopic";
constexpr char kSub[] =
    "arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96";
constexpr char kEndpoint[] = "https://sns.us-west-2.amazonaws.com";
constexpr char kCertUrl[] = "https://vigil.example:4566/SimpleNotificationService-vigil.pem";

SnsMessage Notification() {
  SnsMessage m;
  m.type = SnsMessageType::kNotification;
  m.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  m.topic_arn = kTopic;
  m.subject = "My First Message";
  m.message = "Hello world!";
  m.timestamp = Timestamp::FromMillis(1335920046655);  // 2012-05-02T00:54:06.655Z
  m.unsubscribe_url = UnsubscribeUrl(kEndpoint, kSub);
  return m;
}

SignatureFields Sig(SignatureVersion v = SignatureVersion::kV1) {
  return SignatureFields{v, "EXAMPLEw6JRN...", kCertUrl};
}

TEST(SnsEnvelopeTest, TimestampAlwaysHasMilliseconds) {
  EXPECT_EQ(FormatSnsTimestamp(Timestamp::FromMillis(1335473104751)), "2012-04-26T20:45:04.751Z");
  EXPECT_EQ(FormatSnsTimestamp(Timestamp::FromMillis(1335473104000)), "2012-04-26T20:45:04.000Z");
}

TEST(SnsEnvelopeTest, NotificationStringToSign) {
  EXPECT_EQ(StringToSign(Notification()),
            "Message\nHello world!\n"
            "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
            "Subject\nMy First Message\n"
            "Timestamp\n2012-05-02T00:54:06.655Z\n"
            "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Type\nNotification\n");
  SnsMessage m = Notification();
  m.subject.reset();
  EXPECT_EQ(StringToSign(m),
            "Message\nHello world!\n"
            "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
            "Timestamp\n2012-05-02T00:54:06.655Z\n"
            "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Type\nNotification\n");
}

TEST(SnsEnvelopeTest, NotificationBody) {
  const std::string expected =
      "{\n"
      "  \"Type\" : \"Notification\",\n"
      "  \"MessageId\" : \"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\",\n"
      "  \"TopicArn\" : \"arn:aws:sns:us-west-2:123456789012:MyTopic\",\n"
      "  \"Subject\" : \"My First Message\",\n"
      "  \"Message\" : \"Hello world!\",\n"
      "  \"Timestamp\" : \"2012-05-02T00:54:06.655Z\",\n"
      "  \"SignatureVersion\" : \"1\",\n"
      "  \"Signature\" : \"EXAMPLEw6JRN...\",\n"
      "  \"SigningCertURL\" : \"https://vigil.example:4566/SimpleNotificationService-vigil.pem\",\n"
      "  \"UnsubscribeURL\" : \"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&"
      "SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:"
      "c9135db0-26c4-47ec-8998-413945fb5a96\"\n"
      "}";
  EXPECT_EQ(EnvelopeJson(Notification(), Sig()), expected);
}

TEST(SnsEnvelopeTest, AlarmMessageIsEscapedInsideTheEnvelope) {
  SnsMessage m = Notification();
  m.message = R"x({"AlarmName":"a","NewStateReason":"x\ny"})x";
  std::string body = EnvelopeJson(m, Sig(SignatureVersion::kV2));
  EXPECT_NE(body.find(R"x(  "Message" : "{\"AlarmName\":\"a\",\"NewStateReason\":\"x\\ny\"}",)x"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("  \"SignatureVersion\" : \"2\",\n"), std::string::npos);
  auto doc = nlohmann::json::parse(body);
  EXPECT_EQ(doc["Message"].get<std::string>(), m.message);
}

TEST(SnsEnvelopeTest, NoSubjectMeansNoSubjectKey) {
  SnsMessage m = Notification();
  m.subject.reset();
  EXPECT_EQ(EnvelopeJson(m, Sig()).find("Subject"), std::string::npos);
}

TEST(SnsEnvelopeTest, MessageAttributesFollowUnsubscribeUrlSortedByName) {
  SnsMessage m = Notification();
  m.message_attributes = {{"zeta", "Number", "7"}, {"alpha", "String", "v"}};
  std::string body = EnvelopeJson(m, Sig());
  const std::string tail =
      "c9135db0-26c4-47ec-8998-413945fb5a96\",\n"
      "  \"MessageAttributes\" : {\n"
      "    \"alpha\" : {\"Type\":\"String\",\"Value\":\"v\"},\n"
      "    \"zeta\" : {\"Type\":\"Number\",\"Value\":\"7\"}\n"
      "  }\n"
      "}";
  ASSERT_GE(body.size(), tail.size());
  EXPECT_EQ(body.substr(body.size() - tail.size()), tail);
  EXPECT_TRUE(nlohmann::json::accept(body));
}

SnsMessage Confirmation() {
  SnsMessage m;
  m.type = SnsMessageType::kSubscriptionConfirmation;
  m.message_id = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b";
  m.token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7";
  m.topic_arn = kTopic;
  m.message = SubscriptionConfirmationText(kTopic);
  m.subscribe_url = SubscribeUrl(kEndpoint, kTopic, m.token);
  m.timestamp = Timestamp::FromMillis(1335473104751);  // 2012-04-26T20:45:04.751Z
  return m;
}

TEST(SnsEnvelopeTest, SubscriptionConfirmationBody) {
  const std::string expected =
      "{\n"
      "  \"Type\" : \"SubscriptionConfirmation\",\n"
      "  \"MessageId\" : \"165545c9-2a5c-472c-8df2-7ff2be2b3b1b\",\n"
      "  \"Token\" : "
      "\"2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7\",\n"
      "  \"TopicArn\" : \"arn:aws:sns:us-west-2:123456789012:MyTopic\",\n"
      "  \"Message\" : \"You have chosen to subscribe to the topic "
      "arn:aws:sns:us-west-2:123456789012:MyTopic.\\nTo confirm the subscription, visit the "
      "SubscribeURL included in this message.\",\n"
      "  \"SubscribeURL\" : \"https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&"
      "TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&"
      "Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7\",\n"
      "  \"Timestamp\" : \"2012-04-26T20:45:04.751Z\",\n"
      "  \"SignatureVersion\" : \"1\",\n"
      "  \"Signature\" : \"EXAMPLEw6JRN...\",\n"
      "  \"SigningCertURL\" : \"https://vigil.example:4566/SimpleNotificationService-vigil.pem\"\n"
      "}";
  EXPECT_EQ(EnvelopeJson(Confirmation(), Sig()), expected);
}

TEST(SnsEnvelopeTest, ConfirmationStringToSign) {
  SnsMessage m = Confirmation();
  EXPECT_EQ(StringToSign(m),
            "Message\nYou have chosen to subscribe to the topic "
            "arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the "
            "SubscribeURL included in this message.\n"
            "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
            "SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&"
            "TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&"
            "Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7\n"
            "Timestamp\n2012-04-26T20:45:04.751Z\n"
            "Token\n2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7\n"
            "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Type\nSubscriptionConfirmation\n");
  // A subject never enters a confirmation's string to sign.
  m.subject = "ignored";
  EXPECT_EQ(StringToSign(m).find("Subject"), std::string::npos);
}

TEST(SnsEnvelopeTest, UnsubscribeConfirmation) {
  SnsMessage m = Confirmation();
  m.type = SnsMessageType::kUnsubscribeConfirmation;
  m.message = UnsubscribeConfirmationText(kSub);
  EXPECT_EQ(m.message,
            "You have chosen to deactivate subscription "
            "arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL "
            "included in this message.");
  std::string body = EnvelopeJson(m, Sig());
  EXPECT_EQ(body.rfind("{\n  \"Type\" : \"UnsubscribeConfirmation\",\n", 0), 0u) << body;
  EXPECT_NE(StringToSign(m).find("Type\nUnsubscribeConfirmation\n"), std::string::npos);
  DeliveryOptions o;
  o.subscription_arn = kSub;
  HttpDelivery d = BuildHttpDelivery(m, Sig(), o);
  EXPECT_EQ(d.headers[3],
            (std::pair<std::string, std::string>{"x-amz-sns-subscription-arn", kSub}));
}

TEST(SnsEnvelopeTest, NotificationHeaders) {
  DeliveryOptions o;
  o.subscription_arn = kSub;
  HttpDelivery d = BuildHttpDelivery(Notification(), Sig(), o);
  using H = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(d.headers, (H{{"x-amz-sns-message-type", "Notification"},
                          {"x-amz-sns-message-id", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
                          {"x-amz-sns-topic-arn", kTopic},
                          {"x-amz-sns-subscription-arn", kSub},
                          {"content-type", "text/plain; charset=UTF-8"},
                          {"user-agent", "Amazon Simple Notification Service Agent"}}));
  EXPECT_EQ(d.body, EnvelopeJson(Notification(), Sig()));
}

TEST(SnsEnvelopeTest, ConfirmationHasNoSubscriptionArnHeader) {
  DeliveryOptions o;
  o.subscription_arn = kSub;
  o.raw = true;  // raw delivery never applies to confirmations
  HttpDelivery d = BuildHttpDelivery(Confirmation(), Sig(), o);
  for (const auto& [name, value] : d.headers) {
    EXPECT_NE(name, "x-amz-sns-subscription-arn");
    EXPECT_NE(name, "x-amz-sns-rawdelivery");
  }
  EXPECT_EQ(d.headers[0].second, "SubscriptionConfirmation");
  EXPECT_EQ(d.body, EnvelopeJson(Confirmation(), Sig()));
}

TEST(SnsEnvelopeTest, RawDeliveryIsTheBareMessage) {
  DeliveryOptions o;
  o.subscription_arn = kSub;
  o.raw = true;
  o.content_type = "application/json";
  SnsMessage m = Notification();
  m.message = R"x({"AlarmName":"a"})x";
  HttpDelivery d = BuildHttpDelivery(m, Sig(), o);
  EXPECT_EQ(d.body, m.message);
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(d.headers[4], (P{"x-amz-sns-rawdelivery", "true"}));
  EXPECT_EQ(d.headers[5], (P{"content-type", "application/json"}));
}

}  // namespace
}  // namespace vigil::notify
