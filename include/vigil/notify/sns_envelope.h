// The SNS HTTP/HTTPS delivery format: the JSON envelope, its headers, the string to sign.
//
// As SNS sends it (docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
// http-subscription-confirmation-json.html, http-unsubscribe-confirmation-json.html): a
// pretty-printed JSON object, `"Key" : "value"` pairs indented by two spaces, keys in SNS's order
//   Notification:  Type, MessageId, TopicArn, Subject?, Message, Timestamp, SignatureVersion,
//                  Signature, SigningCertURL, UnsubscribeURL, MessageAttributes?
//   (Un)SubscriptionConfirmation: Type, MessageId, Token, TopicArn, Message, SubscribeURL,
//                  Timestamp, SignatureVersion, Signature, SigningCertURL
// The string to sign (sns-verify-signature-of-message.html) is `Key\nvalue\n` for
//   Notification:  Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type
//   confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/common/time.h"
#include "vigil/notify/signer.h"

namespace vigil::notify {

enum class SnsMessageType : uint8_t {
  kNotification,
  kSubscriptionConfirmation,
  kUnsubscribeConfirmation
};
std::string_view MessageTypeName(SnsMessageType t);  // "Notification", ...

// A Publish MessageAttribute as delivered: Type is "String", "String.Array", "Number" or
// "Binary" (Value base64).
struct MessageAttribute {
  std::string name;
  std::string type;
  std::string value;
};

// Everything of one delivery except the signature. Fields not used by `type` are ignored.
struct SnsMessage {
  SnsMessageType type = SnsMessageType::kNotification;
  std::string message_id;
  std::string topic_arn;
  std::optional<std::string> subject;  // Notification only; omitted when absent
  std::string message;
  Timestamp timestamp;
  std::string token;                                 // confirmations
  std::string subscribe_url;                         // confirmations
  std::string unsubscribe_url;                       // Notification
  std::vector<MessageAttribute> message_attributes;  // Notification; sorted by name on output
};

struct SignatureFields {
  SignatureVersion version = SignatureVersion::kV1;
  std::string signature;  // base64
  std::string signing_cert_url;
};

// `2012-04-26T20:45:04.751Z`: SNS's Timestamp (always with milliseconds).
std::string FormatSnsTimestamp(Timestamp t);

// `You have chosen to subscribe to the topic <arn>.\nTo confirm the subscription, visit the
// SubscribeURL included in this message.`
std::string SubscriptionConfirmationText(std::string_view topic_arn);
// `You have chosen to deactivate subscription <arn>.\nTo cancel this operation and restore the
// subscription, visit the SubscribeURL included in this message.`
std::string UnsubscribeConfirmationText(std::string_view subscription_arn);

// `<endpoint>/?Action=ConfirmSubscription&TopicArn=<arn>&Token=<token>` and
// `<endpoint>/?Action=Unsubscribe&SubscriptionArn=<arn>`; `endpoint` has no trailing slash
// (`https://sns.us-east-1.amazonaws.com`). ARNs go in unencoded, as SNS writes them.
std::string SubscribeUrl(std::string_view endpoint, std::string_view topic_arn,
                         std::string_view token);
std::string UnsubscribeUrl(std::string_view endpoint, std::string_view subscription_arn);

std::string StringToSign(const SnsMessage& m);

// The signed JSON body.
std::string EnvelopeJson(const SnsMessage& m, const SignatureFields& sig);

struct DeliveryOptions {
  std::string subscription_arn;  // x-amz-sns-subscription-arn (not sent with a confirmation)
  bool raw = false;              // RawMessageDelivery: the body is the bare Message
  std::string content_type = "text/plain; charset=UTF-8";  // DeliveryPolicy headerContentType
};

struct HttpDelivery {
  std::vector<std::pair<std::string, std::string>> headers;  // in this order, lower-case names
  std::string body;
};

// Headers and body of the POST for `m`. Raw delivery applies to notifications only:
// confirmations are always sent as the JSON envelope.
HttpDelivery BuildHttpDelivery(const SnsMessage& m, const SignatureFields& sig,
                               const DeliveryOptions& options);

// Signs `m` with `signer` and builds the delivery.
Result<HttpDelivery> SignAndBuild(const SnsMessage& m, const Signer& signer,
                                  SignatureVersion version, std::string_view signing_cert_url,
                                  const DeliveryOptions& options);

}  // namespace vigil::notify
