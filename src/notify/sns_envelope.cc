#include "vigil/notify/sns_envelope.h"

#include <algorithm>

#include "notify/json_out.h"

namespace vigil::notify {
namespace {

using json::AppendString;

void AppendSignField(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += '\n';
  out += value;
  out += '\n';
}

// One `  "Key" : "value"` line of the pretty-printed envelope.
void AppendLine(std::string& out, bool& first, std::string_view key, std::string_view value) {
  out += first ? "\n  " : ",\n  ";
  first = false;
  AppendString(out, key);
  out += " : ";
  AppendString(out, value);
}

bool IsConfirmation(SnsMessageType t) { return t != SnsMessageType::kNotification; }

}  // namespace

std::string_view MessageTypeName(SnsMessageType t) {
  switch (t) {
    case SnsMessageType::kNotification:
      return "Notification";
    case SnsMessageType::kSubscriptionConfirmation:
      return "SubscriptionConfirmation";
    case SnsMessageType::kUnsubscribeConfirmation:
      return "UnsubscribeConfirmation";
  }
  return "Notification";
}

std::string FormatSnsTimestamp(Timestamp t) {
  // FormatAwsMillis writes `2026-11-27T12:35:00.000+0000`; SNS writes the same instant with `Z`.
  std::string s = FormatAwsMillis(t);
  if (s.size() > 5 && s.compare(s.size() - 5, 5, "+0000") == 0) s.resize(s.size() - 5);
  s += 'Z';
  return s;
}

std::string SubscriptionConfirmationText(std::string_view topic_arn) {
  std::string s = "You have chosen to subscribe to the topic ";
  s += topic_arn;
  s += ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
  return s;
}

std::string UnsubscribeConfirmationText(std::string_view subscription_arn) {
  std::string s = "You have chosen to deactivate subscription ";
  s += subscription_arn;
  s += ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL "
       "included in this message.";
  return s;
}

std::string SubscribeUrl(std::string_view endpoint, std::string_view topic_arn,
                         std::string_view token) {
  std::string s(endpoint);
  s += "/?Action=ConfirmSubscription&TopicArn=";
  s += topic_arn;
  s += "&Token=";
  s += token;
  return s;
}

std::string UnsubscribeUrl(std::string_view endpoint, std::string_view subscription_arn) {
  std::string s(endpoint);
  s += "/?Action=Unsubscribe&SubscriptionArn=";
  s += subscription_arn;
  return s;
}

std::string StringToSign(const SnsMessage& m) {
  std::string out;
  out.reserve(m.message.size() + 512);
  const std::string ts = FormatSnsTimestamp(m.timestamp);
  AppendSignField(out, "Message", m.message);
  AppendSignField(out, "MessageId", m.message_id);
  if (IsConfirmation(m.type)) {
    AppendSignField(out, "SubscribeURL", m.subscribe_url);
    AppendSignField(out, "Timestamp", ts);
    AppendSignField(out, "Token", m.token);
  } else {
    if (m.subject) AppendSignField(out, "Subject", *m.subject);
    AppendSignField(out, "Timestamp", ts);
  }
  AppendSignField(out, "TopicArn", m.topic_arn);
  AppendSignField(out, "Type", MessageTypeName(m.type));
  return out;
}

std::string EnvelopeJson(const SnsMessage& m, const SignatureFields& sig) {
  std::string out;
  out.reserve(m.message.size() + 1024);
  out += '{';
  bool first = true;
  AppendLine(out, first, "Type", MessageTypeName(m.type));
  AppendLine(out, first, "MessageId", m.message_id);
  if (IsConfirmation(m.type)) {
    AppendLine(out, first, "Token", m.token);
    AppendLine(out, first, "TopicArn", m.topic_arn);
    AppendLine(out, first, "Message", m.message);
    AppendLine(out, first, "SubscribeURL", m.subscribe_url);
  } else {
    AppendLine(out, first, "TopicArn", m.topic_arn);
    if (m.subject) AppendLine(out, first, "Subject", *m.subject);
    AppendLine(out, first, "Message", m.message);
  }
  AppendLine(out, first, "Timestamp", FormatSnsTimestamp(m.timestamp));
  AppendLine(out, first, "SignatureVersion", SignatureVersionText(sig.version));
  AppendLine(out, first, "Signature", sig.signature);
  AppendLine(out, first, "SigningCertURL", sig.signing_cert_url);
  if (!IsConfirmation(m.type)) {
    AppendLine(out, first, "UnsubscribeURL", m.unsubscribe_url);
    if (!m.message_attributes.empty()) {
      std::vector<const MessageAttribute*> attrs;
      for (const auto& a : m.message_attributes) attrs.push_back(&a);
      std::sort(attrs.begin(), attrs.end(),
                [](const auto* a, const auto* b) { return a->name < b->name; });
      out += ",\n  \"MessageAttributes\" : {";
      for (size_t i = 0; i < attrs.size(); ++i) {
        out += i ? ",\n    " : "\n    ";
        AppendString(out, attrs[i]->name);
        out += " : {\"Type\":";
        AppendString(out, attrs[i]->type);
        out += ",\"Value\":";
        AppendString(out, attrs[i]->value);
        out += '}';
      }
      out += "\n  }";
    }
  }
  out += "\n}";
  return out;
}

HttpDelivery BuildHttpDelivery(const SnsMessage& m, const SignatureFields& sig,
                               const DeliveryOptions& options) {
  HttpDelivery d;
  const bool raw = options.raw && m.type == SnsMessageType::kNotification;
  d.headers.emplace_back("x-amz-sns-message-type", std::string(MessageTypeName(m.type)));
  d.headers.emplace_back("x-amz-sns-message-id", m.message_id);
  d.headers.emplace_back("x-amz-sns-topic-arn", m.topic_arn);
  if (m.type != SnsMessageType::kSubscriptionConfirmation && !options.subscription_arn.empty()) {
    d.headers.emplace_back("x-amz-sns-subscription-arn", options.subscription_arn);
  }
  if (raw) d.headers.emplace_back("x-amz-sns-rawdelivery", "true");
  d.headers.emplace_back("content-type", options.content_type);
  d.headers.emplace_back("user-agent", "Amazon Simple Notification Service Agent");
  d.body = raw ? m.message : EnvelopeJson(m, sig);
  return d;
}

Result<HttpDelivery> SignAndBuild(const SnsMessage& m, const Signer& signer,
                                  SignatureVersion version, std::string_view signing_cert_url,
                                  const DeliveryOptions& options) {
  SignatureFields sig;
  sig.version = version;
  sig.signing_cert_url = std::string(signing_cert_url);
  if (!(options.raw && m.type == SnsMessageType::kNotification)) {
    ASSIGN_OR_RETURN(sig.signature, signer.Sign(StringToSign(m), version));
  }
  return BuildHttpDelivery(m, sig, options);
}

}  // namespace vigil::notify
